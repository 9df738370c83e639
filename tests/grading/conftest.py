"""Fixtures for the grading tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_state(tmp_path, monkeypatch):
    """Progress records go to a temporary folder, never to the user's data dir."""
    monkeypatch.setenv("STAGELAB_STATE_DIR", str(tmp_path / "state"))
