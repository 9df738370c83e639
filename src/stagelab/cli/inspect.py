"""``stagelab inspect IMAGE`` and ``stagelab compare IMAGE IMAGE…``: image reports in the terminal."""

from __future__ import annotations

import argparse
import json
import os
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..engine import Engine, ImageReport
from ..units import format_size


def register(subparsers: argparse._SubParsersAction) -> None:
    inspect_parser = subparsers.add_parser(
        "inspect", help="what is inside an image: size, layers, config, attack surface, efficiency"
    )
    inspect_parser.add_argument("image", help="image reference or id (e.g. node:24-trixie)")
    inspect_parser.add_argument("--json", action="store_true", help="print the report as JSON")
    inspect_parser.add_argument("--top", type=int, default=10, metavar="N", help="how many biggest files to list")
    inspect_parser.set_defaults(handler=run_inspect)

    compare_parser = subparsers.add_parser("compare", help="several images side by side, with ratios to the smallest")
    compare_parser.add_argument("images", nargs="+", metavar="IMAGE", help="image references or ids")
    compare_parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    compare_parser.set_defaults(handler=run_compare)


def _badge(present: bool, text: str) -> str:
    # Present tools are what an intruder would use: red; absent: green.
    return f"[bold red]✗ {escape(text)}[/]" if present else f"[bold green]✓ {escape(text)}[/]"


def _listing(items: tuple[str, ...], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" … (+{len(items) - limit})" if len(items) > limit else "")


def print_report(report: ImageReport, console: Console, top: int = 10) -> None:
    """Print a readable image report."""
    console.print(f"[bold]{escape(report.ref)}[/]  {report.image_id[:19]}")
    console.print(
        f"Size [bold]{format_size(report.size_bytes)}[/] ({report.size_bytes:,} bytes, uncompressed, as `docker images`)"
        f" · {len(report.file_layers)} layers · {len(report.files):,} paths"
        + (f" · {escape(report.os_name)}" if report.os_name else "")
    )

    config = report.config
    console.print("\n[bold]Config[/]")
    console.print(f"  user        {escape(config.user or '(root)')}  → {'non-root' if report.non_root else 'root'}")
    console.print(f"  entrypoint  {escape(json.dumps(list(config.entrypoint)) if config.entrypoint else '-')}")
    console.print(f"  cmd         {escape(json.dumps(list(config.cmd)) if config.cmd else '-')}")
    console.print(f"  workdir     {escape(config.workdir or '/')}")
    if config.exposed_ports:
        console.print(f"  ports       {escape(', '.join(config.exposed_ports))}")
    for name, value in config.env.items():
        console.print(f"  env         {escape(name)}={escape(value)}", overflow="ellipsis", no_wrap=True)

    layers = Table(title="Layers", title_justify="left", show_edge=False, pad_edge=False)
    layers.add_column("#", justify="right", min_width=2, no_wrap=True)
    layers.add_column("size", justify="right", min_width=8, no_wrap=True)
    layers.add_column("instruction", overflow="ellipsis", no_wrap=True, max_width=max(20, console.width - 16))
    for layer in report.layers:
        style = "dim" if layer.empty else None
        layers.add_row(
            str(layer.index),
            "" if layer.empty else format_size(layer.size_bytes),
            escape(layer.created_by),
            style=style,
        )
    console.print()
    console.print(layers)

    surface = report.surface
    console.print("\n[bold]Attack surface[/]")
    console.print(
        "  " + _badge(surface.has_shell, "shell" + (f": {_listing(surface.shells)}" if surface.shells else ": none"))
    )
    console.print(
        "  "
        + _badge(
            surface.has_package_manager,
            "package managers" + (f": {_listing(surface.package_managers)}" if surface.package_managers else ": none"),
        )
    )
    console.print(
        "  "
        + _badge(
            surface.has_compilers,
            "compilers/build tools" + (f": {_listing(surface.compilers)}" if surface.compilers else ": none"),
        )
    )
    console.print(
        "  " + _badge(not report.non_root, "runs as " + ("root" if not report.non_root else f"user {config.user}"))
    )
    console.print(
        "  "
        + _badge(
            bool(surface.setuid_files),
            f"setuid/setgid files: {len(surface.setuid_files)}"
            + (f" ({_listing(surface.setuid_files, 4)})" if surface.setuid_files else ""),
        )
    )
    console.print(f"  interpreters: {escape(_listing(surface.interpreters) or 'none')}")
    console.print(f"  executables: {surface.executables_count:,} · Debian packages: {len(surface.packages)}")

    biggest = Table(title="Biggest files", title_justify="left", show_edge=False, pad_edge=False)
    biggest.add_column("size", justify="right")
    biggest.add_column("path", overflow="fold")
    for path, size in report.biggest(top, "file"):
        biggest.add_row(format_size(size), escape(path))
    folders = Table(title="Biggest folders", title_justify="left", show_edge=False, pad_edge=False)
    folders.add_column("size", justify="right")
    folders.add_column("path", overflow="fold")
    for path, size in report.biggest(top, "dir"):
        folders.add_row(format_size(size), escape(path))
    console.print()
    console.print(biggest)
    console.print()
    console.print(folders)

    console.print("\n[bold]Layer efficiency[/] (as dive computes it)")
    console.print(
        f"  efficiency {report.efficiency:.2%} · wasted {format_size(report.wasted_bytes)}"
        f" · user wasted {report.user_wasted_percent:.2f}% of the layers above the base"
    )
    for item in report.efficiency_details.wasted_paths[:5]:
        console.print(
            f"    {format_size(item.cumulative_bytes):>8}  in {item.layers_count} layers  {escape(item.path)}"
        )


def _print_json(data: dict) -> None:
    try:
        print(json.dumps(data, indent=2), flush=True)
    except BrokenPipeError:
        # `stagelab inspect X --json | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def run_inspect(args: argparse.Namespace) -> int:
    report = Engine().reports.image(args.image)
    if args.json:
        _print_json(report.to_dict())
        return 0
    print_report(report, Console(highlight=False), top=args.top)
    return 0


def run_compare(args: argparse.Namespace) -> int:
    comparison = Engine().reports.compare(args.images)
    if args.json:
        _print_json(comparison.to_dict())
        return 0
    rows = comparison.table_rows()
    # Images as columns, figures as rows: a dozen figures fit a terminal better downwards.
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("", style="bold", no_wrap=True)
    smallest = comparison.smallest.ref
    for cells in rows[1:]:
        table.add_column(
            escape(cells[0]),
            justify="right",
            overflow="fold",
            header_style="bold green" if cells[0] == smallest else "bold",
        )
    for index, label in enumerate(rows[0][1:], start=1):
        table.add_row(escape(label), *[escape(cells[index]) for cells in rows[1:]])
    console = Console(highlight=False)
    console.print(table)
    console.print(
        f"Sizes are uncompressed, as `docker images` shows them; ratios are to the smallest ({escape(smallest)})."
    )
    return 0
