"""Debian root filesystems for the ``debian:*`` stand-ins: mmdebstrap, then a tar to ``docker import``.

The minbase tarball from mmdebstrap is cached (it is the slow, networked part); the
tar that is imported is written from it in a few seconds, with the tweaks the
official Debian images carry (apt settings, deb822 sources, -slim exclusions) and
the site's extra CA certificates.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterable
from pathlib import Path

from ..errors import StagelabError
from .site_certs import SiteCertificate, bundle

DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"

#: Files the official images add (debuerreotype's docker tweaks), by path in the image.
_DOCKER_TWEAKS = {
    "etc/apt/apt.conf.d/docker-clean": (
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
    ),
    "etc/apt/apt.conf.d/docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
    "etc/apt/apt.conf.d/docker-no-languages": 'Acquire::Languages "none";\n',
    "etc/apt/apt.conf.d/docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "etc/dpkg/dpkg.cfg.d/docker-apt-speedup": "force-unsafe-io\n",
}
#: -slim images also tell dpkg to leave these out of every later install.
_SLIM_DPKG_EXCLUDES = (
    "path-exclude /usr/share/doc/*\n"
    "path-include /usr/share/doc/*/copyright\n"
    "path-exclude /usr/share/groff/*\n"
    "path-exclude /usr/share/info/*\n"
    "path-exclude /usr/share/linda/*\n"
    "path-exclude /usr/share/lintian/overrides/*\n"
    "path-exclude /usr/share/locale/*\n"
    "path-exclude /usr/share/man/*\n"
)
_SLIM_DROPPED = re.compile(r"^usr/share/(doc/(?!.*/copyright$)|groff/|info/|linda/|lintian/overrides/|locale/|man/)")
_REPLACED = {"etc/apt/sources.list", "etc/resolv.conf", "etc/hostname"}
SITE_CA_BUNDLE = "etc/ssl/site-cas.pem"


def host_mirrors(sources_dir: Path = Path("/etc/apt")) -> tuple[str, str]:
    """The Debian archive and security mirrors the host's apt uses (defaults: deb.debian.org)."""
    texts = []
    for path in [sources_dir / "sources.list", *sorted((sources_dir / "sources.list.d").glob("*"))]:
        try:
            texts.append(path.read_text())
        except OSError:
            continue
    uris = re.findall(r"(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", "\n".join(texts))
    main = next((u for u in uris if u.rstrip("/").endswith("/debian")), DEFAULT_MIRROR)
    security = next((u for u in uris if u.rstrip("/").endswith("/debian-security")), DEFAULT_SECURITY_MIRROR)
    return main.rstrip("/"), security.rstrip("/")


def _sources(suite: str, main: str, security: str) -> str:
    return (
        f"Types: deb\nURIs: {main}\nSuites: {suite} {suite}-updates\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        f"Types: deb\nURIs: {security}\nSuites: {suite}-security\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    )


def ensure_minbase(suite: str, cache_dir: Path, *, refresh: bool = False) -> Path:
    """The cached ``mmdebstrap --variant=minbase`` tarball for a suite, made when missing.

    Written to a ``.partial`` file first, so an interrupted run never leaves a
    truncated tarball that a later run would trust.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / f"{suite}-minbase.tar"
    if final.exists() and not refresh:
        return final
    if shutil.which("mmdebstrap") is None:
        raise StagelabError(
            "mmdebstrap is not installed; it makes the Debian root filesystems for the stand-ins. "
            "Install it (`apt-get install mmdebstrap`), or import a workshop kit with `stagelab images import`."
        )
    main, security = host_mirrors()
    partial = final.with_suffix(".tar.partial")
    command = [
        "mmdebstrap",
        "--variant=minbase",
        "--format=tar",
        "--quiet",
        suite,
        str(partial),
        f"deb {main} {suite} main",
        f"deb {main} {suite}-updates main",
        f"deb {security} {suite}-security main",
    ]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        partial.unlink(missing_ok=True)
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-8:])
        raise StagelabError(
            f"mmdebstrap could not make a Debian {suite} root filesystem from {main}:\n{tail}\n"
            "Check that the Debian mirror is reachable (the network, or the mirror in /etc/apt/sources.list.d/)."
        )
    os.replace(partial, final)
    return final


def _file(name: str, data: bytes, mode: int = 0o644) -> tuple[tarfile.TarInfo, io.BytesIO]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(time.time())
    return info, io.BytesIO(data)


def write_image_tar(
    minbase: Path, destination: Path, *, suite: str, slim: bool, certificates: Iterable[SiteCertificate] = ()
) -> Path:
    """Write the tar to import: minbase + official-image tweaks (+ -slim exclusions) + site CAs."""
    main, security = host_mirrors()
    certificates = tuple(certificates)
    added: dict[str, bytes] = {name: text.encode() for name, text in _DOCKER_TWEAKS.items()}
    added["etc/apt/sources.list.d/debian.sources"] = _sources(suite, main, security).encode()
    if slim:
        added["etc/dpkg/dpkg.cfg.d/docker"] = _SLIM_DPKG_EXCLUDES.encode()
    for certificate in certificates:
        added[f"usr/local/share/ca-certificates/{certificate.name}"] = certificate.pem
    if certificates:
        added[SITE_CA_BUNDLE] = bundle(certificates)
    directories_needed = {str(Path(name).parent) for name in added}
    partial = destination.with_suffix(".partial")
    with tarfile.open(minbase) as source, tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as target:
        seen_dirs: set[str] = set()
        for member in source:
            name = member.name[2:] if member.name.startswith("./") else member.name
            name = name.rstrip("/")
            # /dev is the engine's business; mmdebstrap leaves device nodes there.
            if name.startswith("dev/") or name in _REPLACED or name in added:
                continue
            if slim and not member.isdir() and _SLIM_DROPPED.match(name):
                continue
            if member.isdir():
                seen_dirs.add(name)
            handle = source.extractfile(member) if member.isfile() else None
            target.addfile(member, handle)
        for directory in sorted(directories_needed):
            parts = directory.split("/")
            for depth in range(1, len(parts) + 1):
                path = "/".join(parts[:depth])
                if path not in seen_dirs:
                    info = tarfile.TarInfo(path)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    target.addfile(info)
                    seen_dirs.add(path)
        for name, data in sorted(added.items()):
            info, handle = _file(name, data)
            target.addfile(info, handle)
    os.replace(partial, destination)
    return destination
