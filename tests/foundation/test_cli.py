"""The CLI never answers bad input with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stagelab.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_no_command_prints_help_and_fails():
    done = run_cli()
    assert done.returncode == 2
    assert "usage" in done.stdout.lower()


def test_unknown_command_is_refused():
    done = run_cli("frobnicate")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_build_of_a_missing_context_says_what_to_give():
    done = run_cli("build", "/nonexistent/context")
    assert done.returncode == 2
    assert "is not a folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_build_without_a_dockerfile_says_so(tmp_path):
    done = run_cli("build", str(tmp_path))
    assert done.returncode == 2
    assert "Dockerfile" in done.stderr and "not found" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.engine
def test_build_streams_steps_and_reports_the_skipped_stage(engine, make_context):
    context = make_context(
        {
            "Dockerfile": "FROM scratch AS notes\nCOPY a.txt /a.txt\n\nFROM scratch AS unused\nCOPY a.txt /u\n\n"
            "FROM scratch\nCOPY --from=notes /a.txt /a.txt\n",
            "a.txt": "hello\n",
        }
    )
    done = run_cli("build", str(context))
    assert done.returncode == 0, done.stderr
    assert "COPY --from=notes /a.txt /a.txt" in done.stdout
    assert "skipped by BuildKit: unused" in done.stdout


@pytest.mark.engine
def test_build_failure_names_the_line_and_exits_1(engine, make_context):
    context = make_context({"Dockerfile": "FROM scratch\nCOPY missing.txt /m\n"})
    done = run_cli("build", str(context))
    assert done.returncode == 1
    assert "Build failed at line 2" in done.stdout
    assert "Hint:" in done.stdout


def test_clean_without_an_engine_fails_clearly():
    done = run_cli("clean", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == 3
    assert "not running" in done.stderr
    assert "Traceback" not in done.stderr
