FRM node:24-trixie-slim
CMD ["node"]
