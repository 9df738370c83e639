FROM cgr.dev/chainguard/python:latest-dev@sha256:5b5c2a1e3e8dbd1c7a9b6f1c0f5a0e2a9f4c7b3d2e1f0a9b8c7d6e5f4a3b2c1d0 AS builder
WORKDIR /app
RUN python -m venv /app/venv
ENV PATH="/app/venv/bin:$PATH"
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM cgr.dev/chainguard/python:latest@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
WORKDIR /app
COPY --from=builder /app/venv /app/venv
COPY app.py .
ENV PATH="/app/venv/bin:$PATH"
ENTRYPOINT ["python", "app.py"]
