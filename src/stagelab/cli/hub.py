"""``stagelab hub``: the workshop hub — one JupyterLab and one private Docker engine per learner.

stagelab hub setup                 build the hub's images, install the proxy
stagelab hub start / stop [--purge] / status
stagelab hub learners add NAME...  give learners their sign-in tokens
stagelab hub gradebook LAB         grade every learner's working copy in their own engine
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("hub", help="the workshop hub: JupyterHub with one private engine per learner")
    commands = parser.add_subparsers(dest="hub_command", metavar="HUB_COMMAND")
    setup = commands.add_parser("setup", help="build the hub's images and install the proxy")
    setup.add_argument("--rebuild", action="store_true", help="rebuild the images even when present")
    setup.add_argument(
        "--no-kit", action="store_true", help="do not write the workshop kit (learner engines start empty)"
    )
    setup.set_defaults(handler=run_setup)
    start = commands.add_parser("start", help="start JupyterHub in the background")
    start.set_defaults(handler=run_start)
    stop = commands.add_parser("stop", help="stop JupyterHub, every learner's server and engine")
    stop.add_argument("--purge", action="store_true", help="also remove learners' homes and engine stores")
    stop.set_defaults(handler=run_stop)
    status = commands.add_parser("status", help="learners, their servers and engines")
    status.set_defaults(handler=run_status)
    learners = commands.add_parser("learners", help="sign-in tokens: `add NAME...` or `list`")
    learners.add_argument("action", choices=("add", "list"))
    learners.add_argument("names", nargs="*", metavar="NAME")
    learners.add_argument("--admin", action="store_true", help="the new names are instructors (hub admins)")
    learners.set_defaults(handler=run_learners)
    gradebook = commands.add_parser("gradebook", help="grade every learner's working copy in their own engine")
    gradebook.add_argument("lab", help="the lab folder, e.g. labs/04-node-distroless")
    gradebook.add_argument("--jobs", "-j", type=int, default=4, help="learners graded at once (default 4)")
    gradebook.add_argument(
        "--out", metavar="PREFIX", help="output files PREFIX.csv and PREFIX.html (default: hub-gradebook-LAB)"
    )
    gradebook.set_defaults(handler=run_gradebook)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def _settings():
    from ..hub import settings

    return settings.from_env()


def run_setup(args: argparse.Namespace) -> int:
    from ..hub import runner

    settings = _settings()
    runner.build_images(settings, rebuild=args.rebuild)
    runner.install_proxy(settings)
    if settings.hub.seeding.mode in ("kit", "none") and not args.no_kit:
        runner.ensure_kit(settings)
        settings = _settings()  # the kit now exists: seeding becomes `kit`
    print(f"hub images: {settings.hub.engine_image}, {settings.hub.lab_image}; seeding: {settings.hub.seeding.mode}")
    return 0


def run_start(args: argparse.Namespace) -> int:
    from ..hub import runner

    settings = _settings()
    pid = runner.start(settings)
    learners = settings.learners_file
    print(f"JupyterHub runs (pid {pid}) at {settings.url} — log: {settings.log_file}")
    print(f"Learners sign in with their name and token from {learners} (`stagelab hub learners add NAME...`).")
    return 0


def run_stop(args: argparse.Namespace) -> int:
    from ..hub import runner

    stopped = runner.stop(_settings(), purge=args.purge)
    removed = stopped.removed
    state = "stopped" if stopped.hub_was_running else "was not running"
    print(
        f"hub {state}; removed {removed.containers} containers, {removed.networks} networks, {removed.volumes} volumes"
    )
    return 0


def run_status(args: argparse.Namespace) -> int:
    from ..engine import workshop
    from ..hub import runner

    settings = _settings()
    pid = runner.running_pid(settings)
    console = Console(highlight=False)
    console.print(f"hub: {'runs (pid %d) at %s' % (pid, settings.url) if pid else 'not running'}")
    table = Table("learner", "engine", "privileged", "address")
    for engine in workshop.learner_engines(settings.hub):
        table.add_row(engine.learner, engine.container, str(engine.privileged), engine.ip)
    console.print(table)
    return 0


def run_learners(args: argparse.Namespace) -> int:
    from ..hub import auth

    settings = _settings()
    if args.action == "add":
        for learner in auth.add_learners(settings.learners_file, args.names, admin=args.admin):
            print(f"{learner.name}\t{learner.token}")
        return 0
    for learner in auth.read_learners(settings.learners_file).values():
        print(f"{learner.name}\t{learner.token}" + ("\tadmin" if learner.admin else ""))
    return 0


def run_gradebook(args: argparse.Namespace) -> int:
    from ..grading import gradebook
    from ..grading.spec import load_spec
    from ..hub import grading

    console = Console(highlight=False)
    spec = load_spec(args.lab)

    def done(entry: gradebook.Entry) -> None:
        report = entry.report
        outcome = "could not grade" if report.could_not_grade else f"{report.score:g}/{report.max_score:g}"
        console.print(f"  {escape(entry.learner)}: {outcome}")

    entries = grading.grade_all(_settings(), args.lab, jobs=args.jobs, on_done=done)
    prefix = Path(args.out or f"hub-gradebook-{spec.id}")
    csv_path = gradebook.write_csv(entries, prefix.with_suffix(".csv"))
    html_path = gradebook.write_html(entries, prefix.with_suffix(".html"), f"{spec.id} — {spec.title}")
    not_graded = sum(1 for e in entries if e.report.could_not_grade)
    console.print(f"Wrote {csv_path} and {html_path} ({len(entries)} learners, {not_graded} could not be graded).")
    return 0 if not not_graded else 2
