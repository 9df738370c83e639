"""`stagelab lint` starts fast: it imports neither the Docker SDK nor anything of stagelab.engine.

Speed itself is measured in bench/bench_lint.py, never asserted here; these tests pin down
what makes it possible (what is imported) and that the shortcuts change no answer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
CORPUS = Path(__file__).resolve().parent / "corpus"

PROBE = """
import sys, runpy
sys.argv = ["stagelab", "lint", "--format", "json", *sys.argv[1:]]
try:
    runpy.run_module("stagelab", run_name="__main__")
except SystemExit as done:
    status = done.code
engine = sorted(m for m in sys.modules if m == "docker" or m.startswith(("docker.", "stagelab.engine", "requests", "urllib3")))
print("MODULES" + __import__("json").dumps({"status": status, "engine": engine}), file=sys.stderr)
"""


def test_lint_imports_nothing_of_the_engine_nor_the_docker_sdk():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(CORPUS / "node-distroless.Dockerfile")],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    line = next(l for l in completed.stderr.splitlines() if l.startswith("MODULES"))
    probe = json.loads(line[len("MODULES") :])
    assert probe["status"] == 0, completed.stdout[-2000:]
    assert probe["engine"] == [], probe["engine"]


def test_other_commands_are_still_all_registered(capsys):
    from stagelab.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"lint", "grade", "checks", "build"} <= set(commands)


#: Loaded by Python at start-up (PYTHONPATH): at exit, writes the name of every module imported to $MODULES_FILE.
_SITECUSTOMIZE = """
import atexit, os, sys
atexit.register(lambda: open(os.environ["MODULES_FILE"], "w").write("\\n".join(sorted(sys.modules))))
"""


def _launchers() -> list[list[str]]:
    """How a user starts the command: ``python -m stagelab``, and the venv's console script when installed."""
    launchers = [["-m", "stagelab"]]
    script = Path(sys.executable).with_name("stagelab")
    if script.exists():
        launchers.append([str(script)])
    return launchers


def _modules_imported_by(arguments: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python ARGUMENTS`` as a new process: its result and every module it had imported when it exited.

    A sitecustomize module lists ``sys.modules`` at exit, so the command runs exactly as typed
    (``-X importtime`` would not do: it misses modules loaded through importlib.import_module).
    """
    (tmp_path / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    modules_file = tmp_path / "modules.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(tmp_path)]), "MODULES_FILE": str(modules_file)}
    completed = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, timeout=60, env=env)
    return completed, set(modules_file.read_text().split())


@pytest.mark.parametrize("launcher", _launchers(), ids=lambda launcher: " ".join(Path(w).name for w in launcher))
@pytest.mark.parametrize("output_format", ["terminal", "json"])
def test_lint_as_run_imports_nothing_of_the_engine_nor_the_lab_spec(launcher, output_format, tmp_path):
    completed, modules = _modules_imported_by(
        [*launcher, "lint", "--format", output_format, str(CORPUS / "node-distroless.Dockerfile")], tmp_path
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "stagelab.grading.lint" in modules  # the probe saw the lint's own imports
    forbidden = {m for m in modules if m.split(".")[0] in {"docker", "requests", "urllib3", "yaml", "rich", "click"}}
    forbidden |= {
        m for m in modules if m.startswith(("stagelab.engine", "stagelab.grading.spec", "stagelab.grading.catalogue"))
    }
    assert not forbidden, sorted(forbidden)


def test_lint_loads_only_the_static_check_family(tmp_path):
    _, modules = _modules_imported_by(["-m", "stagelab", "lint", str(CORPUS / "node-distroless.Dockerfile")], tmp_path)
    families = {
        m.rsplit(".", 1)[1] for m in modules if m.startswith("stagelab.grading.checks.") and not m.endswith(".base")
    }
    assert families == {"dockerfile"}


def _argparse_reading(argv: list[str]) -> dict | None:
    from stagelab.cli import lint

    parser = argparse.ArgumentParser(prog="stagelab lint", exit_on_error=False)
    lint._add_arguments(parser)
    try:
        parsed = vars(parser.parse_args(argv))
    except (argparse.ArgumentError, SystemExit):
        return None
    parsed.pop("handler")
    return parsed


@pytest.mark.parametrize(
    "argv",
    [
        ["Dockerfile"],
        ["a", "b", "c"],
        ["--format", "json", "a", "b"],
        ["a", "b", "--format=junit", "-o", "report.xml"],
        ["-o", "out.json", "--format", "json", "a"],
        ["--output=out", "a", "--format", "terminal"],
        ["--format", "json", "a", "--output", "o", "--format", "junit"],
        ["", "--output="],
        ["a", "--format", "json", "b"],  # files on both sides of an option: argparse refuses
        ["--format", "yaml", "a"],  # not a format
        ["--form", "json", "a"],  # an abbreviation argparse accepts
        ["-ofile", "a"],
        ["-o=file", "a"],
        ["-o", "-", "a"],
        ["--", "-a"],
        ["-"],
        ["--help"],
        ["--format", "json"],
        ["a", "--output"],
        [],
    ],
)
def test_plain_arguments_are_read_as_argparse_reads_them(argv):
    from stagelab.cli import lint

    plain = lint._plain_arguments(argv)
    if plain is None:
        return  # left to argparse itself
    fast = {k: v for k, v in vars(plain).items() if k != "handler"}
    assert fast == _argparse_reading(argv)


def test_check_texts_are_dedented_as_textwrap_does():
    from stagelab.grading.checks.base import dedent

    samples = [
        "\n        FROM node:24\n        RUN npm ci\n    ",
        "  a\n\t b",
        "\ta\n\tb\n",
        "   \n  x\n    y\n  \n",
        "x\n  y",
        "  \t a\n  \t\tb",
        "",
        "\n\n",
    ]
    for text in samples:
        assert dedent(text) == textwrap.dedent(text).strip("\n"), repr(text)
