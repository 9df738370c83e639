"""Feedback time: `stagelab grade` after a one-line source change, against the floor.

The floor is what a learner would do by hand for the same change: plain
`docker buildx build`, `docker run` with the port published on 127.0.0.1, and
one HTTP request once the server answers. Both run on the same warm build cache,
alternating, each after its own one-line change so neither gets a free cache hit.
Goal: grading costs at most 1.3× the floor.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import REPO, docker, median, table, timed

from stagelab.grading.grader import grade, prepare_workspace
from stagelab.grading.spec import load_spec

LAB = REPO / "labs" / "04-node-distroless"
RUNS = 5


def touch_source(app: Path, counter: int) -> None:
    server = app / "server.js"
    lines = server.read_text().splitlines()
    lines = [line for line in lines if not line.startswith("// bench edit")]
    lines.append(f"// bench edit {counter} {time.time_ns()}")
    server.write_text("\n".join(lines) + "\n")


def floor(dockerfile: Path, context: Path, tag: str, port: int, path: str) -> None:
    docker("buildx", "build", "-q", "--load", "-t", tag, "-f", str(dockerfile), str(context))
    container = docker("run", "-d", "--rm", "-p", f"127.0.0.1::{port}", tag)
    try:
        host_port = docker("port", container, str(port)).splitlines()[0].rsplit(":", 1)[1]
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{host_port}{path}", timeout=2) as answer:
                    answer.read()
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        docker("rm", "-f", container, check=False)


def main() -> int:
    spec = load_spec(LAB)
    assert spec.run is not None and spec.run.port
    with tempfile.TemporaryDirectory() as temp:
        lab = Path(temp) / spec.id
        lab.mkdir()
        dockerfile, context = prepare_workspace(spec, LAB, lab, solution=True)
        # The copy is now a learner's finished working folder.
        shutil.rmtree(lab / "solution", ignore_errors=True)
        tag = f"stagelab-bench/feedback-floor:{time.time_ns()}"
        http_path = spec.run.http.path if spec.run.http else "/"
        # Warm both paths once.
        first = grade(lab)
        assert first.score == first.max_score, [r for r in first.results if r.status != "passed"]
        floor(dockerfile, context, tag, spec.run.port, http_path)
        graded, plain = [], []
        for run in range(RUNS):
            touch_source(context, 2 * run)
            seconds, report = timed(lambda: grade(lab))
            assert report.score == report.max_score, report.to_dict()
            graded.append(seconds)
            touch_source(context, 2 * run + 1)
            seconds, _ = timed(lambda: floor(dockerfile, context, tag, spec.run.port, http_path))
            plain.append(seconds)
        docker("rmi", "-f", tag, check=False)
    ratio = median(graded) / median(plain)
    print("## Feedback time after a one-line change\n")
    print(
        f"Lab `{spec.id}` (reference solution), warm cache, {RUNS} runs each, alternating. "
        "Floor: `docker buildx build` + `docker run` + one HTTP request.\n"
    )
    print(
        table(
            ["path", "median", "min", "max"],
            [
                ["floor (plain docker)", f"{median(plain):.2f} s", f"{min(plain):.2f} s", f"{max(plain):.2f} s"],
                [
                    f"`stagelab grade` ({len(first.results)} checks)",
                    f"{median(graded):.2f} s",
                    f"{min(graded):.2f} s",
                    f"{max(graded):.2f} s",
                ],
            ],
        )
    )
    print(f"\nRatio grade ÷ floor: **{ratio:.2f}×** (goal ≤ 1.3×: {'met' if ratio <= 1.3 else 'not met'}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
