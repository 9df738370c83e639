"""The engine's image store: is an image there, what is it, tag, import, save, load, pull, remove.

Everything :mod:`stagelab.images` needs from the engine goes through here, so the
images package never talks to Docker itself. Files are read out of an image without
running it (``docker create`` + the archive API), which also works on shell-less
distroless images.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import docker.errors

from .. import labels as stagelab_labels
from ..errors import ImageNotFound, StagelabError
from . import containers
from .client import client, docker_binary, engine_errors
from .containers import Container
from .image_config import ImageConfig, image_config


@dataclass(frozen=True)
class ImageFacts:
    """What the engine says about one image: identity, size and how its containers start."""

    reference: str
    id: str
    size_bytes: int
    tags: tuple[str, ...]
    config: ImageConfig = field(default_factory=ImageConfig)
    layers: int = 0
    created: str = ""

    @property
    def labels(self) -> dict[str, str]:
        """The image's labels (``config.labels``)."""
        return self.config.labels


def _facts(reference: str, attrs: dict) -> ImageFacts:
    return ImageFacts(
        reference=reference,
        id=attrs.get("Id", ""),
        size_bytes=int(attrs.get("Size") or 0),
        tags=tuple(attrs.get("RepoTags") or ()),
        config=image_config(attrs.get("Config") or {}),
        layers=len((attrs.get("RootFS") or {}).get("Layers") or ()),
        created=attrs.get("Created", ""),
    )


def inspect(reference: str) -> ImageFacts | None:
    """Facts about an image in the engine, or None when it is not there."""
    sdk = client()
    with engine_errors():
        try:
            attrs = sdk.api.inspect_image(reference)
        except docker.errors.ImageNotFound:
            return None
        except docker.errors.NotFound:
            return None
    return _facts(reference, attrs)


def require(reference: str) -> ImageFacts:
    """Like :func:`inspect`, but raises :class:`ImageNotFound` with what to do."""
    facts = inspect(reference)
    if facts is None:
        raise ImageNotFound(
            f"Image {reference} is not in the engine. Run `stagelab images prepare` to make the course's base images."
        )
    return facts


def exists(reference: str) -> bool:
    """True when the engine has an image under this reference."""
    return inspect(reference) is not None


def _split(reference: str) -> tuple[str, str]:
    # The tag is after the last colon that comes after the last slash (a registry may have a port).
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        return reference[:colon], reference[colon + 1 :]
    return reference, "latest"


def tag(image: str, reference: str) -> None:
    """Give an image (id or reference) another reference."""
    repository, tag_name = _split(reference)
    sdk = client()
    with engine_errors():
        sdk.api.tag(image, repository, tag_name, force=True)


def untag(reference: str) -> None:
    """Remove one reference; the image's layers go too when nothing else refers to them."""
    sdk = client()
    with engine_errors():
        try:
            sdk.api.remove_image(reference, force=False, noprune=False)
        except docker.errors.ImageNotFound:
            pass
        except docker.errors.APIError as error:
            # Another reference or a stopped container still uses it: drop only the name.
            if "conflict" not in str(error).lower():
                raise
            sdk.api.remove_image(reference, force=True, noprune=True)


def _dockerfile_word(text: str) -> str:
    return json.dumps(text)


def import_tarball(
    path: str | os.PathLike[str],
    reference: str,
    *,
    env: dict[str, str] | None = None,
    cmd: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> ImageFacts:
    """``docker import`` a root filesystem tarball as a one-layer image with this config."""
    changes: list[str] = []
    for key, value in (env or {}).items():
        changes.append(f"ENV {key}={_dockerfile_word(value)}")
    if cmd is not None:
        changes.append(f"CMD {json.dumps(cmd)}")
    for key, value in (labels or {}).items():
        changes.append(f"LABEL {_dockerfile_word(key)}={_dockerfile_word(value)}")
    repository, tag_name = _split(reference)
    sdk = client()
    with engine_errors():
        sdk.api.import_image_from_file(str(path), repository=repository, tag=tag_name, changes=changes)
    return require(reference)


def try_pull(reference: str, timeout_s: float = 60) -> bool:
    """Pull from a registry; False (quickly, on these machines) when no registry answers."""
    try:
        out = subprocess.run(
            [docker_binary(), "pull", "--quiet", reference], capture_output=True, text=True, timeout=timeout_s
        )
    except (subprocess.TimeoutExpired, OSError):
        return False
    return out.returncode == 0


def list_images(label: str | None = None) -> list[ImageFacts]:
    """Every tagged image (optionally only those carrying a label key or ``key=value``)."""
    sdk = client()
    with engine_errors():
        found = sdk.api.images(filters={"label": [label]} if label else None)
    images: list[ImageFacts] = []
    for summary in found:
        tags = [t for t in summary.get("RepoTags") or () if t != "<none>:<none>"]
        if not tags:
            continue
        images.append(
            ImageFacts(
                reference=tags[0],
                id=summary.get("Id", ""),
                size_bytes=int(summary.get("Size") or 0),
                tags=tuple(tags),
                config=ImageConfig(labels=dict(summary.get("Labels") or {})),
            )
        )
    return images


def save(references: Iterable[str], destination: str | os.PathLike[str]) -> None:
    """``docker save`` several references into one tar file (shared layers stored once)."""
    refs = list(references)
    if not refs:
        raise StagelabError("Nothing to save: none of the requested images is in the engine.")
    out = subprocess.run([docker_binary(), "save", "-o", str(destination), *refs], capture_output=True, text=True)
    if out.returncode != 0:
        raise StagelabError(f"Saving the images failed: {out.stderr.strip() or out.stdout.strip()}")


def load(source: str | os.PathLike[str]) -> list[str]:
    """``docker load`` a tar file; returns the references it loaded."""
    out = subprocess.run([docker_binary(), "load", "-i", str(source)], capture_output=True, text=True)
    if out.returncode != 0:
        raise StagelabError(f"Loading the images failed: {out.stderr.strip() or out.stdout.strip()}")
    loaded = []
    for line in out.stdout.splitlines():
        if line.startswith("Loaded image:"):
            loaded.append(line.split(":", 1)[1].strip())
        elif line.startswith("Loaded image ID:"):
            loaded.append(line.split(":", 1)[1].strip())
    return loaded


def read_files(reference: str, paths: Iterable[str]) -> dict[str, bytes | None]:
    """Read regular files out of an image without running it (None for a path that is absent).

    A container is created (never started) and removed again; the archive API
    follows the image's own filesystem, so this works on images without a shell.
    """
    return {path: entry.data if entry else None for path, entry in stat_paths(reference, paths).items()}


@dataclass(frozen=True)
class PathEntry:
    """One path inside an image as its archive shows it."""

    path: str
    kind: str  # "file", "dir", "symlink", "other"
    mode: int
    uid: int
    gid: int
    size: int
    link_target: str = ""
    data: bytes | None = None


def _entry(path: str, member: tarfile.TarInfo, archive: tarfile.TarFile) -> PathEntry:
    if member.isdir():
        kind = "dir"
    elif member.issym():
        kind = "symlink"
    elif member.isfile():
        kind = "file"
    else:
        kind = "other"
    data = None
    if member.isfile():
        handle = archive.extractfile(member)
        data = handle.read() if handle else None
    return PathEntry(path, kind, member.mode, member.uid, member.gid, member.size, member.linkname, data)


@contextlib.contextmanager
def _created_container(
    reference: str,
    *,
    command: list[str] | None = ["/nonexistent"],  # noqa: B006 (never mutated)
    entrypoint: list[str] | None = [],  # noqa: B006 (never mutated)
    kind: str = "read-files",
    run_prefix: str = "read",
) -> Iterator[Container]:
    """A labelled container of ``reference`` (created, not started unless the caller starts it), always removed.

    The defaults make a container that is never run (``entrypoint=None`` keeps the image's
    own): its file system is read through the archive API, which also works on images
    without a shell. These containers run the course's own images, not a learner's, so they
    get the engine's defaults rather than the probes' hardening.
    """
    with engine_errors():
        with containers.container(
            reference,
            run_id=stagelab_labels.new_run_id(run_prefix),
            kind=kind,
            command=command,
            entrypoint=entrypoint,
            hardened=False,
            network_mode=None,
        ) as created:
            yield created


def stat_paths(reference: str, paths: Iterable[str]) -> dict[str, PathEntry | None]:
    """Kind, mode, owner (and content for files) of paths in an image; None where absent.

    Symlinks are reported as links, not followed; a directory's entry is the directory itself.
    """
    result: dict[str, PathEntry | None] = {}
    with _created_container(reference) as created:
        for path in paths:
            try:
                stream, _ = created.get_archive(path)
            except docker.errors.NotFound:
                result[path] = None
                continue
            buffer = io.BytesIO()
            # A directory arrives with its whole subtree; only its own entry is wanted.
            for chunk in stream:
                buffer.write(chunk)
            buffer.seek(0)
            with tarfile.open(fileobj=buffer) as archive:
                first = archive.next()
                result[path] = _entry(path, first, archive) if first else None
    return result


def list_dir(reference: str, path: str) -> list[str]:
    """Names directly inside a directory of an image (without running it)."""
    names: set[str] = set()
    with _created_container(reference) as created:
        try:
            stream, _ = created.get_archive(path.rstrip("/") + "/.")
        except docker.errors.NotFound:
            return []
        buffer = io.BytesIO(b"".join(stream))
        with tarfile.open(fileobj=buffer) as archive:
            for member in archive:
                parts = member.name.split("/")
                # Names arrive as "./entry/..." (or "<dir>/entry/..."): keep the first level.
                if len(parts) >= 2 and parts[1]:
                    names.add(parts[1])
    return sorted(names)


def run_quiet(
    reference: str, command: list[str], *, entrypoint: list[str] | None = None, timeout_s: float = 120
) -> tuple[int, str]:
    """Run a command in a throwaway container; returns its exit status and combined output."""
    with _created_container(
        reference, command=command, entrypoint=entrypoint, kind="probe", run_prefix="run"
    ) as created:
        created.start()
        status = created.wait(timeout=timeout_s)
        output = created.logs(stdout=True, stderr=True).decode("utf-8", "replace")
    return int(status.get("StatusCode", 1)), output


def remove_if_dangling(image_id: str) -> bool:
    """Remove an image that no reference names any more (a replaced build); True when removed."""
    sdk = client()
    with engine_errors():
        try:
            attrs = sdk.api.inspect_image(image_id)
        except docker.errors.ImageNotFound:
            return False
        if attrs.get("RepoTags"):
            return False
        try:
            sdk.api.remove_image(image_id, force=False, noprune=False)
        except docker.errors.APIError:
            return False  # a container or a child image still uses it
    return True


def remove(reference: str, force: bool = False) -> None:
    """Remove an image by reference or id (nothing happens when it is not there)."""
    sdk = client()
    with engine_errors():
        try:
            sdk.api.remove_image(reference, force=force)
        except docker.errors.ImageNotFound:
            pass
