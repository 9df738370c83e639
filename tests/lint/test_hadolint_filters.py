"""hadolint findings the course knows to be wrong are left out: one test per filtered code and construct."""

from __future__ import annotations

import pytest

from stagelab.dockerfile import parse
from stagelab.grading.hadolint import KNOWN_WRONG, lint

HEREDOC_TO_COMMAND = """\
# syntax=docker/dockerfile:1
FROM debian:12-slim
RUN <<EOF cat > /etc/app.conf
listen=8080
EOF
USER 65532
"""

WINDOWS = """\
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN mkdir C:\\app && echo hello > C:\\app\\hi.txt
RUN type C:\\app\\hi.txt | findstr hello
RUN powershell -Command Write-Host $env:PATH
USER ContainerUser
"""

#: The same constructs on Linux, where hadolint is right and its findings stay.
LINUX = """\
FROM debian:12-slim
RUN a=b
RUN cat /etc/hostname | grep h
RUN echo $HOME
USER app
"""


def _codes(result) -> set[str]:
    return {f.code for f in result.findings}


def _filtered(result) -> set[str]:
    return {f.code for f, _ in result.filtered}


def test_shellcheck_on_a_heredoc_fed_to_a_command_is_filtered():
    result = lint(parse(HEREDOC_TO_COMMAND))
    assert "SC2034" in _filtered(result)  # "listen appears unused": it is data for cat, not shell
    assert not any(code.startswith("SC") for code in _codes(result))


@pytest.mark.parametrize("code", ["SC1001", "DL4006", "SC2086", "DL3066"])
def test_sh_advice_on_a_windows_image_is_filtered(code):
    result = lint(parse(WINDOWS))
    assert code in _filtered(result)
    assert code not in _codes(result)


@pytest.mark.parametrize("code", ["SC2034", "DL4006", "SC2086", "DL3066"])
def test_the_same_findings_stay_on_a_linux_image(code):
    result = lint(parse(LINUX))
    assert code in _codes(result) and not result.filtered


@pytest.mark.parametrize("user", ["$APP_UID", "${APP_UID}"])
def test_non_numeric_user_on_a_user_named_by_a_variable_is_filtered(user):
    result = lint(parse(f"FROM mcr.microsoft.com/dotnet/aspnet:8.0\nUSER {user}\n"))
    assert "DL3066" in _filtered(result) and "DL3066" not in _codes(result)


def test_non_numeric_user_stays_on_a_user_named_by_name():
    result = lint(parse("FROM mcr.microsoft.com/dotnet/aspnet:8.0\nUSER app\n"))
    assert "DL3066" in _codes(result) and not result.filtered


@pytest.mark.parametrize("removal", ["rm -f /var/lib/apt/lists/*_*", 'rm -r -- "/var/lib/apt/lists"'])
def test_delete_the_apt_lists_on_a_run_that_deletes_them_is_filtered(removal):
    run = f"RUN apt-get update && apt-get install -y --no-install-recommends curl && {removal}"
    result = lint(parse(f"FROM debian:12-slim\n{run}\nUSER 10001\n"))
    assert "DL3009" in _filtered(result) and "DL3009" not in _codes(result)


def test_delete_the_apt_lists_stays_on_a_run_that_keeps_them():
    run = "RUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean"
    result = lint(parse(f"FROM debian:12-slim\n{run}\nUSER 10001\n"))
    assert "DL3009" in _codes(result) and not result.filtered


@pytest.mark.parametrize(
    "instruction",
    ["ENV PASSWORD_FILE=/run/secrets/db", "ENV TOKEN_URL=https://auth.example.com/token", "ARG SECRET_NAME=db-creds"],
)
def test_sensitive_data_on_a_variable_that_says_where_a_secret_is_is_filtered(instruction):
    result = lint(parse(f"FROM debian:12-slim\n{instruction}\nUSER 10001\n"))
    assert "DL3064" in _filtered(result) and "DL3064" not in _codes(result)


@pytest.mark.parametrize("instruction", ["ENV DB_PASSWORD=hunter2", "ARG NPM_TOKEN", "ENV TOKEN_URL=u NPM_TOKEN=t"])
def test_sensitive_data_stays_on_a_variable_that_holds_a_secret(instruction):
    result = lint(parse(f"FROM debian:12-slim\n{instruction}\nUSER 10001\n"))
    assert "DL3064" in _codes(result) and not result.filtered


def test_every_filter_has_a_reason_and_is_exercised_above():
    assert {k.construct for k in KNOWN_WRONG} == {
        "heredoc-to-command",
        "windows",
        "user-variable",
        "apt-lists-removed",
        "secret-pointer",
    }
    assert all(k.why for k in KNOWN_WRONG)


@pytest.mark.parametrize(
    "heredoc",
    ["RUN <<ONE <<TWO\necho one\nONE\necho two\nTWO\n", "RUN <<-EOT\n\techo tabbed\n\tEOT\n"],
    ids=["two-heredocs", "tab-stripping"],
)
def test_a_heredoc_hadolint_cannot_parse_is_not_a_parse_error(heredoc):
    model = parse(f"FROM debian:12-slim\n{heredoc}FROM debian:latest\n")
    result = lint(model)
    assert result.parse_error is None
    assert result.unread_heredocs == (2,)
    assert any(f.code == "DL3007" for f in result.findings)  # the rest of the file is still linted
