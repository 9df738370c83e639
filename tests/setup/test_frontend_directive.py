"""`# syntax=` directives build offline with the engine's built-in Dockerfile frontend."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stagelab.engine import frontend

BUILTIN = (1, 7)
BODY = "FROM debian:trixie-slim\nRUN <<EOF\necho built\nEOF\n"


@pytest.mark.parametrize(
    "directive",
    [
        "docker/dockerfile:1",
        "docker/dockerfile:1.7",
        "docker/dockerfile:1.4.3",
        "docker.io/docker/dockerfile:1",
        "docker/dockerfile",
        "docker/dockerfile:1-labs",
    ],
)
def test_directives_the_builtin_frontend_serves_are_planned(directive):
    plan = frontend.plan(f"# syntax={directive}\n" + BODY, BUILTIN)
    assert plan is not None and plan.directive == directive
    assert "built-in Dockerfile frontend (1.7)" in plan.notice
    assert "syntax" not in plan.dockerfile_text
    assert plan.dockerfile_text.count("\n") == (f"# syntax={directive}\n" + BODY).count("\n")


def test_no_directive_means_no_plan():
    assert frontend.plan(BODY, BUILTIN) is None


def test_escape_directive_after_syntax_stays_a_directive():
    plan = frontend.plan("# syntax=docker/dockerfile:1\n# escape=`\n" + BODY, BUILTIN)
    assert plan.dockerfile_text.splitlines()[:2] == ["# escape=`", "#"]


@pytest.mark.parametrize(
    ("directive", "words"),
    [
        ("docker/dockerfile:1.12", "newer than the engine's built-in 1.7"),
        ("docker/dockerfile:2", "newer than the engine's built-in 1.7"),
        ("docker/dockerfile-upstream:master", "development frontend"),
        ("example.org/my/frontend:3", "third-party Dockerfile frontend"),
    ],
)
def test_directives_that_need_a_registry_are_refused_naming_the_directive(directive, words):
    with pytest.raises(frontend.FrontendUnavailable) as refused:
        frontend.plan(f"# syntax={directive}\n" + BODY, BUILTIN)
    assert f"`# syntax={directive}` (line 1)" in str(refused.value)
    assert words in str(refused.value)


def test_labs_directive_with_a_labs_flag_names_the_flag_and_line():
    text = "# syntax=docker/dockerfile:1.7-labs\nFROM debian:trixie-slim\nCOPY --parents a/b /x/\n"
    with pytest.raises(frontend.FrontendUnavailable) as refused:
        frontend.plan(text, BUILTIN)
    assert "`COPY --parents` at line 3" in str(refused.value)
    assert "labs frontend" in str(refused.value)


@pytest.mark.parametrize(
    ("engine", "buildkit", "expected"),
    [
        ("26.1.5+dfsg1", None, (1, 7)),
        ("26.1.5", "v0.13.2", (1, 7)),
        ("28.2.2", "v0.23.0", (1, 17)),
        ("24.0.7", None, (1, 5)),
    ],
)
def test_builtin_version_from_engine_or_buildkit(engine, buildkit, expected):
    assert frontend.builtin_version_for(engine, buildkit) == expected


@pytest.mark.engine
def test_a_dockerfile_with_syntax_directive_builds_offline_with_a_notice(engine, make_context):
    from stagelab.engine import Build

    context = make_context({"Dockerfile": "# syntax=docker/dockerfile:1\n" + BODY})
    build = Build(context, kind="test")
    result = build.run()
    assert result.image_id
    assert any("built-in Dockerfile frontend" in notice for notice in result.notices)
    engine.images.remove(result.image_id, force=True)


@pytest.mark.engine
def test_a_labs_only_feature_fails_with_a_precise_message(engine, make_context):
    context = make_context(
        {
            "Dockerfile": "# syntax=docker/dockerfile:1.7-labs\nFROM debian:trixie-slim\nCOPY --parents a/ /x/\n",
            "a/f": "x",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "stagelab", "build", str(context)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    out = " ".join((done.stdout + done.stderr).split())
    assert "# syntax=docker/dockerfile:1.7-labs" in out and "COPY --parents" in out
    assert "Traceback" not in out


@pytest.mark.engine
def test_a_lab_solution_with_a_syntax_directive_grades_offline(engine, repo, tmp_path):
    from stagelab.grading.grader import grade

    lab = repo / "labs" / "03-go-static"
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("# syntax=docker/dockerfile:1\n" + (lab / "solution" / "Dockerfile").read_text())
    report = grade(lab, solution=True, dockerfile=dockerfile)
    assert report.could_not_grade is None
    assert report.score == report.max_score, [
        (r.check_id, r.message) for r in report.results if r.points < r.max_points
    ]
