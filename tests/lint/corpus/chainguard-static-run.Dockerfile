FROM cgr.dev/chainguard/go:latest-dev@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/server .

FROM cgr.dev/chainguard/static:latest@sha256:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809
COPY --from=build /out/server /server
RUN ["mkdir", "/data"]
ENTRYPOINT ["/server"]
