"""`stagelab doctor` against the running engine and against one that is not there."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.engine


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stagelab.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_doctor_reports_a_ready_machine_when_engine_and_images_are_there(engine):
    done = run_cli("doctor", "--json", "--no-registry")
    report = json.loads(done.stdout)
    by_item = {finding["item"]: finding for finding in report["findings"]}
    assert by_item["Docker engine"]["status"] == "ok"
    assert by_item["BuildKit (buildx)"]["status"] == "ok"
    assert by_item["Course base images"]["status"] == "ok", by_item["Course base images"]
    assert done.returncode == 0 and report["ready"] is True


def test_doctor_table_names_each_check(engine):
    done = run_cli("doctor", "--no-registry")
    for item in ("Docker engine", "BuildKit", "Free disk", "Course base images", "Extra CA certificates"):
        assert item in done.stdout


def test_doctor_without_an_engine_says_how_to_start_one_and_fails():
    done = run_cli("doctor", "--no-registry", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == 1
    assert "not reachable" in done.stdout
    assert "make engine" in done.stdout.replace("\n", " ") or "Docker Desktop" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_doctor_json_without_an_engine_is_not_ready():
    done = run_cli("doctor", "--json", "--no-registry", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    report = json.loads(done.stdout)
    assert report["ready"] is False
    assert done.returncode == 1
