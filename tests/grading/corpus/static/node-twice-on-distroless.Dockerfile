FROM node:24-trixie AS build
WORKDIR /app
COPY . .
FROM gcr.io/distroless/nodejs24-debian13:nonroot
COPY --from=build /app /app
CMD ["node", "/app/server.js"]
