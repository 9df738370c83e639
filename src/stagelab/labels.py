"""Labels put on everything Stagelab creates in the engine, so it can be found and removed.

Anything carrying :data:`OWNER` was made by Stagelab; ``stagelab clean`` removes it
and touches nothing else. :data:`RUN` groups the objects of one build, grading or
test, so concurrent runs never remove each other's work.
"""

from __future__ import annotations

import os
import uuid

OWNER = "org.stagelab.owner"
RUN = "org.stagelab.run"
KIND = "org.stagelab.kind"
#: Base images made locally carry these (see stagelab.images).
STAND_IN = "org.stagelab.stand-in"
STAND_IN_CONTENT = "org.stagelab.stand-in.content"

#: The kind label value of a base-image stand-in (see stagelab.images).
STAND_IN_KIND = "stand-in"

#: The owner value; tests set STAGELAB_OWNER so their leftovers are told apart.
DEFAULT_OWNER = "stagelab"


def owner() -> str:
    """The owner label value for objects made by this process."""
    return os.environ.get("STAGELAB_OWNER", DEFAULT_OWNER)


def new_run_id(prefix: str = "run") -> str:
    """A short unique id for one build, grading or probe (used in tags and container names)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def labels_for(run_id: str, kind: str) -> dict[str, str]:
    """The labels for one object made by ``run_id``."""
    return {OWNER: owner(), RUN: run_id, KIND: kind}


def is_stand_in(image_labels: dict[str, str] | None) -> bool:
    """True for a base-image stand-in itself, not for an image merely built FROM one.

    Labels are inherited, so an image built on a stand-in carries STAND_IN too; the
    kind label, which every Stagelab build overwrites, tells the two apart.
    """
    image_labels = image_labels or {}
    return image_labels.get(STAND_IN) == "true" and image_labels.get(KIND) == STAND_IN_KIND
