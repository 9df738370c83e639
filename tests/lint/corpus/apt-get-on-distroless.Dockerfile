FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --target /deps -r requirements.txt

FROM gcr.io/distroless/python3-debian12:nonroot
RUN apt-get update && apt-get install -y --no-install-recommends libpq5
COPY --from=build /deps /deps
COPY . /app
ENV PYTHONPATH=/deps
CMD ["/app/main.py"]
