"""Static grading time per Dockerfile, in-process, against running hadolint alone on the same files.

Usage: python bench/bench_static.py [--repeat N]

For each Dockerfile (the grading corpus plus the labs' starters and solutions) it measures,
as the median of N runs:
  - ours: every static check except hadolint, in-process (parse + diagnoses + checks);
  - ours + hadolint: the full `stagelab lint` set (our checks and the hadolint check);
  - hadolint alone: `hadolint -f json` as a subprocess on the same file.
It prints a markdown table (medians over files, in milliseconds, and ratios).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stagelab.grading import grader, hadolint

REPO = Path(__file__).resolve().parents[1]
#: Realistic Dockerfiles (the lint corpus: data files, read as a learner's files would be).
CORPUS = REPO / "tests" / "lint" / "corpus"

OUR_CHECKS = [c for c in grader.LINT_CHECKS if c != "dockerfile.hadolint"] + ["dockerfile.cache-friendly-order"]


def files(folder: Path) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(CORPUS.glob("*.Dockerfile")):
        found.append(("corpus", path))
    for path in sorted((REPO / "labs").glob("*/Dockerfile")) + sorted((REPO / "labs").glob("*/solution/Dockerfile")):
        found.append(("lab", path))
    return found


def median_ms(function, repeat: int) -> float:
    function()  # warm up (imports, caches)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def hadolint_alone(path: Path) -> None:
    subprocess.run([hadolint.binary(), "-f", "json", "--no-fail", str(path)], capture_output=True, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    refused_ms = 0.0
    with tempfile.TemporaryDirectory() as temp:
        rows = []
        for kind, path in files(Path(temp)):
            if path.stat().st_size > 1_000_000:
                # Refused before parsing by us; hadolint alone takes minutes on it. Timed once, apart.
                started = time.perf_counter()
                grader.lint(path)
                refused_ms = (time.perf_counter() - started) * 1000
                continue
            ours = median_ms(lambda: grader.lint(path, OUR_CHECKS), args.repeat)
            full = median_ms(lambda: grader.lint(path), args.repeat)
            alone = median_ms(lambda: hadolint_alone(path), args.repeat)
            rows.append((kind, path, ours, full, alone))
    print("## Static grading vs hadolint alone\n")
    print(f"Static grading per Dockerfile, median of {args.repeat} runs each ({len(rows)} files)\n")
    print("| files | n | ours, in-process (ms) | ours + hadolint (ms) | hadolint alone (ms) | hadolint alone ÷ ours |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, selected in (
        ("corpus", [r for r in rows if r[0] == "corpus"]),
        ("labs", [r for r in rows if r[0] == "lab"]),
        ("all", rows),
    ):
        if not selected:
            continue
        ours = statistics.median(r[2] for r in selected)
        full = statistics.median(r[3] for r in selected)
        alone = statistics.median(r[4] for r in selected)
        print(f"| {label} | {len(selected)} | {ours:.2f} | {full:.1f} | {alone:.1f} | {alone / ours:.0f}× |")
    slowest = max(rows, key=lambda r: r[2])
    print(f"\nSlowest in-process: {slowest[1].name} ({slowest[2]:.2f} ms).")
    print(f"The 5 MB Dockerfile is refused before parsing in {refused_ms:.2f} ms (left out of the table).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
