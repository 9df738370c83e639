FROM rust:1.82-slim-bookworm AS chef
WORKDIR /app
RUN cargo install cargo-chef --locked

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN cargo build --release --bin web

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /app/target/release/web /usr/local/bin/web
ENTRYPOINT ["/usr/local/bin/web"]
