# Distroless-style static, base and cc images, assembled as upstream assembles them:
# Debian packages unpacked without maintainer scripts (`dpkg-deb -x`), one
# status.d record per package, a generated CA bundle, fixed passwd/group files,
# and no shell, no package manager. The final image starts FROM scratch and gets
# only the assembled tree: a multi-stage build doing what the course teaches.
#
# Targets: root (tag latest), nonroot, debug, debug-nonroot. Build arg PACKAGES
# names the Debian packages of the flavour (static, base or cc).

FROM debian:trixie-slim AS assemble
ARG PACKAGES
COPY recipes/distroless-assemble.sh /usr/local/bin/distroless-assemble
# ca-certificates in the builder makes the bundle; update-ca-certificates adds the
# site's extra CAs, which the debian stand-in keeps in /usr/local/share/ca-certificates.
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null \
    && sh /usr/local/bin/distroless-assemble /rootfs $PACKAGES
COPY recipes/distroless-etc/ /rootfs/etc/
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/share/doc/ca-certificates \
    && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ca-certificates.crt \
    && cp /usr/share/doc/ca-certificates/copyright /rootfs/usr/share/doc/ca-certificates/copyright \
    && install -d -m 0700 /rootfs/root \
    && install -d -m 0700 -o 65532 -g 65532 /rootfs/home/nonroot \
    && install -d -m 1777 /rootfs/tmp \
    && chmod 0644 /rootfs/etc/passwd /rootfs/etc/group /rootfs/etc/nsswitch.conf

FROM debian:trixie-slim AS busybox
# The :debug tags add a static busybox at /busybox with a link per applet.
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    cd /tmp && apt-get update -qq && apt-get download busybox-static \
    && dpkg-deb -x busybox-static_*.deb /tmp/unpacked \
    && mkdir -p /busybox && cp /tmp/unpacked/usr/bin/busybox /busybox/busybox \
    && for applet in $(/busybox/busybox --list); do [ -e /busybox/$applet ] || ln -s busybox /busybox/$applet; done

FROM scratch AS root
COPY --from=assemble /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 0
WORKDIR /

FROM root AS nonroot
USER 65532
WORKDIR /home/nonroot

FROM root AS debug
COPY --from=busybox /busybox/ /busybox/
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox
ENTRYPOINT ["/busybox/sh"]

FROM debug AS debug-nonroot
USER 65532
WORKDIR /home/nonroot
