FROM debian:trixie-slim
RUN apt-get update && \
    apt-get install -y curl && \   # curl for the health check
    rm -rf /var/lib/apt/lists/*
CMD ["curl", "--version"]
