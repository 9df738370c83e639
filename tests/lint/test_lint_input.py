"""`stagelab lint` on input that is not a good Dockerfile: a clear message, the right exit status, no hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stagelab.dockerfile import DockerfileUnreadable, parse, read_text
from stagelab.dockerfile.model import MAX_DOCKERFILE_BYTES
from stagelab.grading import catalogue, grader

SRC = Path(__file__).resolve().parents[2] / "src"
GOOD = 'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\nENTRYPOINT ["/app"]\n'


def run_lint(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command in a fresh interpreter, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run(
        [sys.executable, "-m", "stagelab", "lint", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_a_named_pipe_is_refused_at_once_instead_of_hanging(tmp_path):
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    started = time.perf_counter()
    completed = run_lint(str(fifo), timeout=20)
    assert time.perf_counter() - started < 120
    assert completed.returncode == 2
    assert "named pipe" in completed.stdout + completed.stderr


def test_dev_zero_is_refused_without_reading_it():
    with pytest.raises(DockerfileUnreadable, match="a device"):
        read_text("/dev/zero")


def test_a_file_over_the_limit_is_refused_after_reading_at_most_the_limit(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM scratch\n" + b"#" * (3 * MAX_DOCKERFILE_BYTES))
    with pytest.raises(DockerfileUnreadable, match="a Dockerfile is a few KB"):
        read_text(path)


def test_a_missing_file_exits_2_and_says_file_not_found(tmp_path):
    completed = run_lint(str(tmp_path / "nope"))
    assert completed.returncode == 2
    assert "file not found" in completed.stdout
    assert "could not lint" in completed.stderr


def test_a_directory_exits_2_and_says_so(tmp_path):
    completed = run_lint(str(tmp_path))
    assert completed.returncode == 2 and "is a directory" in completed.stdout


def test_findings_exit_1_and_a_clean_file_exits_0(tmp_path):
    clean = tmp_path / "clean.Dockerfile"
    clean.write_text(GOOD)
    unpinned = tmp_path / "unpinned.Dockerfile"
    unpinned.write_text(GOOD.replace(":nonroot", ""))
    assert run_lint(str(clean)).returncode == 0
    assert run_lint(str(unpinned)).returncode == 1


def test_could_not_lint_wins_over_findings(tmp_path):
    unpinned = tmp_path / "unpinned.Dockerfile"
    unpinned.write_text(GOOD.replace(":nonroot", ""))
    assert run_lint(str(unpinned), str(tmp_path / "nope")).returncode == 2


#: The check's general fix is about inline comments: right for its diagnoses, unrelated to these errors.
COMMENTS_FIX = catalogue.get("dockerfile.parses").fix


def test_a_load_error_hint_names_the_real_problem_not_comments(tmp_path):
    for path, problem in ((tmp_path / "nope", "path"), (tmp_path, "Dockerfile inside it")):
        result = grader.lint(path).result("dockerfile.parses")
        assert result.status == "failed"
        assert result.hint != COMMENTS_FIX and problem in result.hint, result.hint


def test_a_syntax_error_hint_is_not_about_comments_either(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("RUN echo no from\n")
    result = grader.lint(path).result("dockerfile.parses")
    assert "no FROM" in result.message
    assert result.hint != COMMENTS_FIX and "Start the first stage with `FROM" in result.hint


def _many_stages(size: int) -> str:
    chunk = "FROM debian:12-slim AS s{0}\nCOPY --from=s{1} /a /a\n"
    parts, length, index = [], 0, 0
    while length < size:
        part = chunk.format(index, max(index - 1, 0))
        parts.append(part)
        length += len(part)
        index += 1
    return "".join(parts)


def test_checks_take_linear_time_in_the_number_of_stages(tmp_path):
    checks = [c for c in grader.LINT_CHECKS if c != "dockerfile.hadolint"]
    timings = {}
    for size in (100_000, 400_000):
        path = tmp_path / f"{size}.Dockerfile"
        path.write_text(_many_stages(size))
        grader.lint(path, checks)  # warm up
        started = time.perf_counter()
        grader.lint(path, checks)
        timings[size] = time.perf_counter() - started
    # Four times the stages: about four times the time when linear, sixteen when quadratic.
    assert timings[400_000] < 8 * timings[100_000] + 0.2, timings


#: Lines that repeat one construct n times; each once took a check quadratic time or worse.
_REPEATED = {
    # A RUN naming a package manager again and again but never installing: `apt\s+(\S+\s+)*?install`
    # took seconds at 30 KB.
    "apt": lambda n: f"FROM debian:12-slim\nRUN {'apt ' * n}\nUSER 10001\n",
    "apk": lambda n: f"FROM debian:12-slim\nRUN {'apk ' * n}\nUSER 10001\n",
    "dnf": lambda n: f"FROM debian:12-slim\nRUN {'dnf ' * n}\nUSER 10001\n",
    "rm": lambda n: f"FROM debian:12-slim\nRUN {'rm -f ' * n}\nUSER 10001\n",
    "npm": lambda n: f"FROM debian:12-slim\nRUN {'npm ' * n}\nUSER 10001\n",
    # Unclosed `${A:-` in a base: expanding the arguments took 16 s at 24 KB.
    "arg-default": lambda n: f"FROM debian:12-slim AS a\nFROM {'${A:-' * n}\n",
    "arg-nested": lambda n: f"ARG A=x\nFROM {'${A:-' * n}debian:12{'}' * n}\n",
    "env-default": lambda n: f"FROM debian:12-slim\nENV K={'${A:-' * n}\nUSER 10001\n",
}


@pytest.mark.parametrize("case", sorted(_REPEATED))
def test_checks_take_linear_time_in_the_length_of_a_line(tmp_path, case):
    checks = [c for c in grader.LINT_CHECKS if c != "dockerfile.hadolint"]
    timings = {}
    for repeats in (2_000, 8_000):
        path = tmp_path / f"{repeats}.Dockerfile"
        path.write_text(_REPEATED[case](repeats))
        grader.lint(path, checks)  # warm up
        started = time.perf_counter()
        grader.lint(path, checks)
        timings[repeats] = time.perf_counter() - started
    assert timings[8_000] < 8 * timings[2_000] + 0.2, timings


def test_an_instruction_continued_past_64_kib_is_refused_before_the_parser_spends_minutes(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\nRUN true \\\n" + "  && echo step \\\n\n# note\n" * 4_000 + "  && true\n")
    started = time.perf_counter()
    result = grader.lint(path).result("dockerfile.parses")
    assert time.perf_counter() - started < 30
    assert result.status == "failed" and "instruction at line 2 runs over" in result.message
    assert "heredoc" in result.hint


@pytest.mark.slow  # a megabyte of Dockerfile, several seconds: `make test` runs it, `make check` does not
def test_a_file_just_under_the_limit_lints_to_the_end(tmp_path):
    # Linearity is the test above (a ratio, robust on a loaded machine); this bound only catches a hang.
    path = tmp_path / "Dockerfile"
    path.write_text(_many_stages(MAX_DOCKERFILE_BYTES - 100)[: MAX_DOCKERFILE_BYTES - 100].rsplit("\n", 1)[0] + "\n")
    assert path.stat().st_size < MAX_DOCKERFILE_BYTES
    started = time.perf_counter()
    report = grader.lint(path)
    assert time.perf_counter() - started < 120
    assert report.result("dockerfile.parses").status == "passed"


def test_env_with_spaces_around_the_equals_sign_is_a_finding_that_says_what_happened(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\nENV MODE = release\n")
    result = grader.lint(path).result("dockerfile.parses")
    assert result.status == "failed" and "sets MODE to '= release'" in result.message
    assert "ENV MODE=release" in result.hint


def test_arg_defaults_with_a_fallback_resolve_like_buildkit():
    model = parse("ARG BASE\nARG TAG=1.22\nFROM ${BASE:-golang}:${TAG}\nFROM ${MISSING}\n")
    assert model.resolved_base(model.stages[0]) == "golang:1.22"
    assert model.resolved_base(model.stages[0], {"BASE": "mirror/golang"}) == "mirror/golang:1.22"
    assert model.resolved_base(model.stages[1]) == "${MISSING}"


def test_many_files_in_one_run_are_reported_as_each_alone(tmp_path):
    # More files than one hadolint batch holds, one that cannot be read, and one with heredocs
    # (hadolint reads that one reworked, in a run of its own).
    from stagelab.cli.lint import _BATCH

    corpus = sorted((Path(__file__).resolve().parent / "corpus").glob("*.Dockerfile"))
    assert len(corpus) > _BATCH and any("<<EOF" in p.read_text(encoding="utf-8") for p in corpus)
    missing = tmp_path / "missing.Dockerfile"
    paths = [*corpus[:_BATCH], missing, *corpus[_BATCH:]]
    together = run_lint("--format", "json", *map(str, paths), timeout=300)
    assert together.returncode == 2 and "file not found" in together.stderr
    reports = {report["title"]: report for report in json.loads(together.stdout)}
    for path in corpus:
        alone = grader.lint(path)
        seen = [(r["check_id"], r["status"], r["message"]) for r in reports[str(path)]["results"]]
        assert seen == [(r.check_id, r.status.value, r.message) for r in alone.results], path.name
    assert reports[str(missing)]["could_not_grade"]


def test_a_utf16_file_says_so_and_how_to_save_it(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes("FROM alpine:3.20\nUSER 1\n".encode("utf-16"))
    completed = run_lint(str(path))
    assert completed.returncode == 2
    assert "UTF-16 text" in completed.stdout + completed.stderr and "UTF-8" in completed.stdout


def test_a_from_with_no_image_says_so(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM\n")
    result = grader.lint(path).result("dockerfile.parses")
    assert result.status == "failed" and "FROM names no image" in result.message


def test_lines_ending_in_a_carriage_return_alone_say_so(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine:3.20\rUSER 1\r")
    result = grader.lint(path).result("dockerfile.parses")
    assert result.status == "failed" and "carriage return alone" in result.message
    assert "line endings" in result.hint
