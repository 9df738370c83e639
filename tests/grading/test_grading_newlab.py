"""A new lab written only from the instructor page (book/instructors/lab-spec.md) works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stagelab.grading import grader
from stagelab.grading.spec import load_spec

HERE = Path(__file__).resolve().parent
LAB = HERE / "newlab" / "09-static-site"
PAGE = HERE.parents[1] / "book" / "instructors" / "lab-spec.md"


def _block(language: str, after: str) -> str:
    text = PAGE.read_text()
    start = text.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(text, start)
    return match.group(1)


def test_instructor_page_example_is_the_lab_the_tests_grade():
    assert _block("yaml", "`lab.yaml`:").strip() == (LAB / "lab.yaml").read_text().strip()
    assert (
        _block("dockerfile", "`solution/Dockerfile`:").strip() == (LAB / "solution" / "Dockerfile").read_text().strip()
    )
    assert _block("dockerfile", "The starter").strip() == (LAB / "Dockerfile").read_text().strip()


def test_instructor_page_documents_every_lab_yaml_key():
    text = PAGE.read_text()
    for key in ("`id`", "`title`", "`build.context`", "`build.target`", "`run.port`", "`run.http.path`",
                "`run.command`", "`run.timeout_s`", "`checks`"):  # fmt: skip
        assert key in text


def test_new_lab_spec_is_valid():
    assert load_spec(LAB).max_score == 13


@pytest.mark.engine
def test_new_lab_solution_scores_full_marks_and_leaves_no_image(engine, leak_check):
    from stagelab import labels
    from stagelab.engine import cleanup

    before = cleanup.leftovers(owner=labels.owner(), include_stand_ins=True).images
    report = grader.grade(LAB, solution=True)
    assert report.score == report.max_score, report.to_dict()
    # The base (busybox) is a stand-in whose label the built image inherits: it must still go.
    assert cleanup.leftovers(owner=labels.owner(), include_stand_ins=True).images == before


@pytest.mark.engine
def test_new_lab_starter_fails_what_the_lab_teaches(engine, leak_check):
    report = grader.grade(LAB)
    failed = {r.check_id for r in report.results if r.status == "failed"}
    assert {"dockerfile.multi-stage", "dockerfile.exec-form", "image.non-root"} <= failed
