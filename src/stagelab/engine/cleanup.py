"""Find and remove what Stagelab made in the engine, and nothing else.

Everything Stagelab creates carries the :data:`stagelab.labels.OWNER` label.
Base-image stand-ins are kept unless asked for, since they take minutes to make.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import docker.errors

from .. import labels
from ..errors import StagelabError
from .client import client, engine_errors


@dataclass(frozen=True)
class Leftovers:
    """Counts of what carries a given owner label."""

    containers: int
    images: int

    @property
    def total(self) -> int:
        return self.containers + self.images


def _filters(owner: str | None, run_id: str | None) -> dict[str, list[str]]:
    wanted = [f"{labels.OWNER}={owner}" if owner else labels.OWNER]
    if run_id:
        wanted.append(f"{labels.RUN}={run_id}")
    return {"label": wanted}


def leftovers(owner: str | None = None, run_id: str | None = None, include_stand_ins: bool = False) -> Leftovers:
    """Count containers and images carrying our labels (optionally one owner or run)."""
    sdk = client()
    with engine_errors():
        containers = sdk.containers.list(all=True, filters=_filters(owner, run_id))
        images = [
            image
            for image in sdk.images.list(filters=_filters(owner, run_id))
            if include_stand_ins or not labels.is_stand_in(image.labels)
        ]
    return Leftovers(len(containers), len(images))


def remove(owner: str | None = None, run_id: str | None = None, include_stand_ins: bool = False) -> Leftovers:
    """Remove containers, then images, carrying our labels; returns how many went."""
    sdk = client()
    removed_containers = removed_images = 0
    with engine_errors():
        for container in sdk.containers.list(all=True, filters=_filters(owner, run_id)):
            try:
                container.remove(force=True, v=True)
                removed_containers += 1
            except docker.errors.NotFound:
                pass
        images = sdk.images.list(filters=_filters(owner, run_id))
        # Children before parents: newest first works for images built on each other.
        images.sort(key=lambda image: image.attrs.get("Created", ""), reverse=True)
        for image in images:
            if not include_stand_ins and labels.is_stand_in(image.labels):
                continue
            try:
                sdk.images.remove(image.id, force=True, noprune=False)
                removed_images += 1
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError as error:
                if "conflict" not in str(error).lower():
                    raise
    return Leftovers(removed_containers, removed_images)


# When the engine goes away mid-probe, a container cannot be removed until it is back.
# Its name is written down here and removed by the next sweep (every probe starts with
# one, and `stagelab clean` runs one), so nothing survives an engine restart.


def _pending_file():
    import os
    from pathlib import Path

    base = Path(os.environ.get("STAGELAB_STATE_DIR", Path.home() / ".cache" / "stagelab"))
    base.mkdir(parents=True, exist_ok=True)
    return base / "pending-removals.txt"


def remember_for_sweep(container_name: str) -> None:
    """Note a container that could not be removed now (engine unreachable)."""
    import fcntl

    with open(_pending_file(), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(container_name + "\n")


def sweep_pending() -> int:
    """Remove the containers noted by :func:`remember_for_sweep`; returns how many went.

    Does nothing (and keeps the notes) while the engine is unreachable.
    """
    import fcntl

    path = _pending_file()
    if not path.exists():
        return 0
    with open(path, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        names = [line.strip() for line in handle if line.strip()]
        if not names:
            return 0
        try:
            sdk = client()
        except Exception:
            return 0
        removed = 0
        kept: list[str] = []
        for name in dict.fromkeys(names):
            try:
                sdk.containers.get(name).remove(force=True, v=True)
                removed += 1
            except docker.errors.NotFound:
                pass
            except Exception:
                kept.append(name)
        handle.seek(0)
        handle.truncate()
        handle.writelines(name + "\n" for name in kept)
    return removed


def _when(value: str) -> datetime | None:
    """The engine's RFC 3339 time (nanoseconds) as an aware datetime; None when unreadable."""
    head, _, rest = (value or "").partition(".")
    digits = "".join(ch for ch in rest if ch.isdigit())[:6]
    try:
        return datetime.fromisoformat(f"{head}.{digits or '0'}+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None


def build_cache_since(since: datetime, types: tuple[str, ...]) -> list[dict]:
    """BuildKit cache records of ``types`` used at or after ``since`` (``InUse`` says if one still is)."""
    sdk = client()
    with engine_errors():
        # Only the build cache: a full `docker system df` also sizes every image and volume.
        response = sdk.api._get(sdk.api._url("/system/df"), params={"type": "build-cache"})
        records = sdk.api._result(response, json=True).get("BuildCache") or []
    found = []
    for record in records:
        used = _when(record.get("LastUsedAt") or record.get("CreatedAt") or "")
        if record.get("Type") in types and used is not None and used >= since:
            found.append(record)
    return found


def prune_build_cache_since(since: datetime, types: tuple[str, ...], wait_s: float = 5) -> int:
    """Remove the cache records :func:`build_cache_since` finds; returns the bytes freed.

    BuildKit lets go of a stopped step's mounts a moment after the build has failed: a record
    still in use is tried again until ``wait_s``. Another build that used a record of the same
    kind in the same moments loses it too: that costs it a slower next run, never a wrong result.
    """
    freed, deadline = 0, time.monotonic() + wait_s
    try:
        while True:
            records = build_cache_since(since, types)
            idle = [record["ID"] for record in records if not record.get("InUse")]
            sdk = client()
            for record_id in idle:  # the engine takes one value per filter
                with engine_errors():
                    answer = sdk.api.prune_builds(filters={"id": record_id})
                freed += int(answer.get("SpaceReclaimed") or 0)
            if len(idle) == len(records) or time.monotonic() >= deadline:
                return freed
            time.sleep(0.25)
    except StagelabError:
        return freed  # the failure the learner sees matters more than this tidying
