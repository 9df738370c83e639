# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /build
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    # the lock file decides every version
    --mount=from=ghcr.io/astral-sh/uv:0.4.20,source=/uv,target=/bin/uv \
    # no project yet: only the dependencies
    uv sync --frozen --no-install-project --no-dev
COPY src ./src
RUN --mount=from=ghcr.io/astral-sh/uv:0.4.20,source=/uv,target=/bin/uv \
    uv sync --frozen --no-dev --no-editable

FROM gcr.io/distroless/python3-debian12:nonroot
COPY --from=build /build/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH
ENTRYPOINT ["/app/.venv/bin/python", "-m", "service"]
