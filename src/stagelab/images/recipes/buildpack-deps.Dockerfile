# buildpack-deps, as the official images use it as their base: Debian plus, in three
# layers, download tools (curl), version control (scm), then compilers and the -dev
# libraries most native modules need (full). These layers are why node:24-trixie
# weighs about a gigabyte while node:24-trixie-slim is about 220 MB.
# Targets: curl, scm, full.

FROM debian:trixie AS curl
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        ca-certificates curl gnupg netbase sq wget

FROM curl AS scm
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        git mercurial openssh-client subversion procps

FROM scm AS full
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc imagemagick \
        libbz2-dev libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev \
        libglib2.0-dev libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev \
        libmagickwand-dev libmaxminddb-dev libncurses-dev libpng-dev libpq-dev libreadline-dev \
        libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev libyaml-dev make \
        patch unzip xz-utils zlib1g-dev
