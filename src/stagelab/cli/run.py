"""``stagelab run``: run an image briefly with safe defaults and say how it behaved."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from rich.console import Console

from ..engine import Engine, ProbeResult


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=3000, help="the port the app listens on (default 3000)")
    parser.add_argument("--path", default="/", help="the HTTP path to GET (default /)")
    parser.add_argument(
        "--exit", dest="expect_exit", action="store_true", help="a command-line app: wait for it to exit"
    )
    parser.add_argument("--timeout", type=float, default=20, help="seconds to wait (default 20)")
    parser.add_argument("--memory", type=int, default=256, metavar="MB", help="memory limit in MB (default 256)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run an image briefly (safe limits, loopback only): does it answer, how fast, does it stop?",
        description="Run IMAGE with safe limits, ports on 127.0.0.1 only; the container is always removed. "
        "Options may come before or after IMAGE; a command to run instead of the image's CMD goes after --.",
    )
    _add_options(parser)
    parser.add_argument("image", help="the image to run")
    # Everything after IMAGE: more options, then `-- COMMAND...` (argparse's subparsers mishandle `--`).
    parser.add_argument("rest", nargs=argparse.REMAINDER, metavar="[-- COMMAND ...]")
    parser.set_defaults(handler=run)


def _split_rest(args: argparse.Namespace) -> list[str]:
    """Read options given after IMAGE into ``args``; return the command after ``--``."""
    rest = list(args.rest)
    options, command = (rest[: rest.index("--")], rest[rest.index("--") + 1 :]) if "--" in rest else (rest, [])
    if options:
        late = argparse.ArgumentParser(prog="stagelab run", add_help=False)
        _add_options(late)
        parsed = late.parse_args(options, namespace=argparse.Namespace(**vars(args)))
        vars(args).update(vars(parsed))
    return command


def _print(console: Console, result: ProbeResult) -> None:
    if not result.started:
        console.print(f"[red]Did not start:[/] {result.error}", markup=True, highlight=False)
        return
    if result.port is not None and result.ready:
        console.print(
            f"[green]Answered[/] GET on port {result.port}: HTTP {result.http_status} after {result.startup_s:.2f} s"
        )
        first_line = result.http_body.strip().splitlines()[0][:200] if result.http_body.strip() else ""
        if first_line:
            console.print(f"    {first_line}", markup=False, style="dim")
    if result.stopped_cleanly is not None:
        verdict = "[green]stopped cleanly[/]" if result.stopped_cleanly else "[yellow]did not stop on SIGTERM[/]"
        console.print(f"On SIGTERM: {verdict} in {result.stop_s:.2f} s")
    if result.exit_code is not None and result.port is None:
        console.print(f"Exit code: {result.exit_code}")
    if result.error:
        console.print(f"[red]Problem:[/] {result.error}", highlight=False)
    if result.logs.strip():
        console.print("Logs (last lines):")
        for line in result.logs.strip().splitlines()[-15:]:
            console.print(f"    {line}", markup=False, style="dim")


def run(args: argparse.Namespace) -> int:
    command = _split_rest(args)
    if args.timeout <= 0 or args.memory <= 0:
        Console(stderr=True).print("[red]error:[/] --timeout and --memory must be positive")
        return 2
    result = Engine().probes.probe(
        args.image,
        port=args.port,
        http_path=args.path,
        command=command or None,
        timeout_s=args.timeout,
        memory_mb=args.memory,
        expect_exit=args.expect_exit,
    )
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        _print(Console(highlight=False), result)
    return 0 if result.ok else 1
