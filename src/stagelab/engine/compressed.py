"""An image's compressed size: what a registry stores and a ``docker pull`` downloads.

``docker images`` shows the *uncompressed* size. Registries store each layer as a
gzip'd tar, and the sizes people quote from Docker Hub are those compressed sizes.
This module gzips each layer of ``docker save`` (level 6, Go's and so Docker's
default) and sums the results, so both measures can be shown side by side.

A layer's compressed size depends only on its content, so it is cached on disk by
the layer's digest: base layers shared by many images are compressed once.
"""

from __future__ import annotations

import json
import os
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..analysis.layers import stream_from_chunks
from .client import client, engine_errors

#: gzip level used by Docker when it pushes a layer (Go's compress/gzip default).
GZIP_LEVEL = 6
_CHUNK = 1 << 20


@dataclass(frozen=True)
class CompressedSize:
    """An image's size both ways: uncompressed (``docker images``) and gzip'd layers (registry, pull)."""

    image: str
    uncompressed_bytes: int
    compressed_bytes: int
    layers_count: int

    @property
    def ratio(self) -> float:
        """compressed / uncompressed (0..1)."""
        return self.compressed_bytes / self.uncompressed_bytes if self.uncompressed_bytes else 0.0


def _cache_dir() -> Path:
    base = Path(os.environ.get("STAGELAB_STATE_DIR", Path.home() / ".cache" / "stagelab"))
    return base / "compressed-layers"


def _cached(key: str) -> int | None:
    try:
        return int((_cache_dir() / key).read_text())
    except (OSError, ValueError):
        return None


def _remember(key: str, size: int) -> None:
    try:
        _cache_dir().mkdir(parents=True, exist_ok=True)
        (_cache_dir() / key).write_text(str(size))
    except OSError:
        pass  # a cache only


def _gzip_size(handle) -> int:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    total = 0
    while chunk := handle.read(_CHUNK):
        total += len(compressor.compress(chunk))
    return total + len(compressor.flush())


def compressed_size(image: str) -> CompressedSize:
    """Measure ``image`` both ways; raises :class:`stagelab.errors.ImageNotFound` if it is not there."""
    sdk = client()
    with engine_errors():
        found = sdk.images.get(image)
        diff_ids = list((found.attrs.get("RootFS") or {}).get("Layers") or [])
        sizes: dict[str, int] = {}
        documents: dict[str, bytes] = {}
        stream = stream_from_chunks(sdk.api.get_image(found.id))
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                archive.members = []
                name = member.name.removeprefix("./")
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                if name.endswith(".json"):
                    documents[name] = handle.read()
                    continue
                # OCI layout names a layer blob by its digest, which is its diff id (uncompressed).
                key = name.rsplit("/", 1)[-1].removesuffix(".tar")
                cached = _cached(key) if len(key) == 64 else None
                if cached is None:
                    cached = _gzip_size(handle)
                    if len(key) == 64:
                        _remember(key, cached)
                sizes[name] = cached
    manifest = json.loads(documents["manifest.json"])[0]
    compressed = sum(sizes.get(layer, 0) for layer in manifest["Layers"])
    return CompressedSize(image, int(found.attrs.get("Size") or 0), compressed, len(diff_ids))
