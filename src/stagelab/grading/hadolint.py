"""Run hadolint (the field's Dockerfile linter) the way grading needs it.

hadolint auto-loads ``./.hadolint.yaml`` and honours ``# hadolint ignore=`` pragmas;
both would let a submission change its own grade. So it runs in the course's own
folder with the user-level config locations pointed at a folder that does not
exist, reads the Dockerfile from stdin, uses only the course's config, and ignores
pragmas. ``DL1000`` means hadolint could not parse the file: that is not a lint
finding and is reported apart.

hadolint is wrong about a few constructs BuildKit reads fine; :data:`KNOWN_WRONG`
lists each one with the reason, and those findings are never shown to learners.
A run can be started early (:func:`start`) so it overlaps the course's own checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..dockerfile import Dockerfile, Instruction, Stage
from ..dockerfile.shell_words import removes_any, simple_commands
from ..errors import StagelabError

# Starting and collecting the process (lint starts it before loading this module).
from .hadolint_process import TIMEOUT_S, HadolintMissing, binary, prestart, take  # noqa: F401
from .secret_names import is_secret_name, names_where_a_secret_is

CONFIG = Path(__file__).with_name("hadolint.yaml")


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
        return (
            f"https://github.com/hadolint/hadolint/wiki/{self.code}"
            if self.code.startswith("DL")
            else (f"https://www.shellcheck.net/wiki/{self.code}")
        )


@dataclass(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]
    #: Set when hadolint could not parse the file (its DL1000).
    parse_error: Finding | None = None
    #: Findings left out because hadolint is known to be wrong there (see :data:`KNOWN_WRONG`), with the reason.
    filtered: tuple[tuple[Finding, str], ...] = ()
    #: Heredoc instructions hadolint cannot read; it linted the file without them.
    unread_heredocs: tuple[int, ...] = ()


@dataclass(frozen=True)
class KnownWrong:
    """A hadolint finding the course knows to be wrong for a construct, and why."""

    codes: str  # regular expression over the finding's code
    construct: str
    why: str


#: Each entry is tested with a Dockerfile where hadolint gives that finding wrongly.
KNOWN_WRONG = (
    KnownWrong(
        r"SC\d+",
        "heredoc-to-command",
        "`RUN <<EOF cat > file` feeds the heredoc to the command as data; hadolint checks it as a shell script",
    ),
    KnownWrong(
        r"SC\d+|DL4006",
        "windows",
        "a Windows image runs RUN with cmd or PowerShell: ShellCheck's and pipefail's advice are for /bin/sh",
    ),
    KnownWrong(r"DL3066", "windows", "Windows users are names (ContainerUser); there are no numeric user ids"),
    KnownWrong(
        r"DL3009",
        "apt-lists-removed",
        "the RUN does delete the apt lists (`rm -f /var/lib/apt/lists/*_*`, `rm -r -- /var/lib/apt/lists`); "
        "hadolint recognises `rm -rf /var/lib/apt/lists/*` alone",
    ),
    KnownWrong(
        r"DL3064",
        "secret-pointer",
        "the variables say where a secret is (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`), not the secret",
    ),
    KnownWrong(
        r"DL3066",
        "user-variable",
        "`USER $APP_UID` names its user by a variable: hadolint cannot know whether the value is a number",
    ),
)


def _fed_text(model: Dockerfile, blank: set[int] = frozenset()) -> tuple[str, list[int]]:
    """The text hadolint reads, and for each fed line (index + 1) the learner's line.

    Works around hadolint's heredoc bug with a blank line after each heredoc terminator,
    and blanks the lines in ``blank`` (heredoc instructions hadolint cannot parse).
    """
    ends = {i.end_line for i in model.instructions if i.heredocs}
    fed: list[str] = []
    origin: list[int] = []
    for number, line in enumerate(model.text.splitlines(), 1):
        fed.append("" if number in blank else line)
        origin.append(number)
        if number in ends:
            fed.append("")
            origin.append(number)
    return "\n".join(fed) + "\n", origin


class PendingLint:
    """A hadolint run under way; :meth:`result` waits for it and reads its findings."""

    def __init__(self, model: Dockerfile, blank: set[int] = frozenset()):
        self.model = model
        self.blank = blank
        self.text, self.origin = _fed_text(model, blank)
        self.run = take(self.text)

    def result(self) -> LintResult:
        stdout, stderr = self.run.output()
        try:
            raw = json.loads(stdout or "[]")
        except json.JSONDecodeError:
            raise StagelabError(f"hadolint gave no readable result: {stderr.strip()[:300]}") from None
        findings: list[Finding] = []
        parse_error = None
        for item in raw:
            line = item.get("line")
            if isinstance(line, int) and 1 <= line <= len(self.origin):
                line = self.origin[line - 1]
            finding = Finding(str(item.get("code", "")), str(item.get("level", "")), line, str(item.get("message", "")))
            if finding.code == "DL1000":
                parse_error = finding
            else:
                findings.append(finding)
        return _without_known_wrong(self.model, findings, parse_error)


def start(model: Dockerfile) -> PendingLint:
    """Start hadolint on a parsed Dockerfile; it runs while the caller does other work."""
    return PendingLint(model)


def lint(model: Dockerfile, pending: PendingLint | None = None) -> LintResult:
    """Lint a parsed Dockerfile; findings carry the learner's line numbers.

    ``pending`` is a run already started with :func:`start`. When hadolint cannot parse
    a heredoc that BuildKit reads, the file is linted again without its heredoc
    instructions (their lines are listed in ``unread_heredocs``).
    """
    result = (pending or start(model)).result()
    error = result.parse_error
    if error is not None and error.line is not None:
        heredoc_lines = {
            number for i in model.instructions if i.heredocs for number in range(i.start_line, i.end_line + 1)
        }
        if error.line in heredoc_lines or error.line - 1 in heredoc_lines:
            blank = {n for n in heredoc_lines}
            retried = PendingLint(model, blank).result()
            starts = tuple(i.start_line for i in model.instructions if i.heredocs)
            return LintResult(retried.findings, retried.parse_error, retried.filtered, starts)
    return result


# -- findings hadolint is known to get wrong ------------------------------------------------

_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"}
_WINDOWS_BASE = re.compile(r"mcr\.microsoft\.com/windows|nanoserver|servercore|windowsservercore", re.IGNORECASE)


def _heredoc_feeds_a_command(instruction: Instruction) -> bool:
    """``RUN <<EOF cmd …``: the heredoc is the command's stdin, not a script for the shell."""
    if instruction.keyword != "RUN" or not instruction.heredocs:
        return False
    first_line = instruction.original.splitlines()[0]
    after = re.sub(r"^\s*RUN\s+", "", first_line, flags=re.IGNORECASE)
    after = re.sub(r"--\S+\s+", "", after)
    words = [w for w in re.split(r"\s+", after) if w and not w.startswith("<<")]
    if not words:
        return False
    return Path(words[0]).name not in _SHELLS


def _windows_stages(model: Dockerfile) -> list[Stage]:
    windows: list[Stage] = []
    for stage in model.stages:
        parent = model.stage(stage.base)
        inherited = parent is not None and parent.index < stage.index and parent in windows
        shell = stage.last("SHELL")
        shell_words = " ".join(shell.arguments).lower() if shell else ""
        if (
            inherited
            or _WINDOWS_BASE.search(model.resolved_base(stage))
            or re.search(r"powershell|pwsh|cmd(\.exe)?\b", shell_words)
        ):
            windows.append(stage)
    return windows


def _removes_apt_lists(instruction: Instruction) -> bool:
    return any(removes_any(command, ("/var/lib/apt/lists",)) for command in simple_commands(instruction.script))


def _variable_names(instruction: Instruction) -> list[str]:
    if instruction.keyword == "ENV":
        return list(instruction.arguments[0::2])
    return [item.partition("=")[0] for item in instruction.arguments]  # ARG NAME[=default] …


def _points_at_secrets_only(instruction: Instruction) -> bool:
    """An ENV or ARG whose names say where secrets are (``PASSWORD_FILE``) and none that holds one."""
    if instruction.keyword not in ("ENV", "ARG"):
        return False
    names = _variable_names(instruction)
    return any(names_where_a_secret_is(n) for n in names) and not any(is_secret_name(n) for n in names)


def _construct_lines(model: Dockerfile) -> dict[str, set[int]]:
    lines: dict[str, set[int]] = {k.construct: set() for k in KNOWN_WRONG}
    for instruction in model.instructions:
        if _points_at_secrets_only(instruction):
            lines["secret-pointer"].update(range(instruction.start_line, instruction.end_line + 1))
        if instruction.keyword == "RUN" and _removes_apt_lists(instruction):
            lines["apt-lists-removed"].update(range(instruction.start_line, instruction.end_line + 1))
        if _heredoc_feeds_a_command(instruction):
            lines["heredoc-to-command"].update(range(instruction.start_line, instruction.end_line + 1))
        if instruction.keyword == "USER" and "$" in " ".join(instruction.arguments).split(":", 1)[0]:
            lines["user-variable"].update(range(instruction.start_line, instruction.end_line + 1))
    for stage in _windows_stages(model):
        last = stage.instructions[-1].end_line if stage.instructions else stage.from_instruction.end_line
        lines["windows"].update(range(stage.from_instruction.start_line, last + 1))
    return lines


def _without_known_wrong(model: Dockerfile, findings: list[Finding], parse_error: Finding | None) -> LintResult:
    constructs = _construct_lines(model)
    kept: list[Finding] = []
    filtered: list[tuple[Finding, str]] = []
    for finding in findings:
        wrong = next(
            (
                entry
                for entry in KNOWN_WRONG
                if finding.line in constructs[entry.construct] and re.fullmatch(entry.codes, finding.code)
            ),
            None,
        )
        if wrong is None:
            kept.append(finding)
        else:
            filtered.append((finding, wrong.why))
    return LintResult(tuple(kept), parse_error, tuple(filtered))
