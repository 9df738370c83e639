"""Every lab of the course: its reference solution scores full marks and its starter does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagelab import labels
from stagelab.engine import cleanup
from stagelab.grading import grader

REPO = Path(__file__).resolve().parents[2]
LABS = sorted(path.parent.name for path in (REPO / "labs").glob("*/lab.yaml"))

pytestmark = pytest.mark.engine


def our_images() -> int:
    return cleanup.leftovers(owner=labels.owner(), include_stand_ins=True).images


@pytest.mark.parametrize("lab", LABS)
def test_lab_solution_scores_full_marks_and_leaves_nothing(lab, engine, leak_check):
    before = our_images()
    report = grader.grade(REPO / "labs" / lab, solution=True)
    assert our_images() == before, "the grading left images behind"
    failed = {r.check_id: r.message for r in report.results if r.status != "passed"}
    assert report.could_not_grade is None, report.could_not_grade
    assert report.score == report.max_score, failed


@pytest.mark.parametrize("lab", LABS)
def test_lab_starter_does_not_score_full_marks(lab, engine, leak_check):
    report = grader.grade(REPO / "labs" / lab)
    assert report.could_not_grade is None, report.could_not_grade
    assert report.score < report.max_score
