FROM node:24-trixie-slim
WORKDIR /app
COPY . .
RUN npm ci && \
