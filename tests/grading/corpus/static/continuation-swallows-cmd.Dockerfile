FROM node:24-trixie-slim
WORKDIR /app
COPY . .
RUN npm ci && \
    npm run build \
# start the server
CMD ["node", "server.js"]
