FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
RUN groupadd -r app && useradd -r -g app app
COPY --from=build --chown=app:app /out/app /app
USER app
ENTRYPOINT ["/app"]
