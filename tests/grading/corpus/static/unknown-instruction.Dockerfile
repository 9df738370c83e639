FROM node:24-trixie-slim
WORKDIR /app
COPPY package.json ./
CMD ["node", "server.js"]
