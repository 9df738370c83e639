FROM debian
USER nobody
CMD ["true"]
