FROM node:latest
USER node
CMD ["node"]
