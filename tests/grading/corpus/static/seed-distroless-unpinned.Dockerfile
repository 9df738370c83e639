# Stage 1: Build
FROM node:18 AS builder

WORKDIR /app
COPY . .
RUN npm install && npm run build

# Stage 2: Production using distroless
FROM gcr.io/distroless/nodejs18

WORKDIR /app
COPY --from=builder /app .

CMD ["index.js"]
