"""Site CA certificates go into the Debian root filesystem only when the site has some."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from stagelab.errors import StagelabError
from stagelab.images import rootfs, site_certs

PEM = b"-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"


def _minbase(path: Path) -> Path:
    """A tiny stand-in for mmdebstrap's output: a few directories, a doc file, a device node."""
    with tarfile.open(path, "w") as archive:
        for name in ("./", "./etc/", "./usr/", "./usr/share/", "./usr/share/doc/", "./usr/share/doc/bash/", "./dev/"):
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
        for name in ("./usr/share/doc/bash/README", "./usr/share/doc/bash/copyright", "./etc/apt/sources.list"):
            info = tarfile.TarInfo(name)
            info.size = 3
            archive.addfile(info, io.BytesIO(b"abc"))
        node = tarfile.TarInfo("./dev/null")
        node.type = tarfile.CHRTYPE
        archive.addfile(node)
    return path


def _names(path: Path) -> set[str]:
    with tarfile.open(path) as archive:
        return {member.name.removeprefix("./").rstrip("/") for member in archive}


def test_without_site_cas_the_rootfs_gets_no_certificate_files(tmp_path: Path):
    written = rootfs.write_image_tar(_minbase(tmp_path / "m.tar"), tmp_path / "out.tar", suite="trixie", slim=False)
    names = _names(written)
    assert rootfs.SITE_CA_BUNDLE not in names
    assert not any(name.startswith("usr/local/share/ca-certificates/") for name in names)


def test_site_cas_are_added_one_file_each_plus_one_bundle(tmp_path: Path):
    certificates = (site_certs.SiteCertificate("proxy.crt", PEM), site_certs.SiteCertificate("other.crt", PEM))
    written = rootfs.write_image_tar(
        _minbase(tmp_path / "m.tar"), tmp_path / "out.tar", suite="trixie", slim=False, certificates=certificates
    )
    with tarfile.open(written) as archive:
        bundle = archive.extractfile(rootfs.SITE_CA_BUNDLE).read()
        names = {name.removeprefix("./") for name in archive.getnames()}
    assert {"usr/local/share/ca-certificates/proxy.crt", "usr/local/share/ca-certificates/other.crt"} <= names
    assert bundle == PEM + PEM


def test_slim_rootfs_keeps_copyright_drops_other_docs_and_device_nodes(tmp_path: Path):
    written = rootfs.write_image_tar(_minbase(tmp_path / "m.tar"), tmp_path / "out.tar", suite="trixie", slim=True)
    names = _names(written)
    assert "usr/share/doc/bash/copyright" in names and "usr/share/doc/bash/README" not in names
    assert "dev/null" not in names
    assert "etc/dpkg/dpkg.cfg.d/docker" in names and "etc/apt/sources.list.d/debian.sources" in names


def test_find_reads_the_host_folder_and_extra_files_without_duplicates(tmp_path: Path):
    folder = tmp_path / "host"
    folder.mkdir()
    (folder / "proxy.crt").write_bytes(PEM)
    extra = tmp_path / "same.pem"
    extra.write_bytes(PEM)
    found = site_certs.find([extra], host_folder=folder)
    assert [certificate.name for certificate in found] == ["proxy.crt"]


def test_a_file_that_is_not_a_certificate_is_refused(tmp_path: Path):
    bad = tmp_path / "notes.crt"
    bad.write_text("hello")
    with pytest.raises(StagelabError, match="not a PEM certificate"):
        site_certs.find([bad], host_folder=tmp_path / "none")
