FROM node:24-trixie AS build
WORKDIR /app
COPY . .
FROM node:24-trixie-slim
COPY --from=build /app /app
USER root
CMD ["node", "/app/server.js"]
