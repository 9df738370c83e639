"""``stagelab images prepare|list|export|import``: the course's base images without a registry."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import StagelabError
from ..units import format_size


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("images", help="make, list, export and import the course's base images")
    commands = parser.add_subparsers(dest="images_command", metavar="ACTION")

    prepare = commands.add_parser("prepare", help="make every course image available: keep, pull, or build a stand-in")
    prepare.add_argument("--only", nargs="+", metavar="REF", help="only these references (and what they are made from)")
    prepare.add_argument(
        "--ca-cert",
        action="append",
        default=[],
        metavar="PATH",
        help="an extra CA certificate the images must trust (repeatable; /usr/local/share/ca-certificates/*.crt always)",
    )
    prepare.add_argument("--rebuild", action="store_true", help="remake stand-ins that already exist")
    prepare.add_argument("--no-pull", action="store_true", help="do not try a registry first")
    prepare.add_argument(
        "--no-cache", action="store_true", help="build without BuildKit's layer cache (downloads stay cached)"
    )
    prepare.set_defaults(handler=run_prepare)

    listing = commands.add_parser("list", help="each course image: source, real content, size")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=run_list)

    export = commands.add_parser("export", help="write all course images present into one archive (a workshop kit)")
    export.add_argument("file", help="the archive to write (e.g. stagelab-images.tar)")
    export.add_argument("--only", nargs="+", metavar="REF", help="only these references")
    export.set_defaults(handler=run_export)

    load = commands.add_parser("import", help="verify a workshop kit's checksums, then load its images")
    load.add_argument("file", help="the archive written by `stagelab images export`")
    load.set_defaults(handler=run_import)

    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])


def _size(size_bytes: int | None) -> str:
    return format_size(size_bytes or None, missing="—")


_ACTION_STYLE = {
    "kept": "green",
    "built": "cyan",
    "pulled": "cyan",
    "tagged": "green",
    "unavailable": "yellow",
    "failed": "red",
}


def _explained_later(action) -> bool:
    """Failures and unavailable images are explained in full after the summary."""
    from ..images.prepare import Action

    return action in (Action.FAILED, Action.UNAVAILABLE)


def run_prepare(args: argparse.Namespace) -> int:
    from ..images.prepare import Progress as PrepareProgress
    from ..images.prepare import prepare

    console = Console(highlight=False)
    started = time.monotonic()
    if not console.is_terminal:
        # A log (CI, make, a notebook's subprocess): one line per image, no redrawn bars.
        def log_line(update: PrepareProgress) -> None:
            if update.finished and update.action is not None:
                colour = _ACTION_STYLE[update.action.value]
                # Failures and unavailable images are explained in full after the summary.
                detail = "" if _explained_later(update.action) else update.message[:90]
                console.print(f"[{colour}]{update.action.value:<11}[/] {escape(update.reference)}  {escape(detail)}")
                console.file.flush()  # so a log shows each image as it finishes

        report = prepare(
            args.only,
            on_progress=log_line,
            ca_certs=args.ca_cert,
            rebuild=args.rebuild,
            pull=not args.no_pull,
            no_cache=args.no_cache,
        )
        return _summary(console, report, started)
    with Progress(
        TextColumn("{task.fields[reference]:<48}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),
        console=console,
        transient=False,
    ) as bars:
        tasks: dict[str, int] = {}

        def on_progress(update: PrepareProgress) -> None:
            if update.reference not in tasks:
                tasks[update.reference] = bars.add_task("", total=max(update.total, 1), reference=update.reference)
            task = tasks[update.reference]
            description = update.message[:70]
            if update.finished:
                bars.update(task, total=1, completed=1, description=description)
                bars.stop_task(task)
            else:
                bars.update(task, total=max(update.total, 1), completed=update.completed, description=description)

        report = prepare(
            args.only,
            on_progress=on_progress,
            ca_certs=args.ca_cert,
            rebuild=args.rebuild,
            pull=not args.no_pull,
            no_cache=args.no_cache,
        )
    return _summary(console, report, started)


def _summary(console: Console, report, started: float) -> int:
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        counts[outcome.action.value] = counts.get(outcome.action.value, 0) + 1
    summary = ", ".join(f"[{_ACTION_STYLE[a]}]{n} {a}[/]" for a, n in counts.items())
    console.print(f"Images: {summary} — total time {time.monotonic() - started:.1f} s")
    for outcome in report.outcomes:
        if _explained_later(outcome.action):
            colour = _ACTION_STYLE[outcome.action.value]
            console.print(f"[{colour}]{outcome.action.value}[/] {escape(outcome.reference)}: {escape(outcome.message)}")
    return 0 if report.ok else 1


def run_list(args: argparse.Namespace) -> int:
    from ..images import status

    rows = status()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "reference": r.reference,
                        "source": r.source.value,
                        "content": r.content,
                        "size_bytes": r.size_bytes,
                        "upstream_size_bytes": r.upstream_size_bytes,
                        "image_id": r.image_id,
                        "note": r.note,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    table = Table(title="Course images", show_lines=False)
    for column in ("Reference", "Source", "Size", "Upstream", "What is inside"):
        table.add_column(column, overflow="fold")
    colours = {"stand-in": "cyan", "present": "green", "pulled": "green", "missing": "red", "unavailable": "yellow"}
    for row in rows:
        table.add_row(
            escape(row.reference),
            f"[{colours[row.source.value]}]{row.source.value}[/]",
            _size(row.size_bytes),
            _size(row.upstream_size_bytes),
            escape(row.content or row.note),
        )
    Console().print(table)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from ..images import kit

    console = Console(highlight=False)
    started = time.monotonic()
    manifest = kit.export(Path(args.file), refs=args.only, on_message=lambda text: console.print(text, style="dim"))
    console.print(
        f"[green]Wrote[/] {args.file}: {len(manifest.images)} images, {_size(manifest.archive_bytes)} "
        f"in {time.monotonic() - started:.1f} s"
    )
    if manifest.skipped:
        console.print(f"[yellow]Not in the engine, so not exported:[/] {', '.join(manifest.skipped)}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from ..images import kit

    console = Console(highlight=False)
    started = time.monotonic()
    if not Path(args.file).is_file():
        raise StagelabError(f"{args.file} does not exist. Give the archive written by `stagelab images export`.")
    loaded = kit.import_kit(Path(args.file), on_message=lambda text: console.print(text, style="dim"))
    console.print(f"[green]Loaded and verified[/] {len(loaded)} images in {time.monotonic() - started:.1f} s")
    return 0
