FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:latest /ko-app/grpc-health-probe /bin/grpc_health_probe
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
