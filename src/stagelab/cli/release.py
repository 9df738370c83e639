"""``stagelab release``: a learner copy of the course without solutions."""

from __future__ import annotations

import argparse

from rich.console import Console

from ..grading.release import release


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("release", help="write a learner copy of the course without solutions")
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--course", default=".", help="the course folder (default: the current folder)")
    parser.add_argument("--force", action="store_true", help="replace OUT_DIR if it is not empty")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    report = release(args.course, args.out_dir, force=args.force)
    console = Console(highlight=False)
    console.print(f"Wrote {report.files} files ({report.labs} labs) to {report.out_dir}.")
    if report.left_out:
        console.print("Left out: " + ", ".join(report.left_out))
    return 0
