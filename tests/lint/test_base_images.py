"""What lint knows of a base image from its reference alone: what it ships, its default user, whether it has a shell."""

from __future__ import annotations

import pytest

from stagelab.grading import grader


def _lint(tmp_path, text: str):
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return grader.lint(path, [c for c in grader.LINT_CHECKS if c != "dockerfile.hadolint"])


@pytest.mark.parametrize(
    ("base", "ships"),
    [
        ("node:22.11-alpine3.20", "npm and apk"),
        ("python:3.12-alpine3.20", "pip and apk"),
        ("node:22-bookworm-slim", "npm and apt"),
        ("alpine:3.20", "apk"),
        ("redhat/ubi9:9.4", "dnf"),
    ],
)
def test_the_final_base_names_the_package_manager_it_ships(tmp_path, base, ships):
    result = _lint(tmp_path, f"FROM {base}\nUSER 10001\n").result("dockerfile.final-base-tools")
    assert result.status == "failed" and f"which ships {ships}" in result.message


@pytest.mark.parametrize(
    "base",
    [
        "mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled",
        "mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled-extra",
        "cgr.dev/chainguard/python:latest",
        "gcr.io/distroless/static-debian12",
        "scratch",
    ],
)
def test_a_minimal_final_base_ships_nothing_and_has_no_shell(tmp_path, base):
    report = _lint(tmp_path, f"FROM {base}\nRUN mkdir /data\nUSER 10001\n")
    assert report.result("dockerfile.final-base-tools").status == "passed"
    shell = report.result("dockerfile.run-needs-a-shell")
    assert shell.status == "failed" and "has no /bin/sh" in shell.message


@pytest.mark.parametrize(
    ("base", "user"),
    [
        ("gcr.io/distroless/static-debian12:nonroot", "nonroot (65532)"),
        ("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled", "app (1654)"),
        ("cgr.dev/chainguard/node:latest", "its non-root user"),
        ("cgr.dev/chainguard/python:latest-dev", "its non-root user"),
        ("nginxinc/nginx-unprivileged:1.27-alpine", "nginx (101)"),
    ],
)
def test_a_base_that_runs_as_a_non_root_user_needs_no_user_line(tmp_path, base, user):
    result = _lint(tmp_path, f"FROM {base}\n").result("dockerfile.non-root-user")
    assert result.status == "passed" and f"runs as {user}" in result.message


@pytest.mark.parametrize(
    "base",
    ["mcr.microsoft.com/dotnet/aspnet:8.0", "cgr.dev/chainguard/wolfi-base:latest", "nginx:1.27", "node:22-slim"],
)
def test_a_base_that_runs_as_root_without_user_fails(tmp_path, base):
    assert _lint(tmp_path, f"FROM {base}\n").result("dockerfile.non-root-user").status == "failed"


def test_a_single_stage_that_builds_nothing_passes_lint_but_not_a_lab(tmp_path):
    from stagelab.grading.checks.base import definition
    from stagelab.grading.subject import Subject

    path = tmp_path / "Dockerfile"
    path.write_text('FROM debian:12-slim\nCOPY server /usr/local/bin/server\nUSER 10001\nENTRYPOINT ["server"]\n')
    assert grader.lint(path).result("dockerfile.multi-stage").status == "passed"
    check = definition("dockerfile.multi-stage")
    in_a_lab = check.function(Subject(path, tmp_path), check.defaults())  # a lab's app must be built in its Dockerfile
    assert not in_a_lab.passed and "only one stage" in in_a_lab.message


def test_a_single_stage_that_installs_production_dependencies_still_fails(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text('FROM node:22-slim\nCOPY . .\nRUN npm ci --omit=dev\nUSER node\nCMD ["node", "server.js"]\n')
    assert grader.lint(path).result("dockerfile.multi-stage").status == "failed"


@pytest.mark.parametrize(
    ("base", "healthcheck", "status"),
    [
        ("node:22-slim", "HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1", "passed"),
        ("gcr.io/distroless/nodejs22-debian12:nonroot", "HEALTHCHECK CMD curl -f http://localhost:3000/", "failed"),
        ("gcr.io/distroless/static-debian12:debug", "HEALTHCHECK CMD wget -q http://localhost:8080/", "failed"),
        ("gcr.io/distroless/static-debian12", 'HEALTHCHECK CMD ["/app", "-healthcheck"]', "passed"),
        ("gcr.io/distroless/static-debian12", 'HEALTHCHECK CMD ["curl", "-f", "http://localhost:8080/"]', "failed"),
        ("gcr.io/distroless/static-debian12", "HEALTHCHECK NONE", "passed"),
    ],
)
def test_a_healthcheck_must_be_able_to_run_on_its_base(tmp_path, base, healthcheck, status):
    text = f'FROM {base}\nCOPY app /app\nUSER 10001\n{healthcheck}\nENTRYPOINT ["/app"]\n'
    assert _lint(tmp_path, text).result("dockerfile.exec-form").status == status
