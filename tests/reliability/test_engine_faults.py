"""The engine going away mid-work gives a clear error, leaks nothing, and work resumes once it is back."""

from __future__ import annotations

import threading
import time

import pytest

from stagelab.engine import Build, BuildFailed, EventKind, FailureCause, cleanup
from stagelab.errors import StagelabError

from engine_control import build_processes, engine_script

pytestmark = [pytest.mark.engine, pytest.mark.slow]

SLOW_DOCKERFILE = "FROM debian:trixie-slim\nRUN echo started && sleep 120\n"


def test_engine_stopping_mid_build_fails_that_build_clearly_and_the_next_one_works(own_engine, make_context, tmp_path):
    context = make_context({"Dockerfile": SLOW_DOCKERFILE + f"# {tmp_path.name}\n"})
    build = Build(context, no_cache=True, timeout_s=300)
    outcome: dict = {}
    running = threading.Event()

    def run() -> None:
        try:
            for event in build.events():
                if event.kind is EventKind.STEP_STARTED and event.step and event.step.keyword == "RUN":
                    running.set()
        except StagelabError as error:
            outcome["error"] = error
        finally:
            running.set()

    worker = threading.Thread(target=run)
    worker.start()
    assert running.wait(120), "the RUN step never started"
    stopped = engine_script("stop")
    assert stopped.returncode == 0, stopped.stderr
    worker.join(120)
    assert not worker.is_alive(), "the build hung after the engine stopped"
    error = outcome.get("error")
    assert isinstance(error, BuildFailed)
    assert error.cause is FailureCause.ENGINE
    assert "stagelab doctor" in str(error)
    assert build_processes({build.run_id}) == []

    assert engine_script("up").returncode == 0
    quick = make_context({"Dockerfile": "FROM scratch\nCOPY a /a\n", "a": "x"}, name="after")
    assert Build(quick).run().image_id.startswith("sha256:")


def test_engine_stopping_mid_probe_gives_a_clear_error_and_no_container_survives_the_restart(own_engine, make_context):
    from stagelab.engine.probes import probe

    context = make_context({"Dockerfile": "FROM debian:trixie-slim\nCMD [\"sleep\", \"300\"]\n"})
    image = Build(context).run().image_id
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = probe(image, port=8080, timeout_s=60)
        except StagelabError as error:
            outcome["error"] = error

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(4)
    assert engine_script("stop").returncode == 0
    worker.join(120)
    assert not worker.is_alive(), "the probe hung after the engine stopped"
    result = outcome.get("result")
    error = outcome.get("error")
    assert error is not None or (result is not None and result.error), outcome
    assert engine_script("up").returncode == 0
    # Anything the interrupted probe could not remove goes on the next clean-up sweep.
    cleanup.sweep_pending()
    left = cleanup.leftovers(owner=None)
    probes_left = [c for c in _probe_containers()]
    assert probes_left == [], f"probe containers survived: {probes_left} ({left})"


def _probe_containers() -> list[str]:
    from stagelab import labels
    from stagelab.engine import client

    return [c.name for c in client().containers.list(all=True, filters={"label": [f"{labels.KIND}=probe", f"{labels.OWNER}={labels.owner()}"]})]
