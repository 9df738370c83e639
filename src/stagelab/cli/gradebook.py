"""``stagelab gradebook``: grade a folder of submissions into a CSV and an HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..grading import gradebook
from ..grading.spec import load_spec


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gradebook",
        help="grade every submission (one sub-folder per learner) into a CSV and an HTML page",
    )
    parser.add_argument("submissions", metavar="SUBMISSIONS_DIR")
    parser.add_argument("--lab", required=True, help="the lab folder, e.g. labs/04-node-distroless")
    parser.add_argument(
        "--jobs", "-j", type=int, default=None, help="gradings at once (default: the engine's build slots)"
    )
    parser.add_argument(
        "--out", metavar="PREFIX", help="output files PREFIX.csv and PREFIX.html (default: gradebook-LAB)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    spec = load_spec(args.lab)
    folders = gradebook.submissions(Path(args.submissions))
    if not folders:
        console.print(f"[red]No submissions in {escape(args.submissions)}[/] (expected one sub-folder per learner).")
        return 2
    prefix = Path(args.out or f"gradebook-{spec.id}")
    with Progress(
        TextColumn("[bold]Grading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
        console=console,
    ) as progress:  # fmt: skip
        task = progress.add_task("", total=len(folders))

        def done(entry: gradebook.Entry) -> None:
            report = entry.report
            outcome = "could not grade" if report.could_not_grade else f"{report.score:g}/{report.max_score:g}"
            progress.console.print(f"  {escape(entry.learner)}: {outcome}")
            progress.update(task, advance=1, description=escape(entry.learner))

        entries = gradebook.grade_all(args.submissions, args.lab, jobs=args.jobs, on_done=done)
    csv_path = gradebook.write_csv(entries, prefix.with_suffix(".csv"))
    html_path = gradebook.write_html(entries, prefix.with_suffix(".html"), f"{spec.id} — {spec.title}")
    not_graded = sum(1 for e in entries if e.report.could_not_grade)
    console.print(f"Wrote {csv_path} and {html_path} ({len(entries)} submissions, {not_graded} could not be graded).")
    return 0 if not not_graded else 2
