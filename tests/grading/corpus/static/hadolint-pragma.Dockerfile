# hadolint ignore=DL3007
FROM node:latest
USER node
CMD ["node"]
