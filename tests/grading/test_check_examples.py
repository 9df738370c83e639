"""Every check's documented examples are its tests, as hadolint's ruleCatches / ruleCatchesNot:
its `before` is caught (the check fails) and its `after` is not (the check passes).

One parametrized test over the whole catalogue, so a new check is tested the moment it is
written. A check that needs the built image or a running container (any phase after the static
one) documents fragments of a Dockerfile, not one that builds alone: those examples are shown in
the catalogue but not run here; the lab corpora grade them on real builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stagelab.grading import catalogue
from stagelab.grading.checks.base import CheckDefinition, Outcome, SkipCheck
from stagelab.grading.subject import Subject

CHECKS = sorted(catalogue.registry())
#: A Dockerfile for examples that show another file (e.g. `.dockerignore`).
MINIMAL_DOCKERFILE = "FROM scratch\n"


def _run_example(definition: CheckDefinition, text: str, folder: Path) -> Outcome:
    dockerfile = folder / "Dockerfile"
    if definition.example_file == "Dockerfile":
        dockerfile.write_text(text + "\n", encoding="utf-8")
    else:
        dockerfile.write_text(MINIMAL_DOCKERFILE, encoding="utf-8")
        (folder / definition.example_file).write_text(text + "\n", encoding="utf-8")
    subject = Subject(dockerfile, folder)
    params = {**definition.defaults(), **definition.example_params}
    try:
        return definition.function(subject, params)
    except SkipCheck as skip:
        pytest.skip(f"{definition.id} cannot run here: {skip.reason}")


def _static(check_id: str) -> CheckDefinition:
    definition = catalogue.get(check_id)
    if definition.needs_engine:
        pytest.skip(f"{check_id} checks the built image: its examples are Dockerfile fragments")
    return definition


@pytest.mark.parametrize("check_id", CHECKS)
def test_the_check_catches_its_before_example(check_id, tmp_path):
    definition = _static(check_id)
    outcome = _run_example(definition, definition.before, tmp_path)
    assert not outcome.passed, f"{check_id} passes its own `before`: {outcome.message}"


@pytest.mark.parametrize("check_id", CHECKS)
def test_the_check_does_not_catch_its_after_example(check_id, tmp_path):
    definition = _static(check_id)
    outcome = _run_example(definition, definition.after, tmp_path)
    assert outcome.passed, f"{check_id} fails its own `after`: {outcome.message}"


def test_every_check_documents_a_before_and_an_after():
    assert [c for c in CHECKS if not (catalogue.get(c).before and catalogue.get(c).after)] == []


def test_every_static_check_is_run_on_its_examples():
    static = [c for c in CHECKS if not catalogue.get(c).needs_engine]
    assert len(static) == 14, static
