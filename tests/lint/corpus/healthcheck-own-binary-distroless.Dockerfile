FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app ./cmd/server && CGO_ENABLED=0 go build -o /healthcheck ./cmd/healthcheck

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /app /healthcheck /
HEALTHCHECK --interval=30s CMD ["/healthcheck"]
ENTRYPOINT ["/app"]
