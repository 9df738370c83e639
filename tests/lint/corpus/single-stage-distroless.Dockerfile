FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.source="https://example.org/acme/exporter"
COPY --chown=nonroot:nonroot exporter /exporter
EXPOSE 9100
ENTRYPOINT ["/exporter"]
