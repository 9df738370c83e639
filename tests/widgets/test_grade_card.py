"""The grade card, driven by its button against the real grader and engine (a tiny lab of our own)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from stagelab.grading import catalogue
from stagelab.grading.results import CheckResult, CheckStatus
from stagelab.widgets import GradeCard

TINY_LAB = Path(__file__).parents[1] / "browser" / "fixtures" / "99-tiny"


@pytest.fixture
def state_dir(tmp_path, monkeypatch) -> Path:
    """Progress goes to a folder of this test, not the user's (build slots stay shared with the machine)."""
    monkeypatch.delenv("STAGELAB_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "stagelab"


def _check_states(card: GradeCard) -> dict[str, str]:
    return card.state.states()


def _result(check_id: str, status: CheckStatus) -> CheckResult:
    return CheckResult(check_id, catalogue.get(check_id).title, status, 1.0, 1.0, f"{check_id} {status.value}")


def test_card_lists_the_labs_checks_as_queued_before_grading(state_dir):
    card = GradeCard(TINY_LAB)
    assert _check_states(card) == {
        "dockerfile.parses": "queued",
        "image.builds": "queued",
        "image.files-present": "queued",
        "image.size-budget": "queued",
        "image.no-shell": "queued",
        "image.non-root": "queued",
    }


def test_the_html_rows_say_what_the_model_says(state_dir):
    card = GradeCard(TINY_LAB)
    shown = dict(
        re.findall(r'<tr class="stagelab-check" data-check="([^"]+)" data-state="(\w+)"', card.checks_view.value)
    )
    assert shown == card.state.states()


def test_results_are_matched_to_checks_by_id_not_by_position(state_dir):
    card = GradeCard(TINY_LAB)
    card._active = True
    # The grader reports the build before the parse check here: the rows must not shift.
    card._on_result(_result("image.builds", CheckStatus.PASSED))
    card._on_result(_result("image.non-root", CheckStatus.FAILED))
    state = card.state
    assert state.row("image.builds").state == "passed"
    assert state.row("image.non-root").state == "failed"
    assert state.row("image.non-root").result.message == "image.non-root failed"
    assert state.row("dockerfile.parses").state == "running"  # the first check without a result
    assert state.row("image.size-budget").state == "queued"
    assert state.checks_done == 2
    assert card.progress.value == 2


def test_a_result_for_a_check_the_plan_does_not_list_gets_a_row_at_the_end(state_dir):
    card = GradeCard(TINY_LAB)
    card._on_result(_result("image.no-npm", CheckStatus.PASSED))
    assert card.state.rows[-1].check_id == "image.no-npm"
    assert card.state.rows[-1].state == "passed"


@pytest.mark.engine
def test_check_my_work_turns_each_check_green_or_red_and_shows_the_score(engine, state_dir, leak_check):
    card = GradeCard(TINY_LAB)
    card.check_button.click()
    report = card.wait(180)
    assert report is not None, card.error
    states = _check_states(card)
    assert states["image.non-root"] == "failed"
    assert {check: state for check, state in states.items() if check != "image.non-root"} == dict.fromkeys(
        ["dockerfile.parses", "image.builds", "image.files-present", "image.size-budget", "image.no-shell"], "passed"
    )
    assert card.state.status == "Score 6 / 8"
    assert (card.state.report.score, card.state.report.max_score) == (6, 8)
    assert "Score 6 / 8" in card.status.value
    assert "<b>Score: 6 / 8</b>" in card.checks_view.value
    assert card.progress.value == card.progress.max == 6


@pytest.mark.engine
def test_failed_check_has_an_expandable_hint_and_a_link_to_its_chapter_section(engine, state_dir):
    card = GradeCard(TINY_LAB)
    card.start()
    assert card.wait(180) is not None, card.error
    failed = card.state.row("image.non-root").result
    assert "USER" in failed.hint and failed.chapter == catalogue.get("image.non-root").chapter
    row = re.search(
        r'<tr class="stagelab-check" data-check="image.non-root".*?</tr>', card.checks_view.value, re.S
    ).group(0)
    assert '<details class="stagelab-hint-details"><summary' in row
    assert "USER" in re.search(r'<div class="stagelab-hint">(.*?)</div>', row, re.S).group(1)
    link = re.search(r'<a class="stagelab-chapter-link" href="([^"]+)"', row).group(1)
    assert link.endswith(catalogue.get("image.non-root").chapter)
    passed = re.search(
        r'<tr class="stagelab-check" data-check="image.builds".*?</tr>', card.checks_view.value, re.S
    ).group(0)
    assert "stagelab-hint-details" not in passed


@pytest.mark.engine
def test_grading_saves_the_learners_progress(engine, state_dir):
    card = GradeCard(TINY_LAB)
    card.start()
    assert card.wait(180) is not None, card.error
    saved = json.loads((state_dir / "progress.json").read_text())
    assert "99-tiny" in json.dumps(saved)


@pytest.mark.engine
def test_a_submission_that_fixes_the_user_gets_full_marks(engine, state_dir, tmp_path):
    submission = tmp_path / "submission"
    shutil.copytree(TINY_LAB / "solution", submission)
    card = GradeCard(TINY_LAB, submission)
    card.start()
    report = card.wait(180)
    assert report is not None and report.score == report.max_score == 8
    assert set(_check_states(card).values()) == {"passed"}


@pytest.mark.engine
def test_repeated_clicks_while_grading_do_not_start_a_second_grading(engine, state_dir):
    card = GradeCard(TINY_LAB)
    card.check_button.click()
    card.check_button.click()
    assert card.start() is False
    assert card.wait(180) is not None, card.error
    assert card.gradings_started == 1


@pytest.mark.engine
def test_display_bundle_carries_the_grade_table_once_graded(engine, state_dir):
    card = GradeCard(TINY_LAB)
    assert "text/html" not in card._repr_mimebundle_()
    card.start()
    assert card.wait(180) is not None, card.error
    transcript = card._repr_mimebundle_()["text/html"]
    assert "stagelab-grade-transcript" in transcript and "Score: 6 / 8" in transcript
    # The book publishes chapters as .html pages: the transcript links there.
    # The book's copy links to the built page (.html) at the same section.
    page, _, section = catalogue.get("image.non-root").chapter.partition("#")
    assert re.search(rf'href="[^"]*{re.escape(page.removesuffix(".ipynb"))}\.html#{re.escape(section)}"', transcript)


def test_invalid_lab_spec_is_shown_on_the_card_and_the_button_is_off(tmp_path, state_dir):
    lab = tmp_path / "98-broken"
    lab.mkdir()
    (lab / "lab.yaml").write_text("id: 98-broken\ntitle: Broken\nchecks:\n  - id: image.tiny\n    points: 1\n")
    card = GradeCard(lab)
    assert card.check_button.disabled is True
    assert "unknown check 'image.tiny'" in card.state.error
    assert "unknown check 'image.tiny'" in html.unescape(card.checks_view.value)
    assert card.start() is False
