"""The engine going away mid-work gives a clear error, leaks nothing, and work resumes once it is back."""

from __future__ import annotations

import threading
import time

import pytest
from engine_control import build_processes, engine_script

from stagelab.engine import Build, BuildFailed, EventKind, FailureCause, cleanup
from stagelab.errors import StagelabError

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

    context = make_context({"Dockerfile": 'FROM debian:trixie-slim\nCMD ["sleep", "300"]\n'})
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

    return [
        c.name
        for c in client().containers.list(
            all=True, filters={"label": [f"{labels.KIND}=probe", f"{labels.OWNER}={labels.owner()}"]}
        )
    ]


def test_engine_stopping_mid_grading_says_could_not_grade_and_keeps_progress_intact(
    own_engine, tmp_path, monkeypatch, repo
):
    import json

    from stagelab.grading import progress
    from stagelab.grading.grader import grade

    monkeypatch.setenv("STAGELAB_STATE_DIR", str(tmp_path / "state"))
    lab = repo / "labs" / "04-node-distroless"
    submission = tmp_path / "learner"
    submission.mkdir()
    solution = (lab / "solution" / "Dockerfile").read_text()
    # The learner's build takes a while: long enough for the engine to go away under it.
    slow = solution.replace("RUN npm ci --omit=dev", f"RUN npm ci --omit=dev && echo {tmp_path.name} && sleep 60")
    assert slow != solution
    (submission / "Dockerfile").write_text(slow)
    # An earlier grading already on record must survive the fault untouched.
    grade(lab, solution=True, record_progress=True)
    before = progress.load()
    assert before, "the first grading was not recorded"
    running = threading.Event()

    def on_event(event) -> None:
        if event.kind is EventKind.STEP_STARTED and event.step and "sleep 60" in event.step.instruction:
            running.set()

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["report"] = grade(lab, submission_dir=submission, on_build_event=on_event, record_progress=True)
        except StagelabError as error:
            outcome["error"] = error
        finally:
            running.set()

    worker = threading.Thread(target=run)
    worker.start()
    assert running.wait(300), "the slow step never started"
    assert engine_script("stop").returncode == 0
    worker.join(180)
    assert not worker.is_alive(), "the grading hung after the engine stopped"
    report = outcome.get("report")
    assert report is not None and report.could_not_grade, outcome
    assert "engine" in report.could_not_grade.lower() or "doctor" in report.could_not_grade.lower()
    state_files = list((tmp_path / "state").rglob("*.json"))
    for path in state_files:
        json.loads(path.read_text())  # nothing half-written
    assert progress.load() == before, "the interrupted grading changed the progress records"

    assert engine_script("up").returncode == 0
    again = grade(lab, solution=True)
    assert again.score == again.max_score
