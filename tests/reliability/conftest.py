"""Fixtures for the reliability suite: an engine we may stop and start."""

from __future__ import annotations

import pytest
from engine_control import engine_script, we_started_the_engine


@pytest.fixture
def own_engine(engine):
    """The engine, if scripts/engine.sh started it, so a test may stop and restart it.

    An engine we did not start (Docker Desktop, a system service) is never stopped:
    those machines get this reason instead of a stopped engine.
    """
    if not we_started_the_engine():
        pytest.skip(
            "the engine was not started by scripts/engine.sh (e.g. Docker Desktop); the suite only stops engines it owns"
        )
    yield
    # Whatever the test did, leave the engine up for the next one.
    done = engine_script("up")
    assert done.returncode == 0, done.stderr
