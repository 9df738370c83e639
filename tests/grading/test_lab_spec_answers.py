"""What the instructor page promises about grading, checked: one order, the first failure, 0-point checks,
globs in allowed bases, ARG values in FROM, the nonce's format, language and run.app in lab.yaml."""

from __future__ import annotations

import re

import pytest

from stagelab.errors import LabSpecError
from stagelab.grading import grader
from stagelab.grading.results import CheckResult, CheckStatus, GradeReport

PASSED, FAILED = CheckStatus.PASSED, CheckStatus.FAILED
from stagelab.grading.spec import parse_spec
from stagelab.grading.subject import Subject


def _result(check_id: str, status: str, points: float) -> CheckResult:
    return CheckResult(check_id, check_id, status, points if status == PASSED else 0.0, points, check_id)


def _report(*results: CheckResult) -> GradeReport:
    return GradeReport(
        "x", "x", results, sum(r.points for r in results), sum(r.max_points for r in results), None, "", 0.0
    )


def test_checks_run_in_phase_order_keeping_lab_yaml_order_within_a_phase():
    spec = parse_spec(
        {
            "id": "x",
            "title": "x",
            "run": {"port": 80},
            "checks": ["runtime.responds", "image.non-root", "dockerfile.hadolint", "dockerfile.parses"],
        }
    )
    assert [c.id for c in grader.plan(spec.checks)] == [
        "dockerfile.hadolint",
        "dockerfile.parses",
        "image.builds",
        "image.non-root",
        "runtime.responds",
    ]


def test_first_failure_is_the_first_failed_check_with_points():
    report = _report(
        _result("dockerfile.hadolint", FAILED, 0),
        _result("image.non-root", FAILED, 1),
        _result("runtime.responds", FAILED, 3),
    )
    assert report.first_failure.check_id == "image.non-root"
    assert report.to_dict()["first_failure"]["check_id"] == "image.non-root"


def test_a_failed_zero_point_check_costs_nothing_but_makes_the_exit_status_1():
    report = _report(_result("dockerfile.parses", PASSED, 1), _result("dockerfile.hadolint", FAILED, 0))
    assert report.score == report.max_score
    assert report.exit_code == 1
    assert report.first_failure.check_id == "dockerfile.hadolint"


def _final_base(tmp_path, dockerfile: str, allowed: list[str], build_args: dict | None = None) -> str:
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile)
    spec = parse_spec(
        {
            "id": "x",
            "title": "x",
            "build": {"build_args": build_args or {}},
            "checks": [{"id": "dockerfile.final-base", "with": {"allowed": allowed}}],
        }
    )
    results, _ = grader.run_checks(Subject(path, tmp_path, spec=spec), spec.checks)
    return results[0].status


def test_arg_values_in_from_are_resolved_by_static_checks(tmp_path):
    dockerfile = "ARG BASE=gcr.io/distroless/static-debian13:nonroot\nFROM ${BASE}\n"
    assert _final_base(tmp_path, dockerfile, ["gcr.io/distroless/static-debian13*"]) == PASSED
    assert (
        _final_base(tmp_path, dockerfile, ["gcr.io/distroless/static-debian13*"], {"BASE": "debian:trixie"}) == FAILED
    )


@pytest.mark.parametrize(
    ("reference", "pattern", "status"),
    [
        ("gcr.io/distroless/python3-debian13:debug", "gcr.io/distroless/python3-debian13*", PASSED),
        ("node:24", "node:24-*", FAILED),
        ("node:24-trixie-slim", "node:24-*", PASSED),
        ("docker.io/library/node:24-trixie", "node:24-*", PASSED),
        ("Node:24-trixie", "node:24-*", FAILED),
    ],
)
def test_allowed_bases_are_case_sensitive_globs_on_the_whole_reference(tmp_path, reference, pattern, status):
    assert _final_base(tmp_path, f"FROM {reference}\n", [pattern]) == status


def test_the_nonce_is_twelve_hex_characters_and_needs_no_escaping():
    subject = Subject(None, text="FROM scratch\n")
    assert re.fullmatch(r"[0-9a-f]{12}", subject.nonce)
    assert re.escape(subject.nonce) == subject.nonce


def test_language_and_run_app_are_validated():
    spec = parse_spec(
        {
            "id": "x",
            "title": "x",
            "language": "python",
            "run": {"port": 80, "app": {"entry": "app.py"}},
            "checks": ["runtime.responds"],
        }
    )
    assert spec.language == "python" and spec.run.app.entry == "app.py"
    with pytest.raises(LabSpecError, match="unknown language 'pyhton'.*did you mean 'python'"):
        parse_spec({"id": "x", "title": "x", "language": "pyhton", "checks": ["dockerfile.parses"]})
    with pytest.raises(LabSpecError, match="run.app.entry"):
        parse_spec(
            {
                "id": "x",
                "title": "x",
                "run": {"port": 80, "app": {"entry": "/abs/app.py"}},
                "checks": ["runtime.responds"],
            }
        )
    with pytest.raises(LabSpecError, match="image.no-npm is for node labs"):
        parse_spec({"id": "x", "title": "x", "language": "go", "checks": ["image.no-npm"]})
