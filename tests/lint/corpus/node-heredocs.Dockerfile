# syntax=docker/dockerfile:1.7
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json pnpm-lock.yaml ./
RUN <<EOF
set -eu
corepack enable
pnpm install --frozen-lockfile
EOF
COPY . .
RUN pnpm build && pnpm prune --prod
# A heredoc fed to a command is data, not a script.
RUN <<EOF cat > /app/dist/build-info.json
{"builder": "docker", "node": "22"}
EOF
COPY <<EOF /app/dist/.npmrc
fund=false
EOF

FROM gcr.io/distroless/nodejs22-debian12:nonroot
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
CMD ["dist/index.js"]
