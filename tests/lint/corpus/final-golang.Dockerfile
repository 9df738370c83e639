FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM golang:1.23
COPY --from=build /out/app /app
USER 65532
ENTRYPOINT ["/app"]
