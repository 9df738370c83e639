FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .

FROM gcr.io/distroless/nodejs22-debian12:nonroot
COPY --from=build /app /app
WORKDIR /app
HEALTHCHECK CMD curl -f http://localhost:3000/health || exit 1
CMD ["server.js"]
