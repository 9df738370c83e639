"""The ``stagelab`` command: a thin terminal face over the library.

Each module in this package adds its subcommands through ``register(subparsers)``
and is found automatically, so areas of the course add commands without editing
a shared list. Handlers return an exit status; errors are :class:`StagelabError`
and are printed as one clear message, never a traceback.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every module's subcommands, or only module ``only``'s (see :func:`main`)."""
    import argparse
    import importlib
    import pkgutil

    parser = argparse.ArgumentParser(
        prog="stagelab",
        description="Learn single-stage, multi-stage and distroless container images by building them.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = [only] if only else sorted(m.name for m in pkgutil.iter_modules(__path__))
    for name in names:
        if name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def _own_module(argv: list[str]) -> str | None:
    """The module named like the command (``stagelab lint`` → ``cli/lint.py``), if there is one.

    Only that module is imported then: other commands' modules import the engine and
    the Docker SDK, which would make ``stagelab lint`` start ten times slower than hadolint.
    """
    if not argv or argv[0].startswith("-"):
        return None
    import pkgutil

    names = {m.name for m in pkgutil.iter_modules(__path__)}
    return argv[0] if argv[0] in names and not argv[0].startswith("_") else None


def main(argv: list[str] | None = None) -> int:
    as_the_program = argv is None  # the console script and `python -m stagelab`: the process ends after this
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lint"]:
        # Before argparse and the other commands' modules: `stagelab lint` must start about as fast as hadolint.
        from . import lint

        return _run(lambda: lint.main(argv[1:], process_ends_after=as_the_program))
    parser = build_parser(_own_module(argv))
    if _own_module(argv) and argv[0] not in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        parser = build_parser()  # the module does not define its namesake command: load them all
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return _run(lambda: args.handler(args))


def _run(command: Callable[[], int | None]) -> int:
    """Run a command's handler: its exit status, or one clear message for a StagelabError (never a traceback)."""
    from ..errors import StagelabError

    try:
        return int(command() or 0)
    except StagelabError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
