"""The hostile corpus, graded by the real engine: every verdict holds, in bounded time, and the room keeps going.

All the cases are graded at once (as a gradebook would, within the engine's build slots),
the reference submission among them as "another learner". Each must get its expected
verdict and message within its time; the engine must answer after each; and nothing may be
left behind: no container, image, cgroup or lingering process.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import hostile
import psutil
import pytest

from stagelab import labels
from stagelab.engine import cleanup, client, limits, slots
from stagelab.grading import grader
from stagelab.grading.results import GradeReport

pytestmark = pytest.mark.engine

EXPECTED = hostile.expected()


@dataclass(frozen=True)
class Graded:
    report: GradeReport
    took_s: float
    engine_answered: bool


def _engine_answers() -> bool:
    try:
        client().info()
    except Exception:
        return False
    return True


def _lingering() -> list[str]:
    """Processes a hostile case may have left: the marker sleep, the flood, the hogs."""
    left = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if cmdline == ["sleep", hostile.MARKER_SLEEP] or cmdline[:1] == ["yes"] and "flooding" in " ".join(cmdline):
            left.append(" ".join(cmdline))
        elif cmdline[:1] == ["awk"] and "1073741824" in " ".join(cmdline):
            left.append(" ".join(cmdline))
    return left


def _our_cgroups() -> set[str]:
    """Build cgroups this test process made: its own pid's, or its build slots' (other Stagelab
    processes on the machine, e.g. a second test run, have cgroups of their own)."""
    return {name for name in limits.ours() if name.startswith((f"stagelab-p{os.getpid()}-", slots.cgroup_prefix()))}


@pytest.fixture(scope="module")
def corpus(engine, tmp_path_factory):
    """Grade every case (in parallel, within the build slots); record each report, its time, and the engine after it."""
    assert limits.support().enforced, f"build limits are not in force here: {limits.support().detail}"
    root = tmp_path_factory.mktemp("hostile")
    cgroups_before = _our_cgroups()
    leftovers_before = cleanup.leftovers(owner=labels.owner(), include_stand_ins=True)

    def grade(name: str) -> tuple[str, Graded]:
        folder = hostile.submission(name, root)
        started = time.monotonic()
        report = grader.grade(hostile.LAB, submission_dir=folder)
        return name, Graded(report, time.monotonic() - started, _engine_answers())

    started = time.monotonic()
    # The slowest cases first, so the whole run is as short as the slots allow.
    order = sorted(EXPECTED, key=lambda name: -EXPECTED[name]["within_s"])
    with ThreadPoolExecutor(max_workers=slots.max_builds()) as pool:
        graded = dict(pool.map(grade, order))
    return {
        "graded": graded,
        "took_s": time.monotonic() - started,
        "cgroups_before": cgroups_before,
        "leftovers_before": leftovers_before,
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_submission_gets_its_verdict_in_bounded_time(name, corpus):
    expect, graded = EXPECTED[name], corpus["graded"][name]
    report = graded.report
    assert report.could_not_grade is None, f"could not grade: {report.could_not_grade}"
    assert graded.took_s < expect["within_s"], f"grading took {graded.took_s:.1f} s (at most {expect['within_s']} s)"
    assert graded.engine_answered, "the engine did not answer `docker info` after this grading"
    if expect["verdict"] == "passed":
        assert report.all_passed and report.exit_code == 0, report.to_dict()
        return
    assert report.exit_code == 1, report.to_dict()
    result = report.result(expect["check"])
    assert result is not None and result.status == "failed", report.to_dict()
    assert expect["contains"] in result.message, result.message
    assert result.hint, f"{expect['check']} failed without a hint"


def test_the_corpus_runs_within_a_few_minutes(corpus):
    assert corpus["took_s"] < 240, f"the hostile corpus took {corpus['took_s']:.0f} s"


def test_nothing_is_left_behind(corpus):
    after = cleanup.leftovers(owner=labels.owner(), include_stand_ins=True)
    before = corpus["leftovers_before"]
    assert (after.containers, after.images) == (before.containers, before.images)
    left_cgroups = _our_cgroups() - corpus["cgroups_before"]
    assert not left_cgroups, f"cgroups left: {left_cgroups}"
    deadline = time.monotonic() + 10
    while (left := _lingering()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == [], left


def test_another_learner_grades_normally_after_the_corpus(corpus, tmp_path):
    report = grader.grade(hostile.LAB, submission_dir=hostile.submission("reference", tmp_path))
    assert report.all_passed, report.to_dict()
