"""Every check's documented examples are its tests, as hadolint's ruleCatches / ruleCatchesNot:
its `before` is caught (the check fails) and its `after` is not (the check passes).

One parametrized test over the whole catalogue, so a new check is tested the moment it is
written. Static checks run on the example text. An engine check whose examples build alone
(``example_builds`` on its definition) has them built and graded on the real engine; the other
engine checks document fragments of a Dockerfile (a build stage, the lab's app), which the lab
corpora grade on real builds instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stagelab.engine import Engine
from stagelab.grading import catalogue, grader
from stagelab.grading.checks.base import CheckDefinition, SkipCheck
from stagelab.grading.results import CheckStatus
from stagelab.grading.spec import CheckSpec
from stagelab.grading.subject import Subject

CASES = [
    pytest.param(check_id, marks=pytest.mark.engine) if definition.example_builds else check_id
    for check_id, definition in sorted(catalogue.registry().items())
    # Fragments of a Dockerfile (a build stage, the lab's app) do not build alone: the lab corpora
    # grade those checks on real builds (tests/grading/corpus, tests/labs).
    if not definition.needs_engine or definition.example_builds
]


def test_every_engine_check_is_graded_by_its_examples_or_by_an_engine_test():
    here = Path(__file__)
    sources = [*here.parent.glob("corpus/*.yaml"), *here.parents[2].glob("labs/*/lab.yaml")]
    sources += [p for p in here.parent.glob("test_*engine*.py")] + [here.parent / "test_structure_test.py"]
    corpora = " ".join(path.read_text(encoding="utf-8") for path in sources)
    untested = [
        check_id
        for check_id, definition in catalogue.registry().items()
        if definition.needs_engine and not definition.example_builds and check_id not in corpora
    ]
    assert untested == [], f"engine checks neither built from their examples nor in any corpus: {untested}"


#: A Dockerfile for examples that show another file (e.g. `.dockerignore`).
MINIMAL_DOCKERFILE = "FROM scratch\n"


def _folder_with_example(definition: CheckDefinition, text: str, folder: Path) -> Path:
    dockerfile = folder / "Dockerfile"
    if definition.example_file == "Dockerfile":
        dockerfile.write_text(text + "\n", encoding="utf-8")
    else:
        dockerfile.write_text(MINIMAL_DOCKERFILE, encoding="utf-8")
        (folder / definition.example_file).write_text(text + "\n", encoding="utf-8")
    return dockerfile


def _passes(check_id: str, text: str, folder: Path) -> tuple[bool, str]:
    """Whether the check passes on the example (built first for an engine check), and its message."""
    definition = catalogue.get(check_id)
    subject = Subject(_folder_with_example(definition, text, folder), folder)
    params = {**definition.defaults(), **definition.example_params}
    if not definition.needs_engine:
        try:
            outcome = definition.function(subject, params)
        except SkipCheck as skip:
            pytest.fail(f"{check_id} cannot run on its own example: {skip.reason}")
        return outcome.passed, outcome.message
    try:
        results, could_not_grade = grader.run_checks(subject, [CheckSpec(check_id, 1.0, params)])
    finally:
        Engine().remove_leftovers(run_id=subject.run_id, include_stand_ins=True)
    result = next(r for r in results if r.check_id == check_id)
    assert could_not_grade is None and result.status in (CheckStatus.PASSED, CheckStatus.FAILED), (
        f"{check_id} could not run on its example: {result.message}"
    )
    return result.passed, result.message


@pytest.mark.parametrize("check_id", CASES)
def test_the_check_catches_its_before_example(check_id, tmp_path):
    passes, message = _passes(check_id, catalogue.get(check_id).before, tmp_path)
    assert not passes, f"{check_id} passes its own `before`: {message}"


@pytest.mark.parametrize("check_id", CASES)
def test_the_check_does_not_catch_its_after_example(check_id, tmp_path):
    passes, message = _passes(check_id, catalogue.get(check_id).after, tmp_path)
    assert passes, f"{check_id} fails its own `after`: {message}"


def test_every_check_documents_a_before_and_an_after():
    registry = catalogue.registry()
    assert [c for c, d in registry.items() if not (d.before and d.after)] == []


def test_every_static_check_is_run_on_its_examples():
    static = [c for c, d in catalogue.registry().items() if not d.needs_engine]
    assert len(static) == 14, static
