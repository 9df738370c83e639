# python:3.13-trixie and python:3.13-slim-trixie stand-ins. Upstream compiles Python
# into /usr/local; this stand-in installs Debian's python3.13 (with pip and venv) and
# links it into /usr/local/bin, so `python`, `python3` and `pip` work as in upstream.
# Build arg BASE: debian:trixie-slim (slim) or buildpack-deps:trixie (full).
ARG BASE=debian:trixie-slim

FROM ${BASE} AS python
RUN --mount=type=cache,target=/var/cache/apt,id=stagelab-apt-cache-trixie,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,id=stagelab-apt-lists-trixie,sharing=locked \
    --mount=type=bind,source=recipes/apt-keep-downloads.conf,target=/etc/apt/apt.conf.d/docker-clean \
    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        ca-certificates python3.13 python3-pip python3-venv \
    # Upstream's pip installs into the image's Python; Debian's marker would refuse that.
    && rm -f /usr/lib/python3.13/EXTERNALLY-MANAGED \
    && for name in python python3 python3.13; do ln -s /usr/bin/python3.13 /usr/local/bin/$name; done \
    && for name in pip pip3 pip3.13; do ln -s /usr/bin/pip3 /usr/local/bin/$name; done \
    && python3 --version
ENV LANG=C.UTF-8 PYTHON_VERSION=3.13
CMD ["python3"]

# With site CAs: pip (which carries its own CA list) and Python's ssl use the system bundle.
FROM python AS python-site-ca
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
