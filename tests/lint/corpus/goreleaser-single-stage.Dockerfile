# The binary is built outside (goreleaser builds it, then `docker build` copies it in).
FROM alpine:3.20
RUN apk add --no-cache ca-certificates tzdata \
 && adduser -D -H -u 10001 app
COPY mytool /usr/bin/mytool
USER 10001
ENTRYPOINT ["/usr/bin/mytool"]
