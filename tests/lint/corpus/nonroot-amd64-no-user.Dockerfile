FROM golang:1.23 AS build
WORKDIR /go/src/app
COPY . .
RUN CGO_ENABLED=0 GOARCH=amd64 go build -o /go/bin/app

FROM gcr.io/distroless/static-debian12:nonroot-amd64
COPY --from=build /go/bin/app /
CMD ["/app"]
