FROM rust:1.82 AS build
WORKDIR /app
COPY . .
RUN cargo build --release

FROM scratch
COPY --from=build /app/target/release/srv /srv
RUN ["chown", "10001", "/srv"]
USER 10001
ENTRYPOINT ["/srv"]
