FROM node:24-trixie-slim
WORKDIR /app
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["node", "server.js"]
