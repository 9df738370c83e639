FROM rust:1.82-bookworm AS build
WORKDIR /usr/src/app
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo "fn main() {}" > src/main.rs && cargo fetch
COPY src ./src
RUN cargo build --release --locked

FROM gcr.io/distroless/cc-debian12:nonroot@sha256:b9452f5cd004c1610d4056be70343a8a7ea3c9c1c1c5b0fd5b4a2ee5b5a1c0e1
COPY --from=build /usr/src/app/target/release/server /server
ENTRYPOINT ["/server"]
