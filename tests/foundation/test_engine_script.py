"""scripts/engine.sh: idempotent when the engine is already up."""

from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.engine


def test_second_run_reuses_the_running_engine(engine, repo):
    version_before = engine.version()["Version"]
    done = subprocess.run(["bash", str(repo / "scripts" / "engine.sh")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "already up" in done.stderr
    assert engine.version()["Version"] == version_before


def test_status_says_up(engine, repo):
    done = subprocess.run(["bash", str(repo / "scripts" / "engine.sh"), "status"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "up" in done.stderr


def test_unknown_action_is_refused_with_usage(repo):
    done = subprocess.run(["bash", str(repo / "scripts" / "engine.sh"), "explode"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "usage" in done.stderr
