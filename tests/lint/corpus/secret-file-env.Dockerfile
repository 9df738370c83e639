FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package*.json ./
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci --omit=dev
COPY . .

FROM gcr.io/distroless/nodejs22-debian12:nonroot
WORKDIR /app
# Where the secrets are, not what they are: mounted at run time.
ENV DB_PASSWORD_FILE=/run/secrets/db_password \
    API_TOKEN_URL=https://auth.example.org/token \
    SESSION_SECRET=
COPY --from=build /app /app
CMD ["server.js"]
