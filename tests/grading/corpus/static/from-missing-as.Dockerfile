FROM node:24-trixie builder
CMD ["node"]
