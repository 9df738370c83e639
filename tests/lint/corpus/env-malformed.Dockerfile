FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
ENV GIN_MODE = release
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
