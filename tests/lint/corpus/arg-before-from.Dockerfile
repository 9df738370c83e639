ARG GO_VERSION=1.23
ARG DISTROLESS=gcr.io/distroless/static-debian12:nonroot
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.* ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /bin/app ./...

FROM ${DISTROLESS}
COPY --from=build /bin/app /app
ENTRYPOINT ["/app"]
