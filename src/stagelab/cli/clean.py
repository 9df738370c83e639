"""``stagelab clean``: remove the course's leftovers, and nothing else."""

from __future__ import annotations

import argparse

from ..engine import Engine


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "clean", help="remove containers and images Stagelab made (base images are kept unless --stand-ins)"
    )
    parser.add_argument("--stand-ins", action="store_true", help="also remove the locally made base images")
    parser.add_argument("--owner", help="only objects of this owner label (e.g. one test session)")
    parser.add_argument("--dry-run", action="store_true", help="only count what would go")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.dry_run:
        found = Engine().leftovers(owner=args.owner, include_stand_ins=args.stand_ins)
        print(f"Would remove {found.containers} container(s) and {found.images} image(s).")
        return 0
    Engine().containers.sweep_pending()
    removed = Engine().remove_leftovers(owner=args.owner, include_stand_ins=args.stand_ins)
    print(f"Removed {removed.containers} container(s) and {removed.images} image(s) made by Stagelab.")
    return 0
