"""`stagelab lint` starts fast: it imports neither the Docker SDK nor anything of stagelab.engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    probe = json.loads(line[len("MODULES"):])
    assert probe["status"] == 0, completed.stdout[-2000:]
    assert probe["engine"] == [], probe["engine"]


def test_other_commands_are_still_all_registered(capsys):
    from stagelab.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"lint", "grade", "checks", "build"} <= set(commands)
