"""Small helpers shared by the benchmark scripts (timing, medians, markdown tables)."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(action: Callable[[], object]) -> tuple[float, object]:
    """Run ``action`` and return (seconds, its result)."""
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def mb(size_bytes: float) -> str:
    return f"{size_bytes / 1e6:,.1f} MB"


def docker(*args: str, check: bool = True) -> str:
    """The plain docker CLI: the baseline the library is measured against."""
    done = subprocess.run(["docker", *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed: {done.stderr[-500:]}")
    return done.stdout.strip()
