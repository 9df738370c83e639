FROM debian:trixie-slim AS first
COPY --from=second /out /out
FROM golang:1.27 AS second
RUN mkdir /out
