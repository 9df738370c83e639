ARG RUNTIME_IMAGE
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/app /app
USER 65532
ENTRYPOINT ["/app"]
