FROM node:24-trixie AS build
WORKDIR /app
COPY . .
RUN npm ci
FROM node:24-trixie-slim
WORKDIR /app
COPY . .
USER node
CMD ["node", "server.js"]
