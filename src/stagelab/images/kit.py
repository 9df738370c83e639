"""The workshop kit: every course image in one archive, checked before it is loaded.

A kit is the tar ``docker save`` writes (all images, shared layers stored once) with
one more member appended, ``stagelab-kit.json``: the references, image ids and sizes,
and the SHA-256 of every other member. ``import_kit`` verifies all of it *before*
``docker load``, so a truncated or corrupted copy is refused with a clear message
and nothing is loaded; after loading, each reference is checked against its id and
untagged again if it does not match.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import labels
from ..engine import Engine, ImageFacts
from ..errors import StagelabError
from . import catalogue

KIT_MEMBER = "stagelab-kit.json"
KIT_FORMAT = 1
_CHUNK = 4 * 1024 * 1024


class KitError(StagelabError):
    """A kit archive is damaged, incomplete or not a kit at all."""


@dataclass(frozen=True)
class KitImage:
    """One reference in a kit."""

    reference: str
    image_id: str
    size_bytes: int
    stand_in_content: str = ""


@dataclass(frozen=True)
class KitManifest:
    """What a kit holds, and the checksums that prove it arrived whole."""

    images: tuple[KitImage, ...]
    members: dict[str, str]  # member name -> sha256 hex
    created: str
    archive_bytes: int = 0
    skipped: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": KIT_FORMAT,
                "created": self.created,
                "images": [vars(image) for image in self.images],
                "members": self.members,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> KitManifest:
        data = json.loads(text)
        if data.get("format") != KIT_FORMAT:
            raise KitError(f"This kit has format {data.get('format')!r}; this stagelab reads format {KIT_FORMAT}.")
        return cls(
            images=tuple(KitImage(**image) for image in data["images"]),
            members=dict(data["members"]),
            created=data.get("created", ""),
        )


def _digest(handle) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def export(
    destination: Path,
    refs: Iterable[str] | None = None,
    on_message: Callable[[str], None] | None = None,
) -> KitManifest:
    """Write the course images present in the engine (or ``refs``) into one kit archive."""
    say = on_message or (lambda text: None)
    wanted = list(refs) if refs is not None else [entry.reference for entry in catalogue.entries()]
    images: list[KitImage] = []
    skipped: list[str] = []
    for reference in wanted:
        facts = Engine().images.inspect(reference)
        if facts is None:
            skipped.append(reference)
            continue
        images.append(KitImage(reference, facts.id, facts.size_bytes, facts.labels.get(labels.STAND_IN_CONTENT, "")))
    if not images:
        raise StagelabError("None of the course images is in the engine; run `stagelab images prepare` first.")
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    say(f"docker save {len(images)} references …")
    Engine().images.save([image.reference for image in images], partial)
    say("computing checksums …")
    members: dict[str, str] = {}
    with tarfile.open(partial) as archive:
        for member in archive:
            if member.isfile():
                handle = archive.extractfile(member)
                assert handle is not None
                members[member.name] = _digest(handle)
    manifest = KitManifest(tuple(images), members, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    data = manifest.to_json().encode()
    with tarfile.open(partial, "a") as archive:
        info = tarfile.TarInfo(KIT_MEMBER)
        info.size = len(data)
        info.mtime = int(time.time())
        archive.addfile(info, io.BytesIO(data))
    os.chmod(partial, 0o644)  # docker save writes 0600; a kit is meant to be copied to others
    os.replace(partial, destination)
    return KitManifest(manifest.images, manifest.members, manifest.created, destination.stat().st_size, tuple(skipped))


def verify(source: Path) -> KitManifest:
    """Check a kit without loading it: every member present, none extra, every checksum right."""
    source = Path(source)
    found: dict[str, str] = {}
    manifest_text: str | None = None
    try:
        with tarfile.open(source) as archive:
            for member in archive:
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                assert handle is not None
                if member.name == KIT_MEMBER:
                    manifest_text = handle.read().decode("utf-8", "replace")
                else:
                    found[member.name] = _digest(handle)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise KitError(
            f"{source} is damaged (not a readable tar: {error}). Copy the kit again, or make a new one with "
            "`stagelab images export` on a machine that has the images."
        ) from None
    if manifest_text is None:
        raise KitError(
            f"{source} has no {KIT_MEMBER}: it is not a stagelab image kit, or it was cut short while copying. "
            "Copy it again, or make one with `stagelab images export`."
        )
    try:
        manifest = KitManifest.from_json(manifest_text)
    except (ValueError, KeyError, TypeError) as error:
        raise KitError(f"{source}: the kit manifest cannot be read ({error}). Copy the kit again.") from None
    missing = sorted(set(manifest.members) - set(found))
    extra = sorted(set(found) - set(manifest.members))
    wrong = sorted(name for name in manifest.members if name in found and found[name] != manifest.members[name])
    if missing or extra or wrong:
        details = []
        if wrong:
            details.append(f"{len(wrong)} file(s) with a wrong checksum (e.g. {wrong[0]})")
        if missing:
            details.append(f"{len(missing)} file(s) missing (e.g. {missing[0]})")
        if extra:
            details.append(f"{len(extra)} unexpected file(s) (e.g. {extra[0]})")
        raise KitError(
            f"{source} is corrupted: {'; '.join(details)}. Nothing was loaded. "
            "Copy the kit again (compare its size with the original), or export a new one."
        )
    return KitManifest(manifest.images, manifest.members, manifest.created, source.stat().st_size)


def import_kit(source: Path, on_message: Callable[[str], None] | None = None) -> list[KitImage]:
    """Verify a kit, load it, and check that every reference now names the image the kit recorded."""
    say = on_message or (lambda text: None)
    say(f"verifying {source} …")
    manifest = verify(source)
    before = {image.reference: Engine().images.inspect(image.reference) for image in manifest.images}
    say(f"docker load ({len(manifest.images)} references) …")
    try:
        Engine().images.load(source)
    except StagelabError:
        _restore(manifest, before)
        raise
    wrong = []
    for image in manifest.images:
        facts = Engine().images.inspect(image.reference)
        if facts is None or facts.id != image.image_id:
            wrong.append(image.reference)
    if wrong:
        _restore(manifest, before)
        raise KitError(
            f"After loading, {', '.join(wrong)} did not match the kit's image ids; those references were removed again."
        )
    return list(manifest.images)


def _restore(manifest: KitManifest, before: dict[str, ImageFacts | None]) -> None:
    """Leave no reference pointing at a half-loaded image: untag what was not there, re-tag what was."""
    for image in manifest.images:
        previous = before.get(image.reference)
        current = Engine().images.inspect(image.reference)
        if current is None:
            continue
        if previous is None:
            Engine().images.untag(image.reference)
        elif current.id != previous.id:
            Engine().images.tag(previous.id, image.reference)
