"""``stagelab grade`` (a lab) and ``stagelab checks`` (the catalogue); ``stagelab lint`` is in :mod:`.lint`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..grading import catalogue, grader, report_formats


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grade",
        help="grade a lab: Dockerfile, built image and running container",
        description="Grade a lab folder (as it is), a submission folder, or the lab's solution. "
        "Exit status: 0 all checks passed, 1 graded with failures, 2 or more could not grade.",
    )
    parser.add_argument("lab", help="the lab folder, e.g. labs/03-node-distroless")
    parser.add_argument("--submission", metavar="DIR", help="a submission folder (Dockerfile, optional app/ files)")
    parser.add_argument("--dockerfile", metavar="PATH", help="grade this Dockerfile instead of the lab's")
    parser.add_argument("--context", metavar="DIR", help="use this folder as the build context")
    parser.add_argument("--solution", action="store_true", help="grade the lab's reference solution")
    parser.add_argument("--format", choices=report_formats.FORMATS, default="terminal")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--keep-image", action="store_true", help="keep the built image (default: removed)")
    parser.add_argument("--no-progress", action="store_true", help="do not record this grading in your progress")
    parser.add_argument("--quiet", "-q", action="store_true", help="no live output, only the report")
    parser.set_defaults(handler=run_grade)

    checks = subparsers.add_parser("checks", help="list the check catalogue")
    checks.add_argument("--format", choices=("terminal", "json", "markdown"), default="terminal")
    checks.set_defaults(handler=run_checks)


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def run_grade(args: argparse.Namespace) -> int:
    live = args.format == "terminal" and not args.output
    console = Console(highlight=False, stderr=not live)
    quiet = args.quiet
    if not quiet:
        console.print(f"Grading [bold]{escape(args.lab)}[/]{' (solution)' if args.solution else ''}…")

    # The build's steps print in a section of their own, between the static checks and image.builds.
    build_section = {"open": False}

    def on_result(result) -> None:
        if not quiet:
            if build_section["open"]:
                build_section["open"] = False
                console.print()
            report_formats.print_result(result, console, 36)

    def on_build_event(event) -> None:
        if quiet:
            return
        kind = getattr(event.kind, "value", event.kind)
        if kind in ("step-finished", "step-cached", "step-failed", "queued") and not build_section["open"]:
            build_section["open"] = True
            console.print()
            console.print(" [bold]Build steps[/] (BuildKit)")
        if kind in ("step-finished", "step-cached", "step-failed") and event.step is not None:
            mark = {"step-finished": "·", "step-cached": "⚡", "step-failed": "✗"}[kind]
            line = f"line {event.step.line:>3} " if event.step.line else "         "
            console.print(f"   {mark} {line}{escape(event.step.instruction[:90])}", style="dim")
        elif kind == "queued":
            console.print(f"   {escape(event.text or '')}", style="magenta")

    report = grader.grade(
        args.lab,
        submission_dir=args.submission,
        dockerfile=args.dockerfile,
        context=args.context,
        solution=args.solution,
        on_result=on_result,
        on_build_event=on_build_event,
        keep_image=args.keep_image,
        record_progress=not args.no_progress and not args.solution,
    )
    if args.format == "terminal":
        if live:
            report_formats.summarize(report, console)
            if args.keep_image and report.image_id:
                console.print(f"Image kept: {report.image_id}")
        else:
            _write(report_formats.render(report, "terminal"), args.output)
    else:
        _write(report_formats.render(report, args.format), args.output)
        if not quiet:
            report_formats.summarize(report, console)
    return report.exit_code


def run_checks(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        sys.stdout.write(catalogue.as_markdown())
    elif args.format == "json":
        sys.stdout.write(json.dumps([c.to_dict() for c in catalogue.all_checks()], indent=2, default=str) + "\n")
    else:
        console = Console(highlight=False)
        for definition in catalogue.all_checks():
            params = ", ".join(f"{p.name}={p.default!r}" for p in definition.params)
            console.print(
                f"[bold]{definition.id}[/] — {escape(definition.title)}"
                + (f"  [dim]({escape(params)})[/]" if params else "")
            )
    return 0
