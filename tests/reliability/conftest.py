"""Fixtures for the reliability suite: an engine we may stop and start, and leak counting."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
PID_FILE = Path(os.environ.get("STAGELAB_ENGINE_STATE", "/var/lib/stagelab")) / "dockerd.pid"


def engine_script(action: str = "up") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(REPO / "scripts" / "engine.sh"), action], capture_output=True, text=True, timeout=180)


@pytest.fixture
def own_engine(engine):
    """The engine, if scripts/engine.sh started it, so a test may stop and restart it.

    An engine we did not start (Docker Desktop, a system service) is never stopped:
    those machines get this reason instead of a stopped engine.
    """
    if not (PID_FILE.exists() and psutil.pid_exists(int(PID_FILE.read_text().strip() or 0))):
        pytest.skip("the engine was not started by scripts/engine.sh (e.g. Docker Desktop); the suite only stops engines it owns")
    yield
    # Whatever the test did, leave the engine up for the next one.
    done = engine_script("up")
    assert done.returncode == 0, done.stderr


def build_processes() -> list[psutil.Process]:
    """`docker buildx build` client processes still alive."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if "buildx" in cmdline and "build" in cmdline:
            found.append(process)
    return found
