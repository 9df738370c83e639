FROM rust:1.82-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /app
COPY . .
RUN cargo build --release

FROM alpine:3.20
RUN apk update && apk add ca-certificates curl
COPY --from=build /app/target/release/bot /usr/local/bin/bot
USER 10001
ENTRYPOINT ["/usr/local/bin/bot"]
