FROM node:24-trixie
RUN
CMD ["node"]
