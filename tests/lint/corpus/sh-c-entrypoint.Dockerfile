FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12:debug-nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["sh", "-c", "/app --port=${PORT:-8080}"]
