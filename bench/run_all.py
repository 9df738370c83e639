"""Run every benchmark and rewrite bench/RESULTS.md.

Each ``bench/bench_*.py`` is a script that measures one thing against a baseline
measured in the same run (these machines are noisy, so only ratios are compared)
and prints a markdown section. This runner adds the machine and the date.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "bench_static.py",
    "bench_lint.py",
    "bench_build.py",
    "bench_reports.py",
    "bench_feedback.py",
    "bench_sizes.py",
    "bench_classroom.py",
    "bench_noisy_neighbour.py",
    "bench_setup.py",
]


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024**2:.0f} GiB RAM"
    except OSError:
        pass
    engine = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True
    ).stdout.strip()
    return f"{platform.system()} {platform.release()}, {cpus} cores{memory}, Python {platform.python_version()}, Docker engine {engine or '?'}"


def main(argv: list[str]) -> int:
    wanted = argv or [name for name in ORDER if (HERE / name).exists()]
    wanted += [p.name for p in sorted(HERE.glob("bench_*.py")) if p.name not in wanted and not argv]
    sections = []
    failures = 0
    for name in wanted:
        started = time.monotonic()
        print(f"== {name}", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, str(HERE / name)], capture_output=True, text=True)
        took = time.monotonic() - started
        if done.returncode != 0:
            failures += 1
            sections.append(f"## {name}\n\nFailed (exit {done.returncode}):\n\n```\n{done.stderr[-2000:]}\n```\n")
        else:
            sections.append(done.stdout.strip() + f"\n\n<sub>{name}: {took:.0f} s</sub>\n")
        print(done.stdout[-3000:], file=sys.stderr)
    header = (
        "# Benchmark results\n\n"
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}.\n"
        "Written by `make bench` (`python bench/run_all.py`); every figure is a median over several runs, and each "
        "comparison is a ratio against its baseline measured in the same run.\n"
    )
    (HERE / "RESULTS.md").write_text(header + "\n" + "\n".join(sections))
    print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
