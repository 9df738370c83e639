FROM node:24-trixie AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
FROM node:24-trixie
COPY --from=build /app /app
USER node
CMD ["node", "/app/server.js"]
