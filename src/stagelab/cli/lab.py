"""``stagelab lab start``: set up a lab's working folder (the lab's files plus its example app)."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape

from .. import lab_readmes, labs


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lab", help="set up a lab to work on", description="Work with the course's labs.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser(
        "start",
        help="set up a lab's working folder: its starter files plus the example app it builds",
        description="Copy the lab's example app (lab.yaml's app:) into the lab's app/ folder, keeping every "
        "file already there; with --into, set up a stand-alone copy in DIR/LAB instead (no solution).",
    )
    start.add_argument("lab", help="the lab: its folder (labs/01-first-image), id (01-first-image) or number (01)")
    start.add_argument("--into", metavar="DIR", help="set the lab up in DIR/<lab id>/ instead of in place")
    start.set_defaults(handler=run_start)

    readmes = actions.add_parser(
        "readmes",
        help="regenerate the labs' README parts that come from lab.yaml (chapter link, points table)",
        description="For course authors: rewrite the marked parts of labs/*/README.md from each lab.yaml. "
        "Exit status 1 with --check when a README is out of step.",
    )
    readmes.add_argument("--labs", default=None, metavar="DIR", help="the labs folder (default: the course's labs/)")
    readmes.add_argument("--check", action="store_true", help="only report READMEs out of step (exit status 1)")
    readmes.set_defaults(handler=run_readmes)


def run_start(args: argparse.Namespace) -> int:
    folder = labs.start(args.lab, into=args.into)
    console = Console(highlight=False)
    app = f" with examples/{folder.app}" if folder.app else ""
    where = "in place" if folder.in_place else "as a stand-alone copy"
    console.print(
        f"Lab {escape(folder.lab_id)} set up {where}{escape(app)}: {escape(str(folder.path))} "
        f"({len(folder.copied)} file{'s' if len(folder.copied) != 1 else ''} copied)."
    )
    context = folder.context
    console.print(f"Build it:  stagelab build {escape(str(context))} -f {escape(str(folder.path / 'Dockerfile'))}")
    console.print(f"Grade it:  stagelab grade {escape(str(folder.path))}")
    return 0


def run_readmes(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    updates = lab_readmes.update_all(args.labs or labs.course_root() / "labs", write=not args.check)
    stale = [u for u in updates if u.changed]
    for update in updates:
        if update.missing_parts:
            console.print(f"{escape(str(update.path))}: no marked part for {', '.join(update.missing_parts)}")
    for update in stale:
        console.print(f"{escape(str(update.path))}: {'out of step with lab.yaml' if args.check else 'updated'}")
    if not stale:
        console.print(f"{len(updates)} READMEs match their lab.yaml.")
    return 1 if args.check and stale else 0
