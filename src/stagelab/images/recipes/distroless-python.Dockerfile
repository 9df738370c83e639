# Distroless Python: the cc image plus Debian's python3.13 and the libraries it
# loads, unpacked without maintainer scripts. Python lives at /usr/bin/python3.13,
# so a venv copied in must come from a builder with Debian's Python at that path
# (debian:trixie-slim + python3-venv), not from the python: image (/usr/local).
ARG VARIANT=latest

FROM debian:trixie-slim AS packages
ARG PACKAGES
COPY recipes/distroless-assemble.sh /usr/local/bin/distroless-assemble
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    apt-get update -qq && sh /usr/local/bin/distroless-assemble /rootfs $PACKAGES \
    && ln -s python3.13 /rootfs/usr/bin/python3

FROM gcr.io/distroless/cc-debian13:${VARIANT} AS python3
COPY --from=packages /rootfs/ /
ENV LANG=C.UTF-8
ENTRYPOINT ["/usr/bin/python3.13"]
