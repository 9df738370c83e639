"""Instructor and learner tools: progress file, gradebook, release, and the grade command's exit codes."""

from __future__ import annotations

import csv
import json
import shutil
import threading
from pathlib import Path

import pytest

from stagelab.cli import main
from stagelab.grading import gradebook, progress
from stagelab.grading.release import release
from stagelab.grading.results import CheckResult, CheckStatus, GradeReport

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LAB = HERE / "newlab" / "09-static-site"


def report(
    score: float,
    statuses=(CheckStatus.PASSED, CheckStatus.FAILED),
    lab="09-static-site",
    at="2026-01-01T10:00:00+00:00",
):
    results = tuple(
        CheckResult(f"check.{i}", f"Check {i}", status, 1.0 if status is CheckStatus.PASSED else 0.0, 1.0, "msg")
        for i, status in enumerate(map(CheckStatus, statuses))
    )
    return GradeReport(lab, "Title", results, score, float(len(statuses)), None, at, 1.0)


def test_progress_records_which_checks_passed_and_when():
    progress.record(report(1, ("passed", "failed"), at="2026-01-01T10:00:00+00:00"))
    progress.record(report(2, ("passed", "passed"), at="2026-01-02T10:00:00+00:00"))
    (lab,) = progress.load()
    assert lab.attempts == 2 and lab.best_score == 2 and lab.complete
    assert lab.checks["check.0"]["first_passed_at"] == "2026-01-01T10:00:00+00:00"
    assert lab.checks["check.1"]["first_passed_at"] == "2026-01-02T10:00:00+00:00"


def test_progress_ignores_gradings_that_could_not_run():
    failed = GradeReport("x", "X", (), 0, 1, None, "2026-01-01T00:00:00+00:00", 0.1, "engine down")
    assert progress.record(failed) is None and progress.load() == []


def test_progress_file_is_never_half_written_under_concurrent_gradings():
    threads = [threading.Thread(target=progress.record, args=(report(1, lab=f"lab-{i % 3}"),)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    data = json.loads(progress.progress_file().read_text())
    assert sum(lab["attempts"] for lab in data["labs"].values()) == 12
    assert not list(progress.progress_file().parent.glob(".progress-*"))


def test_progress_command_shows_the_labs(capsys):
    progress.record(report(1))
    assert main(["progress", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["lab_id"] == "09-static-site"


def test_release_leaves_out_every_solution_folder(tmp_path):
    out = tmp_path / "learners"
    result = release(REPO, out)
    assert result.labs >= 1
    assert not [p for p in out.rglob("solution") if p.is_dir()]
    assert not (out / "tests").exists() and not (out / ".git").exists()
    for lab in (out / "labs").glob("*/lab.yaml"):
        assert (lab.parent / "Dockerfile").is_file()


def test_release_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    assert main(["release", str(tmp_path / "out"), "--course", str(REPO)]) != 0
    assert "not empty" in capsys.readouterr().err


def test_grading_a_released_lab_with_solution_says_there_is_none(tmp_path, capsys):
    shutil.copytree(LAB, tmp_path / "09-static-site", ignore=shutil.ignore_patterns("solution"))
    status = main(["grade", str(tmp_path / "09-static-site"), "--solution"])
    assert status == 4 and "no reference Dockerfile" in capsys.readouterr().err


def test_grade_with_a_bad_spec_exits_with_the_spec_error(tmp_path, capsys):
    lab = tmp_path / "01-bad"
    lab.mkdir()
    (lab / "lab.yaml").write_text("id: 01-bad\ntitle: x\nchecks: [nope]\n")
    assert main(["grade", str(lab)]) == 4
    assert "checks[0].id: unknown check 'nope'" in capsys.readouterr().err


def test_gradebook_csv_and_html_have_a_row_per_learner(tmp_path):
    entries = [gradebook.Entry("alice", report(2, ("passed", "passed"))), gradebook.Entry("bob", report(1))]
    csv_path = gradebook.write_csv(entries, tmp_path / "book.csv")
    rows = list(csv.DictReader(csv_path.open()))
    assert [r["learner"] for r in rows] == ["alice", "bob"] and rows[1]["failed_checks"] == "check.1"
    page = gradebook.write_html(entries, tmp_path / "book.html", "Lab <09>").read_text()
    assert "alice" in page and "Lab &lt;09&gt;" in page and "<script" not in page


@pytest.mark.engine
def test_gradebook_grades_each_submission_in_parallel(tmp_path, engine, leak_check, capsys):
    submissions = tmp_path / "submissions"
    for learner, source in (("ada", LAB / "solution" / "Dockerfile"), ("bo", LAB / "Dockerfile")):
        (submissions / learner).mkdir(parents=True)
        shutil.copy(source, submissions / learner / "Dockerfile")
    (submissions / "cy").mkdir()  # handed in nothing
    (submissions / "cy" / "notes.txt").write_text("forgot")
    status = main(["gradebook", str(submissions), "--lab", str(LAB), "--jobs", "2", "--out", str(tmp_path / "gb")])
    rows = {r["learner"]: r for r in csv.DictReader((tmp_path / "gb.csv").open())}
    assert rows["ada"]["score"] == rows["ada"]["max_score"] == "13"
    assert float(rows["bo"]["score"]) < 13
    assert rows["cy"]["status"] == "could not grade" and "no Dockerfile" in rows["cy"]["note"]
    assert (tmp_path / "gb.html").is_file()
    assert status == 2


def test_grading_with_the_engine_unreachable_says_could_not_grade(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock", "STAGELAB_STATE_DIR": str(tmp_path)}
    completed = subprocess.run(
        [sys.executable, "-m", "stagelab.cli", "grade", str(LAB), "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    report = json.loads(completed.stdout)
    assert completed.returncode == 2
    assert "engine is not running" in report["could_not_grade"]
    assert report["results"][0]["status"] == "passed"  # the static checks still ran
