"""Two labs written from the instructor page alone (book/instructors/lab-spec.md), a Python one and a Go
one, each with submissions whose verdict and first hint an instructor knows in advance — among them
responders that echo the nonce, canned answers and other programs. All graded on the real engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from stagelab.grading import grader, hints
from stagelab.grading.spec import load_spec

HERE = Path(__file__).resolve().parent / "heldout"
PAGE = HERE.parents[2] / "book" / "instructors" / "lab-spec.md"
LABS = {"python-lab": "12-python-greeter", "go-lab": "13-go-echo"}
CASES = [
    (kind, name, expectation)
    for kind in LABS
    for name, expectation in yaml.safe_load((HERE / kind / "expected.yaml").read_text()).items()
]


def _lab(kind: str) -> Path:
    return HERE / kind / LABS[kind]


def test_each_held_out_lab_has_at_least_fifteen_submissions_with_known_answers():
    for kind in LABS:
        expected = yaml.safe_load((HERE / kind / "expected.yaml").read_text())
        folders = {p.name for p in (HERE / kind / "submissions").iterdir() if p.is_dir()}
        assert folders == set(expected), kind
        assert len(expected) >= 15, kind
        assert sum(1 for e in expected.values() if e["verdict"] == "fail") >= 12, kind


def test_held_out_labs_use_only_keys_the_instructor_page_documents():
    page = PAGE.read_text()
    for kind in LABS:
        data = yaml.safe_load((_lab(kind) / "lab.yaml").read_text())
        keys = [f"`{key}`" for key in data if key not in ("build", "run")]
        keys += [f"`build.{key}`" for key in data["build"]]
        keys += [f"`run.{key}`" for key in data["run"] if key not in ("http", "app")]
        keys += [f"`run.http.{key}`" for key in data["run"]["http"]]
        keys += [f"`run.app.{key}`" for key in data["run"].get("app", {})]
        for key in keys:
            assert key in page, f"{kind}: {key} is not documented on the instructor page"
        assert load_spec(_lab(kind)).language == data["language"]


def _first_ids(expectation) -> list[str]:
    first = expectation.get("first_failure")
    return first if isinstance(first, list) else [first]


@pytest.mark.engine
@pytest.mark.parametrize(("kind", "name", "expectation"), CASES, ids=[f"{k}/{n}" for k, n, _ in CASES])
def test_held_out_submission_gets_the_expected_verdict_and_first_hint(kind, name, expectation, engine, leak_check):
    report = grader.grade(_lab(kind), submission_dir=HERE / kind / "submissions" / name)
    summary = {r.check_id: (r.status, r.message, r.hint) for r in report.results}
    assert report.could_not_grade is None, report.could_not_grade
    if expectation["verdict"] == "pass":
        assert report.exit_code == 0 and report.score == report.max_score, summary
        return
    assert report.exit_code == 1, summary
    first = report.first_failure
    assert first is not None and first.check_id in _first_ids(expectation), (first and first.check_id, summary)
    if "first_hint" in expectation:
        assert expectation["first_hint"].lower() in (first.hint or "").lower(), (first.check_id, first.hint)
    if "message" in expectation:
        assert expectation["message"] in first.message, first.message
    for check_id, phrase in (expectation.get("hints") or {}).items():
        result = report.result(check_id)
        assert result is not None and result.status == "failed", (check_id, summary.get(check_id))
        assert phrase.lower() in (result.hint or "").lower(), (check_id, result.hint)
    for check_id, phrase in (expectation.get("messages") or {}).items():
        assert phrase in report.result(check_id).message, (check_id, report.result(check_id).message)
    # Every hint fits the lab's language (what the learner wrote may be quoted in it).
    language = load_spec(_lab(kind)).language
    for result in report.results:
        ours = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "", result.hint or "")
        assert hints.fits(ours, language), (result.check_id, result.hint)
        assert hints.fits(result.chapter or "", language), (result.check_id, result.chapter)


@pytest.mark.engine
def test_terminal_report_prints_the_build_steps_in_their_own_section(engine, leak_check):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(HERE.parents[2] / "src"))
    lab = _lab("python-lab")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "stagelab.cli",
            "grade",
            str(lab),
            "--submission",
            str(HERE / "python-lab" / "submissions" / "copy-whole-builder"),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    section = next(i for i, line in enumerate(lines) if line.strip().startswith("Build steps"))
    hadolint = next(i for i, line in enumerate(lines) if "dockerfile.hadolint" in line)
    builds = next(i for i, line in enumerate(lines) if "image.builds" in line)
    assert hadolint < section < builds
    assert lines[section - 1].strip() == ""  # not inside the hadolint row
    steps = lines[section + 1 : builds]
    assert any("line   6 COPY --from=build / /" in line for line in steps), steps
    assert "Traceback" not in out.stdout + out.stderr
