# syntax=docker/dockerfile:1.7
FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --target /deps -r requirements.txt
COPY . .
# Two heredocs in one RUN, and an indented one: BuildKit reads both, hadolint does not.
RUN <<ONE <<TWO
python -m compileall -q /app
ONE
echo compiled
TWO
RUN <<-EOT
	echo "tab-indented heredoc"
	EOT

FROM gcr.io/distroless/python3-debian12:nonroot
COPY --from=build /deps /deps
COPY --from=build /app /app
ENV PYTHONPATH=/deps
WORKDIR /app
CMD ["main.py"]
