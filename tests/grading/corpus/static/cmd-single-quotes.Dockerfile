FROM node:24-trixie-slim
USER node
CMD ['node', 'server.js']
