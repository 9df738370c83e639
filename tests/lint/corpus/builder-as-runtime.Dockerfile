FROM golang:1.23-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /usr/local/bin/app .

# "Multi-stage", but the final stage is the whole builder.
FROM build AS runtime
USER nobody
ENTRYPOINT ["/usr/local/bin/app"]
