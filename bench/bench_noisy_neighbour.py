"""The room keeps going: time to verdict of normal gradings, with and without hostile neighbours.

Ten learners' submissions of a small HTTP lab are graded one after another, each a separate
`stagelab grade` process (as each learner's kernel would be), first on a quiet engine, then
while a fork bomb and a memory hog are graded over and over beside them (each re-submitted as
soon as its verdict is in). Build limits stop the hostile builds (processes, memory), so the
normal gradings should keep their time: the goal is a noisy p95 at most 1.5× the quiet p95,
both measured in this run. Every verdict is checked, and what is left afterwards is counted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _common import REPO, median, percentile, table

from stagelab.engine import cleanup, limits

LAB = REPO / "tests" / "hostile" / "lab"
HOSTILE = REPO / "tests" / "hostile" / "cases"
NEIGHBOURS = {
    "fork bomb": ("fork-bomb", "it started more than 2048 processes"),
    "memory hog": ("memory-hog", "it used more than 2 GiB of memory"),
}
LEARNERS = 10
GOAL = 1.5
OWNER = f"stagelab-bench-{uuid.uuid4().hex[:6]}"


def make_learner(root: Path, name: str) -> Path:
    """A correct submission with a file of its own, so its build does real work (not all from cache)."""
    folder = root / name
    shutil.copytree(HOSTILE / "reference", folder)
    (folder / "app" / "www").mkdir(parents=True)
    (folder / "app" / "www" / "learner.txt").write_text(f"{name} {uuid.uuid4().hex}\n")
    return folder


def grade(submission: Path) -> tuple[float, dict | None]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "stagelab.cli", "grade", str(LAB), "--submission", str(submission), "--format", "json",
         "--quiet", "--no-progress"],
        capture_output=True, text=True, env={**os.environ, "STAGELAB_OWNER": OWNER},
    )  # fmt: skip
    took = time.perf_counter() - started
    try:
        return took, json.loads(done.stdout)
    except json.JSONDecodeError:
        print(done.stderr[-500:] or done.stdout[-500:], file=sys.stderr)
        return took, None


def passed(report: dict | None) -> bool:
    return report is not None and not report.get("could_not_grade") and report["score"] == report["max_score"]


def stopped_for(report: dict | None, phrase: str) -> bool:
    """Failed by a build limit (the expected one, or under heavy load possibly the time limit)."""
    if report is None or report.get("could_not_grade"):
        return False
    build = next((r for r in report["results"] if r["check_id"] == "image.builds"), None)
    return (
        build is not None
        and build["status"] == "failed"
        and (phrase in build["message"] or "was stopped: it" in build["message"])
    )


def learners_round(root: Path, label: str) -> tuple[list[float], int]:
    times, right = [], 0
    for index in range(LEARNERS):
        took, report = grade(make_learner(root, f"{label}-learner{index:02d}"))
        times.append(took)
        right += passed(report)
    return times, right


def neighbour(submission: Path, phrase: str, stop: threading.Event, record: list) -> None:
    while not stop.is_set():
        took, report = grade(submission)
        record.append((took, stopped_for(report, phrase)))
        if not stopped_for(report, phrase) and report is not None:  # shown on stderr for the curious
            build = next((r for r in report["results"] if r["check_id"] == "image.builds"), {})
            print(f"neighbour verdict: {build.get('message', report.get('could_not_grade'))}", file=sys.stderr)


def main() -> int:
    found = limits.support()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        grade(make_learner(root, "warmup"))  # the base image and the lab's layers in the cache, as in a room
        quiet_times, quiet_right = learners_round(root, "quiet")

        stop = threading.Event()
        records: dict[str, list] = {name: [] for name in NEIGHBOURS}
        threads = []
        for name, (case, phrase) in NEIGHBOURS.items():
            submission = root / case
            shutil.copytree(HOSTILE / case, submission)
            threads.append(threading.Thread(target=neighbour, args=(submission, phrase, stop, records[name])))
        for thread in threads:
            thread.start()
        time.sleep(2)  # let both neighbours get going before the first learner arrives
        noisy_times, noisy_right = learners_round(root, "noisy")
        stop.set()
        for thread in threads:
            thread.join()
    left = cleanup.leftovers(owner=OWNER, include_stand_ins=True)
    cleanup.remove(owner=OWNER, include_stand_ins=True)
    quiet_p95, noisy_p95 = percentile(quiet_times, 0.95), percentile(noisy_times, 0.95)
    ratio = noisy_p95 / quiet_p95
    rows = [
        ["quiet engine", f"{quiet_right}/{LEARNERS}", f"{median(quiet_times):.1f} s", f"{quiet_p95:.1f} s", "1.00×"],
        ["beside a fork bomb and a memory hog", f"{noisy_right}/{LEARNERS}", f"{median(noisy_times):.1f} s",
         f"{noisy_p95:.1f} s", f"{ratio:.2f}×"],
    ]  # fmt: skip
    print("## Noisy neighbour\n")
    print(
        f"{LEARNERS} correct submissions of a small HTTP lab (`tests/hostile/lab`), graded one after another, each a "
        f"separate `stagelab grade` process; then the same while a fork bomb and a memory hog (`tests/hostile/cases`) "
        f"are graded over and over beside them. Build limits: {'in force' if found.enforced else 'NOT in force'} "
        f"({found.detail}); build slots: {os.environ.get('STAGELAB_MAX_BUILDS', 'default (cores, at least 2)')}.\n"
    )
    print(table(["learners graded", "right verdicts", "p50 time to verdict", "p95", "p95 vs quiet"], rows))
    for name, record in records.items():
        stopped = sum(ok for _, ok in record)
        times = [took for took, _ in record]
        print(
            f"\n- {name}: graded {len(record)} times beside them, stopped by its limit {stopped}/{len(record)} times, "
            f"median {median(times):.1f} s to its verdict."
            if record
            else f"\n- {name}: never finished a grading."
        )
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(
        f"\nGoal: noisy p95 at most {GOAL}× the quiet p95 — {verdict} ({ratio:.2f}×). "
        f"Left in the engine afterwards: {left.containers} container(s), {left.images} image(s); "
        f"cgroups of ours left: {len(limits.ours())} (goal: 0)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
