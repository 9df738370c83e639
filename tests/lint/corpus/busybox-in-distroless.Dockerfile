FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
# A static busybox for the health-check script; from here on the stage has a shell.
COPY --from=busybox:1.36.1-musl /bin/busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /tmp/cache
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
