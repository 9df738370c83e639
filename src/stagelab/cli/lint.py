"""``stagelab lint``: the Dockerfile checks alone, for any Dockerfile, without a lab or an engine.

It must start about as fast as hadolint, so the ``stagelab`` command sends ``lint`` here
before it imports anything else (:func:`main`): the arguments are read (by argparse only
when they are not in the plain form), hadolint is started on the first file, then the
grading library loads while hadolint runs. Nothing of :mod:`stagelab.engine` (nor the
Docker SDK, nor the lab spec's YAML, nor the check families lint does not run) is imported.

Exit status: 0 every check passed, 1 findings, 2 a file could not be linted
(missing, not a regular file, too big, not text) — 2 wins over 1.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (this module must load fast)
if TYPE_CHECKING:
    import argparse


_DESCRIPTION = (
    "The Dockerfile checks alone, for any Dockerfile. Exit status: 0 every check passed, "
    "1 findings, 2 a file could not be linted (missing, not a regular file, too big, not text)."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    lint = subparsers.add_parser("lint", help="check Dockerfiles without a lab or an engine", description=_DESCRIPTION)
    _add_arguments(lint)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dockerfiles", nargs="+", metavar="DOCKERFILE")
    parser.add_argument("--format", choices=_FORMATS, default="terminal")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(handler=run_lint)


def main(argv: list[str], process_ends_after: bool = False) -> int:
    """``stagelab lint ARGS`` (the ``stagelab`` command sends it here before it imports anything else).

    Arguments in the plain form are read without argparse (its import, and the terminal
    size it asks for, cost more than a lint's checks); anything else goes to argparse,
    with its help and its error messages.

    ``process_ends_after``: the process exits when this returns (the command, not a caller
    in Python). Then the cyclic garbage collector is off for the run, and what the run
    made is frozen at the end: a lint is short and leaves little garbage, and at exit the
    interpreter would otherwise walk every object of the library once more (measured:
    about a tenth of a lint's time).
    """
    if process_ends_after:
        gc.disable()
    try:
        args = _plain_arguments(argv)
        if args is None:
            import argparse

            parser = argparse.ArgumentParser(prog="stagelab lint", description=_DESCRIPTION)
            _add_arguments(parser)
            args = parser.parse_args(argv)
        return run_lint(args)
    finally:
        if process_ends_after:
            gc.freeze()


_FORMATS = ("terminal", "json", "junit")
_OPTIONS = {"--format": "format", "--output": "output", "-o": "output"}


def _plain_arguments(argv: list[str]):
    """The arguments as argparse reads them, when they are in a form it reads one way only; else None.

    That form: DOCKERFILE… in one run, with ``--format X``, ``--format=X``, ``--output FILE``,
    ``--output=FILE`` or ``-o FILE`` before or after them (X one of the formats, no value
    starting with ``-``). Help, abbreviations, ``--`` and every mistake are left to argparse.
    """
    from types import SimpleNamespace

    values: dict[str, str | None] = {"format": "terminal", "output": None}
    dockerfiles: list[str] = []
    options_after_files = False
    index = 0
    while index < len(argv):
        word = argv[index]
        if word.startswith("-"):
            name, equals, value = word.partition("=")
            option = _OPTIONS.get(name)
            if option is None or (equals and name == "-o"):
                return None
            if not equals:
                if index + 1 == len(argv):
                    return None
                index += 1
                value = argv[index]
            if value.startswith("-") or (option == "format" and value not in _FORMATS):
                return None
            values[option] = value
            options_after_files = bool(dockerfiles)
        elif options_after_files:
            return None  # DOCKERFILEs on both sides of an option: argparse refuses that
        else:
            dockerfiles.append(word)
        index += 1
    if not dockerfiles:
        return None
    return SimpleNamespace(dockerfiles=dockerfiles, **values, handler=run_lint)


#: Files per hadolint process when lint is given many: hadolint's own start is then paid once per
#: batch, and the first files' checks need not wait for the last files' findings.
_BATCH = 32


def _start_hadolint(paths: list[str]) -> None:
    """Start hadolint on the files now (one process for them all), so it runs while Python imports and checks.

    Only the file reader and the process starter are loaded for this; a file that cannot
    be read is left for the lint itself to report.
    """
    from ..dockerfile.reading import DockerfileUnreadable, read_text
    from ..grading import hadolint_process

    texts = []
    for path in paths:
        try:
            texts.append(read_text(path))
        except (DockerfileUnreadable, OSError):
            pass
    try:
        hadolint_process.prestart(*texts)
    except (OSError, hadolint_process.HadolintMissing):
        pass


def run_lint(args: argparse.Namespace) -> int:
    paths = list(args.dockerfiles)
    batches = [paths[start : start + _BATCH] for start in range(0, len(paths), _BATCH)]
    _start_hadolint(batches[0])
    from ..grading import report_formats
    from ..grading.lint import lint

    reports = []
    for index, path in enumerate(paths):
        following = index // _BATCH + 1
        if index % _BATCH == 0 and following < len(batches):
            _start_hadolint(batches[following])  # at most two hadolint processes at a time
        reports.append(lint(path))
    if args.format == "terminal" and not args.output:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        for report in reports:
            sys.stdout.write(_terminal_text(report, color))
    else:
        text = report_formats.render(reports if len(reports) > 1 or args.format == "junit" else reports[0], args.format)
        if args.output:
            from pathlib import Path

            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    for report in reports:
        if report.could_not_grade:
            print(f"error: {report.could_not_grade}", file=sys.stderr)
    if any(r.could_not_grade for r in reports):
        return 2
    return 0 if all(r.all_passed for r in reports) else 1


_COLORS = {"green": "32", "red": "31", "dim": "2", "magenta": "35", "yellow": "33", "bold": "1"}


def _terminal_text(report, color: bool) -> str:
    """The report as `stagelab grade` prints it, written without rich (importing it costs more than a lint)."""
    from ..grading.report_formats import _MARKS, explanation
    from ..grading.results import CheckStatus

    def paint(text: str, style: str | None) -> str:
        return f"\033[{_COLORS[style]}m{text}\033[0m" if color and style else text

    lines = [f"{paint(report.lab_id, 'bold')} — {report.title}"]
    width = max((len(r.check_id) for r in report.results), default=10)
    for result in report.results:
        mark, colour = _MARKS.get(result.status, ("?", None))
        points = f"{result.points:g}/{result.max_points:g}"
        first, *rest = (result.message or "").splitlines() or [""]
        line = f" {paint(mark, colour)} {result.check_id.ljust(width)} {points:>7}  {first}"
        lines.append(paint(line, "dim") if result.status is CheckStatus.SKIPPED else line)
        lines += [paint(f"      {text}", "dim") for text in rest[:12]]
        for text in explanation(result):
            lines.append(paint(f"      {text}", "yellow" if text.startswith(("hint:", "warning:")) else "dim"))
    counts = {status: sum(1 for r in report.results if r.status is status) for status in CheckStatus}
    parts = [f"{counts[CheckStatus.PASSED]} passed", f"{counts[CheckStatus.FAILED]} failed"]
    if counts[CheckStatus.SKIPPED]:
        parts.append(f"{counts[CheckStatus.SKIPPED]} skipped")
    if counts[CheckStatus.ERROR]:
        parts.append(f"{counts[CheckStatus.ERROR]} errors")
    score = paint(f"Score {report.score:g}/{report.max_score:g}", "green" if report.all_passed else "red")
    lines.append(f"{score} ({', '.join(parts)}) in {report.duration_s:.1f} s")
    if report.could_not_grade:
        lines.append(f"{paint('Could not lint:', 'magenta')} {report.could_not_grade}")
    return "\n".join(lines) + "\n"
