"""Time of an image report: cold (from the engine) and cached (in the process, and on disk).

A cold report reads every layer's file list. Two sources are timed: the local
engine's layer store (the fast path, used when the engine runs on this machine) and
a streamed ``docker save`` (the portable path, used with a remote engine or without
permission on the engine's folder). For reference, the same figures from the
``dive`` binary (which reads ``docker save`` too) are timed once.

Goal (issue 4): a 1 GB image in a few seconds; a cached one in milliseconds.

    python bench/bench_reports.py [IMAGE] [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, table, timed  # noqa: E402

from stagelab.engine import reports  # noqa: E402
from stagelab.engine.client import client  # noqa: E402


def biggest_image() -> str:
    """node:24-trixie when prepared, else the biggest tagged image in the engine."""
    sdk = client()
    tagged = [image for image in sdk.images.list() if image.tags]
    for image in tagged:
        if "node:24-trixie" in image.tags:
            return "node:24-trixie"
    return max(tagged, key=lambda image: image.attrs["Size"]).tags[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", help="image to report on (default: node:24-trixie or the biggest)")
    parser.add_argument("--runs", type=int, default=3, help="cold runs per source (median taken)")
    parser.add_argument("--no-dive", action="store_true", help="skip the dive reference timing")
    args = parser.parse_args()
    image = args.image or biggest_image()

    rows = []
    report = None
    for source in ("layer-store", "docker-save"):
        times = []
        for _ in range(args.runs):
            seconds, report = timed(lambda: reports.image_report(image, use_cache=False, source=source))
            times.append(seconds)
        rows.append([f"cold, {source}", f"{median(times):.2f} s", f"{min(times):.2f}–{max(times):.2f} s", args.runs])
    assert report is not None

    with tempfile.TemporaryDirectory() as state:
        import os

        os.environ["STAGELAB_STATE_DIR"] = state
        reports.clear_cache()
        reports.image_report(image)  # made once, stored on disk and in memory
        memory = [timed(lambda: reports.image_report(image))[0] for _ in range(20)]
        disk = []
        for _ in range(5):
            reports.clear_cache()
            disk.append(timed(lambda: reports.image_report(image))[0])
    rows.append(
        [
            "cached in the process",
            f"{median(memory) * 1000:.1f} ms",
            f"{min(memory) * 1000:.1f}–{max(memory) * 1000:.1f} ms",
            20,
        ]
    )
    rows.append(
        [
            "cached on disk (new process)",
            f"{median(disk) * 1000:.0f} ms",
            f"{min(disk) * 1000:.0f}–{max(disk) * 1000:.0f} ms",
            5,
        ]
    )

    if not args.no_dive and shutil.which("dive"):
        with tempfile.TemporaryDirectory() as scratch:
            seconds, _ = timed(
                lambda: subprocess.run(
                    ["dive", "--source", "docker", "--json", f"{scratch}/dive.json", image],
                    check=True,
                    capture_output=True,
                )
            )
        rows.append(["dive --json (reference)", f"{seconds:.2f} s", "", 1])

    print(
        f"### Image report: `{image}` — {report.size_bytes / 1e9:.2f} GB, {len(report.file_layers)} layers, "
        f"{len(report.files):,} paths\n"
    )
    print(table(["report", "median", "range", "runs"], rows))
    print(f"\nEfficiency {report.efficiency:.4f}, wasted {report.wasted_bytes:,} bytes (same figures as dive).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
