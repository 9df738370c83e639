"""Static grading: lint any Dockerfile, hadolint integrity, the catalogue and the report formats."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

from gradinghelp import CORPUS, generate, run_one

from stagelab.cli import main
from stagelab.dockerfile import parse
from stagelab.grading import catalogue, grader, report_formats
from stagelab.grading.hadolint import lint as hadolint_lint
from stagelab.grading.results import CheckStatus

GOOD = """\
# syntax=docker/dockerfile:1
FROM node:24-trixie AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .

FROM gcr.io/distroless/nodejs24-debian13:nonroot
WORKDIR /app
COPY --from=build /app /app
USER nonroot
CMD ["server.js"]
"""

LABSPEC_IDS = """dockerfile.parses dockerfile.multi-stage dockerfile.final-base dockerfile.copy-from-defined
dockerfile.exec-form dockerfile.non-root-user dockerfile.pinned-bases dockerfile.cache-friendly-order
dockerfile.dockerignore dockerfile.hadolint image.builds build.dependency-layer-cached image.size-budget
image.no-shell image.no-package-manager image.no-compilers image.no-npm image.non-root
image.production-dependencies-only image.files-present image.layer-efficiency runtime.responds runtime.output
runtime.stops-cleanly runtime.no-shell-exec""".split()


def test_a_good_multi_stage_distroless_dockerfile_passes_every_lint_check(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(GOOD)
    report = grader.lint(path)
    assert [r.status for r in report.results] == ["passed"] * len(report.results), report.to_dict()


def test_static_lint_of_a_dockerfile_takes_milliseconds_without_hadolint(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(GOOD)
    checks = [c for c in grader.LINT_CHECKS if c != "dockerfile.hadolint"]
    grader.lint(path, checks)
    started = time.perf_counter()
    grader.lint(path, checks)
    assert time.perf_counter() - started < 0.05


def test_lint_never_crashes_on_unparseable_input_and_says_where(tmp_path, capsys):
    files = [generate(n, tmp_path) for n in ("binary-garbage.Dockerfile", "five-megabytes.Dockerfile")]
    files.append(CORPUS / "static" / "comment-after-backslash.Dockerfile")
    status = main(["lint", *map(str, files), "--format", "json"])
    reports = json.loads(capsys.readouterr().out)
    assert status == 2  # binary data and a 5 MB file could not be linted: 2 wins over findings (1)
    assert [r["results"][0]["status"] for r in reports] == ["failed"] * 3
    assert [bool(r["could_not_grade"]) for r in reports] == [True, True, False]
    assert reports[2]["results"][0]["message"].startswith("line 3:")


def test_lint_of_a_missing_file_says_so(tmp_path, capsys):
    status = main(["lint", str(tmp_path / "nope"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 2 and "file not found" in report["results"][0]["message"]


def test_learners_hadolint_config_in_the_folder_does_not_change_the_grade(tmp_path):
    (tmp_path / ".hadolint.yaml").write_text("ignored: [DL3007, DL3006]\n")
    path = tmp_path / "Dockerfile"
    path.write_text('FROM node:latest\nUSER node\nCMD ["node"]\n')
    result = run_one(path, "dockerfile.hadolint", {"fail_on": ["DL3007"]})
    assert result.status == "failed" and "DL3007" in result.message


def test_hadolint_ignore_pragma_does_not_change_the_grade():
    result = run_one(CORPUS / "static" / "hadolint-pragma.Dockerfile", "dockerfile.hadolint", {"fail_on": ["DL3007"]})
    assert result.status == "failed"


def test_hadolint_findings_not_in_fail_on_are_warnings(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text('FROM node:latest\nUSER node\nCMD ["node"]\n')
    result = run_one(path, "dockerfile.hadolint")
    assert result.status == "passed" and any("DL3007" in w for w in result.warnings)


def test_hadolint_reads_a_heredoc_followed_directly_by_an_instruction():
    model = parse('FROM debian:trixie-slim\nRUN <<EOF\necho hi\nEOF\nCMD ["x"]\n')
    result = hadolint_lint(model)
    assert result.parse_error is None
    assert {f.code for f in result.findings} == set()


def test_hadolint_finding_lines_are_the_learners_lines_after_a_heredoc():
    model = parse("FROM debian:trixie-slim\nRUN <<EOF\necho hi\nEOF\nFROM node:latest\n")
    codes = {(f.code, f.line) for f in hadolint_lint(model).findings}
    assert ("DL3007", 5) in codes


def test_shell_comment_at_end_of_a_run_line_is_not_an_error(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text('FROM debian:trixie-slim\nRUN echo hi  # a shell comment\nUSER nobody\nCMD ["true"]\n')
    assert run_one(path, "dockerfile.parses").status == "passed"


def test_hash_inside_quotes_or_urls_is_not_an_inline_comment(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text('FROM debian:trixie-slim\nLABEL note="step # one"\nADD https://example.org/a#frag /a\n')
    assert run_one(path, "dockerfile.parses").status == "passed"


def test_dockerignore_missing_node_modules_fails_with_what_to_add(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".dockerignore").write_text(".git\n")
    path = tmp_path / "Dockerfile"
    path.write_text(GOOD)
    result = run_one(path, "dockerfile.dockerignore", context=tmp_path / "app")
    assert result.status == "failed" and "node_modules" in result.message


def test_dockerignore_negation_re_includes_a_path(tmp_path):
    (tmp_path / ".dockerignore").write_text("node_modules\n.git\n!node_modules\n")
    path = tmp_path / "Dockerfile"
    path.write_text(GOOD)
    result = run_one(path, "dockerfile.dockerignore")
    assert result.status is CheckStatus.FAILED and result.evidence.missing == ("node_modules",)


def test_dockerignore_with_glob_patterns_passes(tmp_path):
    (tmp_path / ".dockerignore").write_text("# junk\n**/node_modules\n/.git/\n")
    path = tmp_path / "Dockerfile"
    path.write_text(GOOD)
    assert run_one(path, "dockerfile.dockerignore").status == "passed"


def test_final_base_follows_a_stage_used_as_base(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM gcr.io/distroless/static-debian13:nonroot AS base\nFROM base\nCOPY a /a\n")
    result = run_one(path, "dockerfile.final-base", {"allowed": ["gcr.io/distroless/static-debian13*"]})
    assert result.status == "passed"


def test_catalogue_has_every_check_of_the_lab_format_documented():
    ids = {c.id for c in catalogue.all_checks()}
    assert set(LABSPEC_IDS) <= ids
    for definition in catalogue.all_checks():
        assert all([definition.what, definition.why, definition.fix, definition.before, definition.after]), (
            definition.id
        )
        assert definition.chapter.startswith("notebooks/") and "#" in definition.chapter


def test_catalogue_markdown_has_a_section_per_check():
    page = catalogue.as_markdown()
    for definition in catalogue.all_checks():
        assert f"`{definition.id}`" in page


def _report(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM node:latest\nCMD node x\n")
    return grader.lint(path)


def test_junit_report_has_one_testcase_per_check_with_failures_and_hints(tmp_path):
    report = _report(tmp_path)
    root = ET.fromstring(report_formats.to_junit(report))
    cases = root.findall(".//testcase")
    assert len(cases) == len(report.results)
    failures = root.findall(".//failure")
    assert failures and all("hint:" in f.text for f in failures)


def test_gradescope_report_has_the_results_json_shape(tmp_path):
    data = json.loads(report_formats.to_gradescope(_report(tmp_path)))
    assert set(data) >= {"score", "max_score", "tests"}
    assert {t["status"] for t in data["tests"]} <= {"passed", "failed"}
    assert all(t["visibility"] == "visible" and "output" in t for t in data["tests"])


def test_json_report_round_trips(tmp_path):
    report = _report(tmp_path)
    data = json.loads(report_formats.to_json(report))
    assert data["max_score"] == report.max_score and len(data["results"]) == len(report.results)


def test_checks_command_prints_the_catalogue_as_markdown(capsys):
    assert main(["checks", "--format", "markdown"]) == 0
    assert "dockerfile.parses" in capsys.readouterr().out
