FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --target /deps -r requirements.txt
COPY . .

FROM gcr.io/distroless/python3-debian12:nonroot
ENV POSTGRES_USER=app \
    POSTGRES_PASSWORD=s3cr3t-dev-password \
    DJANGO_SECRET_KEY="django-insecure-9x!2kq"
COPY --from=build /deps /deps
COPY --from=build /app /app
ENV PYTHONPATH=/deps
CMD ["/app/manage.py", "runserver", "0.0.0.0:8000"]
