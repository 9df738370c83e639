"""The site's extra CA certificates, which stand-ins trust so HTTPS works inside builds.

Networks that intercept TLS (corporate proxies, this course's own machines) sign
traffic with a CA the images do not know; `npm ci` and `pip install` then fail with
"self-signed certificate in certificate chain". The host usually trusts that CA
already: Debian keeps such certificates in /usr/local/share/ca-certificates/.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import StagelabError

HOST_CA_FOLDER = Path("/usr/local/share/ca-certificates")


@dataclass(frozen=True)
class SiteCertificate:
    """One extra CA certificate (PEM) and the file name it keeps in the images."""

    name: str
    pem: bytes


def _read(path: Path) -> SiteCertificate:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StagelabError(
            f"Cannot read the CA certificate {path}: {error.strerror}. Give a readable PEM file."
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise StagelabError(
            f"{path} is not a PEM certificate (no BEGIN CERTIFICATE line). Give the CA's .crt/.pem file."
        )
    name = path.name if path.name.endswith(".crt") else path.stem + ".crt"
    return SiteCertificate(name=name, pem=data if data.endswith(b"\n") else data + b"\n")


def find(
    extra: Iterable[str | os.PathLike[str]] = (), host_folder: Path = HOST_CA_FOLDER
) -> tuple[SiteCertificate, ...]:
    """The host's extra CAs (``*.crt`` in ``host_folder``) plus any files given, without duplicates."""
    found: dict[bytes, SiteCertificate] = {}
    paths = sorted(host_folder.glob("*.crt")) if host_folder.is_dir() else []
    for path in [*paths, *(Path(p) for p in extra)]:
        certificate = _read(path)
        found.setdefault(hashlib.sha256(certificate.pem).digest(), certificate)
    return tuple(found.values())


def fingerprint(certificates: Iterable[SiteCertificate]) -> str:
    """A short digest of a set of certificates (empty string when there are none)."""
    digest = hashlib.sha256()
    count = 0
    for certificate in sorted(certificates, key=lambda c: c.name):
        digest.update(certificate.name.encode() + b"\0" + certificate.pem)
        count += 1
    return digest.hexdigest()[:12] if count else ""


def bundle(certificates: Iterable[SiteCertificate]) -> bytes:
    """All certificates in one PEM file (for NODE_EXTRA_CA_CERTS)."""
    return b"".join(certificate.pem for certificate in certificates)
