"""``stagelab lint``: the Dockerfile checks alone, for any Dockerfile, without a lab or an engine.

It must start as fast as hadolint, so this module imports nothing at the top but
argparse: the grading library is imported by the handler, and nothing of
:mod:`stagelab.engine` (nor the Docker SDK) is imported at all.

Exit status: 0 every check passed, 1 findings, 2 a file could not be linted
(missing, not a regular file, too big, not text) — 2 wins over 1.
"""

from __future__ import annotations

import argparse
import os
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


def _start_hadolint(path: str) -> None:
    """Start hadolint on the file now, so it runs while Python imports and checks (see hadolint.prestart)."""
    from ..dockerfile import DockerfileUnreadable, read_text
    from ..grading import hadolint

    try:
        hadolint.prestart(read_text(path))
    except (DockerfileUnreadable, OSError, hadolint.HadolintMissing):
        pass  # the lint of this file reports it


def run_lint(args: argparse.Namespace) -> int:
    paths = list(args.dockerfiles)
    _start_hadolint(paths[0])
    from ..grading import grader, report_formats

    reports = []
    for index, path in enumerate(paths):
        if index + 1 < len(paths):
            _start_hadolint(paths[index + 1])  # at most two hadolint runs at a time
        reports.append(grader.lint(path))
    if args.format == "terminal" and not args.output:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        for report in reports:
            sys.stdout.write(_terminal_text(report, color))
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


_COLORS = {"green": "32", "red": "31", "dim": "2", "magenta": "35", "yellow": "33", "bold": "1"}


def _terminal_text(report, color: bool) -> str:
    """The report as `stagelab grade` prints it, written without rich (importing it costs more than a lint)."""
    from ..grading.report_formats import _MARKS, explanation

    def paint(text: str, style: str | None) -> str:
        return f"\033[{_COLORS[style]}m{text}\033[0m" if color and style else text

    lines = [f"{paint(report.lab_id, 'bold')} — {report.title}"]
    width = max((len(r.check_id) for r in report.results), default=10)
    for result in report.results:
        mark, colour = _MARKS.get(result.status, ("?", None))
        points = f"{result.points:g}/{result.max_points:g}"
        first, *rest = (result.message or "").splitlines() or [""]
        line = f" {paint(mark, colour)} {result.check_id.ljust(width)} {points:>7}  {first}"
        lines.append(paint(line, "dim") if result.status == "skipped" else line)
        lines += [paint(f"      {text}", "dim") for text in rest[:12]]
        for text in explanation(result):
            lines.append(paint(f"      {text}", "yellow" if text.startswith(("hint:", "warning:")) else "dim"))
    counts = {status: sum(1 for r in report.results if r.status == status) for status in ("passed", "failed", "skipped", "error")}
    parts = [f"{counts['passed']} passed", f"{counts['failed']} failed"]
    parts += [f"{counts[s]} {s if s == 'skipped' else 'errors'}" for s in ("skipped", "error") if counts[s]]
    score = paint(f"Score {report.score:g}/{report.max_score:g}", "green" if report.all_passed else "red")
    lines.append(f"{score} ({', '.join(parts)}) in {report.duration_s:.1f} s")
    if report.could_not_grade:
        lines.append(f"{paint('Could not lint:', 'magenta')} {report.could_not_grade}")
    return "\n".join(lines) + "\n"
