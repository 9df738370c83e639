# busybox: one static binary with a link per applet in /bin, plus the few /etc files
# the upstream image has. Made from Debian's busybox-static package.

FROM debian:trixie-slim AS unpack
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    cd /tmp && apt-get update -qq && apt-get download busybox-static \
    && dpkg-deb -x busybox-static_*.deb /tmp/unpacked \
    && mkdir -p /rootfs/bin /rootfs/etc /rootfs/tmp /rootfs/root /rootfs/home /rootfs/var/www \
    && cp /tmp/unpacked/usr/bin/busybox /rootfs/bin/busybox \
    && for applet in $(/rootfs/bin/busybox --list); do [ -e /rootfs/bin/$applet ] || ln -s busybox /rootfs/bin/$applet; done \
    && chmod 1777 /rootfs/tmp && chmod 0700 /rootfs/root \
    && printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
        'bin:x:2:2:bin:/bin:/bin/false' 'sys:x:3:3:sys:/dev:/bin/false' 'sync:x:4:100:sync:/bin:/bin/sync' \
        'mail:x:8:8:mail:/var/spool/mail:/bin/false' 'www-data:x:33:33:www-data:/var/www:/bin/false' \
        'operator:x:37:37:Operator:/var:/bin/false' 'nobody:x:65534:65534:nobody:/home:/bin/false' > /rootfs/etc/passwd \
    && printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'bin:x:2:' 'sys:x:3:' 'adm:x:4:' 'tty:x:5:' 'disk:x:6:' \
        'wheel:x:10:root' 'mail:x:12:' 'www-data:x:33:' 'users:x:100:' 'nogroup:x:65534:' > /rootfs/etc/group

FROM scratch AS busybox
COPY --from=unpack /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
