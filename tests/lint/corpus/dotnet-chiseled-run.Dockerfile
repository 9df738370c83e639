FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
WORKDIR /source
COPY . .
RUN dotnet publish -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled
COPY --from=build /app /app
RUN mkdir -p /app/logs
USER $APP_UID
ENTRYPOINT ["/app/Worker"]
