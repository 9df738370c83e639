FROM python:3.11-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --target /deps -r requirements.txt
COPY . .

FROM gcr.io/distroless/python3-debian12:nonroot
COPY --from=build /deps /deps
COPY --from=build /app /app
ENV PYTHONPATH=/deps
WORKDIR /app
CMD ["python", "main.py"]
