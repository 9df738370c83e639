"""Classroom load: 1, 10 and 20 learners pressing "Check my work" at the same moment.

Each learner is a separate `stagelab grade --format json` process (as each learner's
kernel would be) grading a different submission of the distroless Node lab: half are
the reference solution with a one-line change of their own, half are the starter.
Every verdict is checked (solutions full marks, starters not), the time to verdict
per learner is recorded, throughput is compared with grading the same submissions
one after another, and whatever is left in the engine afterwards is counted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import REPO, median, percentile, table

from stagelab.engine import cleanup
from stagelab.grading.spec import load_spec
from stagelab.labs import app_source

LAB = REPO / "labs" / "04-node-distroless"
SIZES = (1, 10, 20)
OWNER = f"stagelab-bench-{uuid.uuid4().hex[:6]}"


def make_submissions(root: Path, count: int, round_name: str) -> list[tuple[Path, bool]]:
    """``count`` submissions: (folder, should it score full marks)."""
    made = []
    for index in range(count):
        folder = root / f"{round_name}-learner{index:02d}"
        (folder / "app").mkdir(parents=True)
        good = index % 2 == 0
        source = LAB / "solution" / "Dockerfile" if good else LAB / "Dockerfile"
        shutil.copy(source, folder / "Dockerfile")
        server = (app_source(load_spec(LAB), LAB) / "server.js").read_text()
        (folder / "app" / "server.js").write_text(server + f"\n// {round_name} learner {index}\n")
        made.append((folder, good))
    return made


def grade_one(submission: Path) -> tuple[float, dict | None, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "stagelab.cli",
            "grade",
            str(LAB),
            "--submission",
            str(submission),
            "--format",
            "json",
            "--quiet",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "STAGELAB_OWNER": OWNER},
    )
    took = time.perf_counter() - started
    try:
        return took, json.loads(done.stdout), done.stderr[-300:]
    except json.JSONDecodeError:
        return took, None, done.stderr[-300:] or done.stdout[-300:]


def verdict_ok(report: dict | None, good: bool) -> bool:
    if report is None or report.get("could_not_grade"):
        return False
    full = report["score"] == report["max_score"]
    return full if good else not full


def run_round(submissions: list[tuple[Path, bool]], parallel: bool) -> tuple[float, list[float], int]:
    started = time.perf_counter()
    if parallel:
        with ThreadPoolExecutor(max_workers=len(submissions)) as pool:
            outcomes = list(pool.map(lambda item: grade_one(item[0]), submissions))
    else:
        outcomes = [grade_one(folder) for folder, _ in submissions]
    wall = time.perf_counter() - started
    correct = sum(verdict_ok(report, good) for (took, report, _), (_, good) in zip(outcomes, submissions))
    for (_took, report, err), (folder, good) in zip(outcomes, submissions):
        if not verdict_ok(report, good):
            print(
                f"wrong verdict for {folder.name} (good={good}): {report and report.get('score')} {err}",
                file=sys.stderr,
            )
    return wall, [took for took, _, _ in outcomes], correct


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        # Warm the cache once, as a workshop room is after the first run.
        grade_one(make_submissions(root, 1, "warmup")[0][0])
        serial_subs = make_submissions(root, 10, "serial")
        serial_wall, serial_times, serial_correct = run_round(serial_subs, parallel=False)
        serial_throughput = len(serial_subs) / serial_wall
        rows.append(
            [
                "10, one after another",
                f"{serial_correct}/10",
                f"{median(serial_times):.1f} s",
                f"{percentile(serial_times, 0.95):.1f} s",
                f"{serial_throughput * 60:.1f}/min",
                "1.00×",
            ]
        )
        for size in SIZES:
            subs = make_submissions(root, size, f"parallel{size}")
            wall, times, correct = run_round(subs, parallel=True)
            throughput = size / wall
            rows.append(
                [
                    f"{size} at once",
                    f"{correct}/{size}",
                    f"{median(times):.1f} s",
                    f"{percentile(times, 0.95):.1f} s",
                    f"{throughput * 60:.1f}/min",
                    f"{throughput / serial_throughput:.2f}×",
                ]
            )
    left = cleanup.leftovers(owner=OWNER, include_stand_ins=True)
    cleanup.remove(owner=OWNER, include_stand_ins=True)
    print("## Classroom load\n")
    print(
        f"Lab `04-node-distroless`, each learner a separate `stagelab grade` process with its own submission "
        f"(half solutions with a one-line change, half starters). Build slots: "
        f"{os.environ.get('STAGELAB_MAX_BUILDS', 'default (cores, at least 2)')}.\n"
    )
    print(table(["learners", "right verdicts", "p50 time to verdict", "p95", "throughput", "vs serial"], rows))
    print(f"\nLeft in the engine afterwards: {left.containers} container(s), {left.images} image(s) (goal: 0).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
