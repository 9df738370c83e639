FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt

FROM gcr.io/distroless/python3-debian12:debug-nonroot
COPY --from=build /wheels /wheels
COPY app /app
# exec replaces the shell: the app is PID 1 and gets SIGTERM.
ENTRYPOINT ["/busybox/sh", "-c", "exec python3 /app/main.py \"$@\"", "--"]
