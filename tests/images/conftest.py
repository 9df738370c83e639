"""Fixtures for the image tests: the stand-ins they inspect are made (or kept) by prepare()."""

from __future__ import annotations

import pytest

from stagelab.engine import image_store


@pytest.fixture(scope="session")
def course_images(engine):
    """Ensure the catalogue's images exist (kept when present; made otherwise) and return a reader."""
    from stagelab.images import prepare

    def ensure(*references: str) -> None:
        missing = [r for r in references if not image_store.exists(r)]
        if missing:
            report = prepare(missing)
            assert report.ok, [f"{o.reference}: {o.message}" for o in report.failed]

    return ensure
