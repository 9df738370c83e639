"""The gradebook shows each learner's measured image size and a leaderboard (lab 08's workshop ranking)."""

from __future__ import annotations

import csv
import re

import pytest
from gradinghelp import make_lab

from stagelab.grading import gradebook
from stagelab.grading.results import CheckResult, CheckStatus, Evidence, GradeReport

SPEC = {
    "title": "Smallest image",
    "checks": [
        {"id": "image.builds", "points": 0},
        {"id": "image.files-present", "points": 1, "with": {"paths": ["/www/index.html"]}},
        {"id": "image.size-budget", "points": 1, "with": {"max_mb": 1}},
    ],
}

#: alice: the page alone; bob: the page and 100 kB he did not need; carol: the page in the wrong place.
SUBMISSIONS = {
    "alice": {"Dockerfile": "FROM scratch\nCOPY www /www\n"},
    "bob": {
        "Dockerfile": "FROM scratch\nCOPY www /www\nCOPY padding.bin /padding.bin\n",
        "app/padding.bin": "x" * 100_000,
    },
    "carol": {"Dockerfile": "FROM scratch\nCOPY www/index.html /index.html\n"},
}


@pytest.fixture(scope="module")
def graded(engine, tmp_path_factory):
    """Three small submissions graded once for every test here."""
    root = tmp_path_factory.mktemp("gradebook")
    lab = make_lab(root, "smallest", SPEC, {"www/index.html": "<h1>hello</h1>\n"}, "FROM scratch\n")
    for learner, files in SUBMISSIONS.items():
        for relative, content in files.items():
            target = root / "submissions" / learner / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
    entries = gradebook.grade_all(root / "submissions", lab, jobs=1)
    return {entry.learner: entry for entry in entries}, root


def _report(score: float, size: int | None) -> GradeReport:
    status = CheckStatus.PASSED if score == 2 else CheckStatus.FAILED
    result = CheckResult("image.size-budget", "size", status, score, 2, "", evidence=Evidence(size_bytes=size))
    return GradeReport("lab", "Lab", (result,), score, 2, None, "2026-01-01T00:00:00+00:00", 0.0)


@pytest.mark.engine
def test_every_graded_entry_carries_the_measured_image_size(graded):
    entries, _ = graded
    sizes = {learner: entry.image_size_bytes for learner, entry in entries.items()}
    assert all(isinstance(size, int) and size > 0 for size in sizes.values()), sizes
    assert sizes["bob"] - sizes["alice"] >= 100_000


@pytest.mark.engine
def test_csv_has_the_image_size_of_each_learner(graded):
    entries, root = graded
    path = gradebook.write_csv(list(entries.values()), root / "book.csv")
    rows = {row["learner"]: row for row in csv.DictReader(path.open(encoding="utf-8"))}
    for learner, entry in entries.items():
        assert rows[learner]["image_size_bytes"] == str(entry.image_size_bytes)
        assert float(rows[learner]["image_size_mb"]) == pytest.approx(entry.image_size_bytes / 1e6, abs=0.01)


@pytest.mark.engine
def test_leaderboard_ranks_full_marks_by_size_and_leaves_the_rest_unranked(graded):
    entries, _ = graded
    assert entries["carol"].report.score < entries["carol"].report.max_score
    places = [(place.rank, place.entry.learner) for place in gradebook.leaderboard(list(entries.values()))]
    assert places == [(1, "alice"), (2, "bob"), (None, "carol")]


@pytest.mark.engine
def test_html_page_shows_the_leaderboard_in_rank_order_with_sizes(graded):
    entries, root = graded
    page = gradebook.write_html(
        sorted(entries.values(), key=lambda e: e.learner), root / "book.html", "smallest"
    ).read_text()
    board = page[page.index('id="leaderboard"') : page.index("<h2>Details</h2>")]
    rows = re.findall(r"<tr class=\"\w+\"><td class=\"num\">([^<]+)</td><td class=\"l\"><a href=\"#(\w+)\"", board)
    assert rows == [("1", "alice"), ("2", "bob"), ("–", "carol")]
    for entry in entries.values():
        assert f"{entry.image_size_bytes / 1e6:.2f}" in board


def test_equal_sizes_share_a_place_and_the_next_place_is_skipped():
    entries = [gradebook.Entry(name, _report(2, size)) for name, size in (("a", 500), ("b", 500), ("c", 900))]
    assert [(p.rank, p.entry.learner) for p in gradebook.leaderboard(entries)] == [(1, "a"), (1, "b"), (3, "c")]


def test_without_full_marks_a_smaller_image_ranks_nowhere():
    entries = [gradebook.Entry("tiny-broken", _report(1, 10)), gradebook.Entry("working", _report(2, 9_000))]
    assert [(p.rank, p.entry.learner) for p in gradebook.leaderboard(entries)] == [
        (1, "working"),
        (None, "tiny-broken"),
    ]


def test_html_page_has_no_leaderboard_when_no_size_was_measured(tmp_path):
    page = gradebook.write_html([gradebook.Entry("a", _report(2, None))], tmp_path / "b.html", "lab").read_text()
    assert "Leaderboard" not in page
