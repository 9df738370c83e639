FROM golang:1.23-alpine AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/probe .

FROM scratch
COPY --from=gcr.io/distroless/static-debian12:nonroot /etc/passwd /etc/passwd
COPY --from=gcr.io/distroless/static-debian12:nonroot /etc/ssl/certs /etc/ssl/certs
COPY --from=build /out/probe /probe
USER nonroot
ENTRYPOINT ["/probe"]
