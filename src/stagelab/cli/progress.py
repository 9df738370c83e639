"""``stagelab progress``: which checks of which lab you have passed, and when."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..grading import progress


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("progress", help="show your progress through the labs")
    parser.add_argument("--format", choices=("terminal", "json"), default="terminal")
    parser.add_argument("--reset", action="store_true", help="forget all progress")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    if args.reset:
        progress.reset()
        console.print("Progress cleared.")
        return 0
    labs = progress.load()
    if args.format == "json":
        print(json.dumps([asdict(lab) for lab in labs], indent=2))
        return 0
    if not labs:
        console.print("No lab graded yet. Try `stagelab grade labs/01-first-image`.")
        return 0
    table = Table(title=f"Progress ({progress.progress_file()})")
    for column in ("lab", "checks passed", "best score", "attempts", "last graded"):
        table.add_column(column)
    for lab in labs:
        done = "[green]✓[/] " if lab.complete else ""
        table.add_row(
            f"{done}{escape(lab.lab_id)}",
            f"{lab.checks_passed}/{len(lab.checks)}",
            f"{lab.best_score:g}/{lab.max_score:g}",
            str(lab.attempts),
            lab.last_graded,
        )
    console.print(table)
    return 0
