"""Shared fixtures.

Every test session runs under its own owner label (``STAGELAB_OWNER``), so what it
creates in the engine is removed at the end without touching anything else — not
the course's base images, not another session's work.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_OWNER = f"stagelab-test-{uuid.uuid4().hex[:8]}"
os.environ["STAGELAB_OWNER"] = TEST_OWNER


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def engine():
    """The real engine. The test command starts it; a test that needs it fails loudly without it."""
    from stagelab.engine import client

    sdk = client()
    yield sdk


@pytest.fixture(scope="session", autouse=True)
def _remove_what_this_session_made():
    yield
    try:
        from stagelab.engine import cleanup

        cleanup.remove(owner=TEST_OWNER, include_stand_ins=True)
    except Exception:  # the engine may be down after a fault test; nothing to clean then
        pass


@pytest.fixture
def leak_check(engine):
    """Assert that a test leaves no containers or images with this session's label."""
    from stagelab.engine import cleanup

    before = cleanup.leftovers(owner=TEST_OWNER, include_stand_ins=True)
    yield
    after = cleanup.leftovers(owner=TEST_OWNER, include_stand_ins=True)
    assert after.containers <= before.containers, f"containers leaked: {before} -> {after}"


def write_context(root: Path, files: dict[str, str]) -> Path:
    """Write a build context (``{"Dockerfile": ..., "app.js": ...}``) and return its folder."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


@pytest.fixture
def make_context(tmp_path):
    def make(files: dict[str, str], name: str = "ctx") -> Path:
        return write_context(tmp_path / name, files)

    return make
