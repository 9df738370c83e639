FROM node:20.18-alpine AS build
WORKDIR /app
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
COPY . .
RUN yarn build

# nginx-unprivileged runs as the user nginx (101) and listens on 8080: no USER needed.
FROM nginxinc/nginx-unprivileged:1.27-bookworm
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist /usr/share/nginx/html
EXPOSE 8080
