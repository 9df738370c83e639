"""``stagelab doctor``: a table of what is ready and what to fix."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from ..doctor import Status, blocking, diagnose

_STYLE = {Status.OK: "[green]ok[/]", Status.WARN: "[yellow]warn[/]", Status.FAIL: "[red bold]FAIL[/]"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="check the engine, BuildKit, disk, base images and network")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--no-registry", action="store_true", help="do not try to reach Docker Hub")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    findings = diagnose(check_registry=not args.no_registry)
    problems = blocking(findings)
    if args.json:
        print(json.dumps({"ready": not problems, "findings": [f.to_dict() for f in findings]}, indent=2))
        return 1 if problems else 0
    table = Table(title="Stagelab doctor", show_lines=False)
    table.add_column("Check")
    table.add_column("Status")
    table.add_column("Seen")
    table.add_column("Fix")
    for finding in findings:
        table.add_row(finding.item, _STYLE[finding.status], finding.detail, finding.fix)
    console = Console()
    console.print(table)
    if problems:
        console.print(f"[red]{len(problems)} problem(s) block the course.[/] Fix them in the order above.")
        return 1
    console.print("[green]Ready for the course.[/]")
    return 0
