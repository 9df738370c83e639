"""Find and remove what Stagelab made in the engine, and nothing else.

Everything Stagelab creates carries the :data:`stagelab.labels.OWNER` label.
Base-image stand-ins are kept unless asked for, since they take minutes to make.
"""

from __future__ import annotations

from dataclasses import dataclass

import docker.errors

from .. import labels
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
            if include_stand_ins or labels.STAND_IN not in (image.labels or {})
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
            if not include_stand_ins and labels.STAND_IN in (image.labels or {}):
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
