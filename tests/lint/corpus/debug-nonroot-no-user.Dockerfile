FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

# The :debug variant adds a busybox shell, for kubectl exec while we debug in staging.
FROM gcr.io/distroless/static-debian12:debug-nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
