FROM node:22-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM prod-deps AS build
RUN npm ci
COPY . .
RUN npm run build

FROM prod-deps AS runtime
COPY --from=build /app/dist ./dist
USER node
CMD ["node", "dist/main.js"]
