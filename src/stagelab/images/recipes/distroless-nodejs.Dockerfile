# Distroless Node.js: the cc image plus one file, /nodejs/bin/node. No npm, npx or
# corepack, and /nodejs/bin is not on PATH: the entrypoint is node itself, so a
# CMD names the script (CMD ["server.js"]). Build arg VARIANT picks the cc tag.
ARG VARIANT=latest
ARG NODE_VERSION=24.19.0

FROM gcr.io/distroless/cc-debian13:${VARIANT} AS nodejs
ARG NODE_VERSION
COPY toolchains/node-${NODE_VERSION}/bin/node /nodejs/bin/node
COPY toolchains/node-${NODE_VERSION}/LICENSE /nodejs/LICENSE
ENTRYPOINT ["/nodejs/bin/node"]

# With site CAs, Node (which carries its own CA list) also trusts the system bundle.
FROM nodejs AS nodejs-site-ca
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
