"""``stagelab lint``: the Dockerfile checks alone, for any Dockerfile, without a lab or an engine.

It must start as fast as hadolint, so this module imports nothing at the top but
argparse: the grading library is imported by the handler, and nothing of
:mod:`stagelab.engine` (nor the Docker SDK) is imported at all.

Exit status: 0 every check passed, 1 findings, 2 a file could not be linted
(missing, not a regular file, too big, not text) — 2 wins over 1.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    lint = subparsers.add_parser(
        "lint",
        help="check Dockerfiles without a lab or an engine",
        description="The Dockerfile checks alone, for any Dockerfile. Exit status: 0 every check passed, "
        "1 findings, 2 a file could not be linted (missing, not a regular file, too big, not text).",
    )
    lint.add_argument("dockerfiles", nargs="+", metavar="DOCKERFILE")
    lint.add_argument("--format", choices=("terminal", "json", "junit"), default="terminal")
    lint.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    lint.set_defaults(handler=run_lint)


def run_lint(args: argparse.Namespace) -> int:
    from ..grading import grader, report_formats

    reports = [grader.lint(path) for path in args.dockerfiles]
    if args.format == "terminal" and not args.output:
        from rich.console import Console

        console = Console(highlight=False)
        for report in reports:
            report_formats.print_terminal(report, console)
    else:
        text = report_formats.render(reports if len(reports) > 1 or args.format == "junit" else reports[0], args.format)
        if args.output:
            from pathlib import Path

            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    for report in reports:
        if report.could_not_grade:
            print(f"error: {report.could_not_grade}", file=sys.stderr)
    if any(r.could_not_grade for r in reports):
        return 2
    return 0 if all(r.all_passed for r in reports) else 1
