"""``stagelab build``: a build with live progress in the terminal."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape

from ..engine import Build, BuildEvent, BuildFailed, BuildProgress, EventKind, StepState

#: How a step's state is marked in the terminal.
_MARK = {
    StepState.RUNNING: ("…", "yellow"),
    StepState.DONE: ("✓", "green"),
    StepState.CACHED: ("⚡", "cyan"),
    StepState.FAILED: ("✗", "red"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("build", help="build an image with live progress (BuildKit)")
    parser.add_argument("context", help="the build context folder")
    parser.add_argument("-f", "--file", dest="dockerfile", help="the Dockerfile (default: CONTEXT/Dockerfile)")
    parser.add_argument("--target", help="build only up to this stage")
    parser.add_argument("-t", "--tag", help="name the image")
    parser.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--no-cache", action="store_true", help="do not reuse cached steps")
    parser.add_argument("--quiet-logs", action="store_true", help="do not print the steps' output")
    parser.set_defaults(handler=run)


def _format_step(event: BuildEvent) -> str:
    step = event.step
    assert step is not None
    where = f"[{step.stage} {step.position}/{step.total}]" if step.stage else f"[{step.position}/{step.total}]"
    took = f" {event.duration_s:.1f}s" if event.duration_s is not None else ""
    line = f" (line {step.line})" if step.line else ""
    return escape(f"{where} {step.instruction[:100]}{line}{took}")


def run(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    build_args = {}
    for item in args.build_arg:
        name, sep, value = item.partition("=")
        if not sep:
            console.print(f"[red]error:[/] --build-arg needs NAME=VALUE, got '{item}'")
            return 2
        build_args[name] = value
    build = Build(
        args.context, args.dockerfile, target=args.target, tag=args.tag, build_args=build_args, no_cache=args.no_cache
    )
    progress = BuildProgress(build.plan)
    try:
        for event in build.events():
            step = progress.apply(event)
            if step is not None:
                mark, colour = _MARK[step.state]
                style = "dim" if step.state is StepState.RUNNING else None
                console.print(f"[{colour}]{mark}[/] {_format_step(event)}", style=style)
            elif event.kind is EventKind.LOG and not args.quiet_logs:
                console.print(f"    {event.text}", style="dim", markup=False)
            elif event.kind in (EventKind.NOTICE, EventKind.QUEUED):
                console.print(f"[magenta]{event.text}[/]")
    except KeyboardInterrupt:
        build.cancel()
        console.print("[red]cancelled[/]")
        return 130
    except BuildFailed as failure:
        console.print(f"[red bold]Build failed[/] {'at line ' + str(failure.line) if failure.line else ''}")
        if failure.excerpt:
            console.print(failure.excerpt, markup=False)
        for line in failure.log_tail[-15:]:
            console.print(f"    {line}", markup=False, style="dim")
        console.print(failure.reason, markup=False)
        console.print(f"[yellow]Hint:[/] {failure.hint}")
        return 1
    result = build.result
    assert result is not None
    console.print(
        f"[green bold]Built[/] {result.tag or result.image_id[:19]} in {result.duration_s:.1f}s — "
        f"{result.steps_cached}/{result.steps_total} steps from cache"
    )
    if result.stages_skipped:
        console.print(f"Stages not needed for this target, skipped by BuildKit: {', '.join(result.stages_skipped)}")
    return 0
