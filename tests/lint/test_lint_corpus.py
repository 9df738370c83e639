"""`stagelab lint` over a corpus of realistic Dockerfiles: no false alarm, every listed mistake caught."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stagelab.grading import grader

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
EXPECTED = yaml.safe_load((HERE / "expected.yaml").read_text(encoding="utf-8"))


def test_corpus_has_forty_files_each_with_its_expected_findings():
    files = {p.name for p in CORPUS.glob("*.Dockerfile")}
    assert len(files) >= 40
    assert files == set(EXPECTED), f"without expectations: {files - set(EXPECTED)}; missing: {set(EXPECTED) - files}"


def test_corpus_covers_go_node_python_java_rust_and_the_listed_constructs():
    text = "\n".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.Dockerfile"))
    for construct in (
        "FROM golang",
        "FROM node",
        "FROM python",
        "FROM maven",
        "FROM rust",
        "FROM scratch",
        "distroless",
        "-slim",
        "<<EOF",
        "--mount=",
        "# syntax=",
        "# escape=",
        "$BUILDPLATFORM",
    ):
        assert construct in text, construct
    assert any(b"\r\n" in p.read_bytes() for p in CORPUS.glob("*.Dockerfile")), "no CRLF file"
    first_lines = [p.read_text(encoding="utf-8").splitlines()[0] for p in CORPUS.glob("*.Dockerfile")]
    assert any(line.startswith("ARG ") for line in first_lines), "no ARG before FROM"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lint_reports_exactly_the_expected_findings(name):
    report = grader.lint(CORPUS / name)
    errors = [f"{r.check_id}: {r.message}" for r in report.results if r.status == "error"]
    assert not errors, errors
    failed = {r.check_id for r in report.results if r.status == "failed"}
    expected = set(EXPECTED[name]["fails"])
    false_alarms = {r.check_id: r.message for r in report.results if r.check_id in failed - expected}
    missed = expected - failed
    assert not false_alarms and not missed, f"{EXPECTED[name]['case']}: false alarms {false_alarms}, missed {missed}"
    for result in report.results:
        if result.status == "failed":
            assert result.hint, f"{result.check_id} fails without a hint"
    assert report.could_not_grade is None
