"""Each lint check is one unit: its documented `before` example fails it and its `after` example passes."""

from __future__ import annotations

import pytest

from stagelab.grading import catalogue, grader
from stagelab.grading.grader import LINT_CHECKS

#: Checks whose before/after are full Dockerfiles (the others document a fragment or need a lab).
EXAMPLE_DRIVEN = [c for c in LINT_CHECKS if c not in ("dockerfile.parses", "dockerfile.hadolint", "dockerfile.copy-from-defined")]


def _lint_one(tmp_path, text: str, check_id: str):
    path = tmp_path / "Dockerfile"
    path.write_text(text + "\n", encoding="utf-8")
    report = grader.lint(path, ["dockerfile.parses", check_id])
    return report.result(check_id)


@pytest.mark.parametrize("check_id", EXAMPLE_DRIVEN)
def test_the_documented_before_example_is_caught(check_id, tmp_path):
    definition = catalogue.get(check_id)
    result = _lint_one(tmp_path, definition.before, check_id)
    assert result.status == "failed", f"{check_id} passes its own `before`: {result.message}"


@pytest.mark.parametrize("check_id", EXAMPLE_DRIVEN)
def test_the_documented_after_example_passes(check_id, tmp_path):
    definition = catalogue.get(check_id)
    result = _lint_one(tmp_path, definition.after, check_id)
    assert result.status == "passed", f"{check_id} fails its own `after`: {result.message}"


def test_every_lint_check_but_three_is_driven_by_its_examples():
    assert len(EXAMPLE_DRIVEN) == len(LINT_CHECKS) - 3
