FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Every dependency, the dev ones (TypeScript, test tools) too.
RUN npm ci

FROM deps AS build
COPY . .
RUN npm run build

FROM deps AS runtime
COPY --from=build /app/dist ./dist
USER node
CMD ["node", "dist/main.js"]
