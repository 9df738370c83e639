"""`stagelab lint FILE` against `hadolint FILE`, per file, on the lint corpus (tests/lint/corpus).

Usage: python bench/bench_lint.py [--repeat N]

Both are run as a user runs them: a new process per file, output captured (not a
terminal). For each file, the two commands alternate N times and the median is kept;
the table gives the median and the 90th percentile over the files, in wall-clock
milliseconds and in CPU milliseconds (user + system of the process and its children:
`stagelab lint` runs hadolint too). CPU time is steadier than wall time on a shared
machine. The goal is `stagelab lint` within 2× hadolint per file. Python's own start
(`python -c pass`, same environment) is measured in the same alternation: it is the
floor under any Python command, and shows how much of the rest is the library.

The second table gives the same corpus linted in one run (`stagelab lint FILE…` against
`hadolint FILE…`, the commands alternating, each --repeat times), as pre-commit and CI
run a linter over a repository's Dockerfiles: the time per file is the run's time
divided by the number of files.

Python is run with its bytecode cache on (in a temporary folder), as an installed
package has it, after one warm-up run that writes the cache.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, median, percentile, table  # noqa: E402

CORPUS = REPO / "tests" / "lint" / "corpus"
GOAL_RATIO = 2.0


def hadolint_binary() -> str:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else "hadolint"


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall ms, CPU ms of the process and its children, exit status) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    files = sorted(CORPUS.glob("*.Dockerfile"))
    if not files:
        print(f"no Dockerfiles in {CORPUS}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="stagelab-bench-pyc-") as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=str(REPO / "src"), PYTHONPYCACHEPREFIX=pycache)
        lint = [sys.executable, "-m", "stagelab", "lint"]
        hadolint = [hadolint_binary()]
        python_alone = [sys.executable, "-c", "pass"]
        # What lint is written with, before any line of ours runs: BuildKit's parser (`dockerfile`, a Go
        # library), the standard modules the checks and the report use, and dataclasses.
        stack_alone = [sys.executable, "-c", "import re, json, subprocess, threading, pathlib, dataclasses, dockerfile"]
        measure(lint + [str(files[0])], env)  # warm-up: writes the bytecode cache
        rows = []  # per file: (lint wall, lint cpu, hadolint wall, hadolint cpu)
        python_walls = []
        stack_walls = []
        statuses = set()
        for path in files:
            samples = {"lint": [], "hadolint": []}
            for _ in range(args.repeat):
                wall, cpu, status = measure(lint + [str(path)], env)
                samples["lint"].append((wall, cpu))
                statuses.add(status)
                samples["hadolint"].append(measure(hadolint + [str(path)], env)[:2])
                python_walls.append(measure(python_alone, env)[0])
                stack_walls.append(measure(stack_alone, env)[0])
            rows.append(
                (
                    median([w for w, _ in samples["lint"]]),
                    median([c for _, c in samples["lint"]]),
                    median([w for w, _ in samples["hadolint"]]),
                    median([c for _, c in samples["hadolint"]]),
                )
            )
        together = {"lint": [], "hadolint": []}
        for _ in range(args.repeat):
            wall, cpu, status = measure(lint + [str(p) for p in files], env)
            together["lint"].append((wall, cpu))
            statuses.add(status)
            together["hadolint"].append(measure(hadolint + [str(p) for p in files], env)[:2])
    if not statuses <= {0, 1}:
        print(f"stagelab lint failed to lint a corpus file (exit statuses {sorted(statuses)})", file=sys.stderr)
        return 1
    lint_wall, lint_cpu, had_wall, had_cpu = ([row[i] for row in rows] for i in range(4))
    wall_ratios = [row[0] / row[2] for row in rows]
    cpu_ratios = [row[1] / row[3] for row in rows]
    body = table(
        ["per file", "`stagelab lint`", "`hadolint`", "ratio (median of per-file ratios)"],
        [
            ["wall, median", f"{median(lint_wall):.0f} ms", f"{median(had_wall):.0f} ms", f"{median(wall_ratios):.1f}×"],
            ["wall, 90th percentile", f"{percentile(lint_wall, 0.9):.0f} ms", f"{percentile(had_wall, 0.9):.0f} ms", f"{percentile(wall_ratios, 0.9):.1f}×"],
            ["CPU, median", f"{median(lint_cpu):.0f} ms", f"{median(had_cpu):.0f} ms", f"{median(cpu_ratios):.1f}×"],
        ],
    )  # fmt: skip
    verdict = "within" if median(wall_ratios) <= GOAL_RATIO else "not yet within"
    python_start = median(python_walls)
    stack_start = median(stack_walls)
    print("## `stagelab lint` vs hadolint, per file\n")
    print(
        f"{len(files)} Dockerfiles of the lint corpus (`tests/lint/corpus`), each run {args.repeat} times as a new "
        "process (`python -m stagelab lint FILE`, as a user runs it) with output captured, the commands alternating. "
        "`stagelab lint` runs its 12 checks *and* hadolint (started first, so the two overlap).\n"
    )
    print(body)
    print(
        f"\nGoal: within {GOAL_RATIO:g}× hadolint per file — {verdict} (median wall ratio {median(wall_ratios):.1f}×). "
        f"Python's own start (`python -c pass`, same runs) takes {python_start:.0f} ms, "
        f"{python_start / median(had_wall):.1f}× hadolint by itself. Importing what lint is written with, before "
        'any line of ours (`python -c "import re, json, subprocess, threading, pathlib, dataclasses, dockerfile"`: '
        f"BuildKit's Go parser, the standard modules and dataclasses), takes {stack_start:.0f} ms, "
        f"{stack_start / median(had_wall):.1f}× hadolint; the library's own modules (building their dataclasses, "
        f"the checks' definitions) and the checks take the remaining {median(lint_wall) - stack_start:.0f} ms."
    )
    print(f"\n## The same {len(files)} files in one run, per file\n")
    lint_many, had_many = (median([w for w, _ in together[name]]) / len(files) for name in ("lint", "hadolint"))
    lint_many_cpu, had_many_cpu = (median([c for _, c in together[name]]) / len(files) for name in ("lint", "hadolint"))
    print(
        table(
            ["per file, one run over all", "`stagelab lint FILE…`", "`hadolint FILE…`", "ratio"],
            [
                ["wall, median of runs", f"{lint_many:.1f} ms", f"{had_many:.1f} ms", f"{lint_many / had_many:.1f}×"],
                ["CPU, median of runs", f"{lint_many_cpu:.1f} ms", f"{had_many_cpu:.1f} ms", f"{lint_many_cpu / had_many_cpu:.1f}×"],
            ],
        )
    )  # fmt: skip
    verdict_many = "within" if lint_many / had_many <= GOAL_RATIO else "not yet within"
    print(
        f"\nGoal: within {GOAL_RATIO:g}× hadolint per file — {verdict_many} ({lint_many / had_many:.1f}×). "
        "Given many files, `stagelab lint` runs hadolint on up to 32 of them per process (two processes at a "
        "time), so hadolint's own start is paid once per batch, as it is by `hadolint FILE…`."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
