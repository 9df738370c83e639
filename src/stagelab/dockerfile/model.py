"""Parse a Dockerfile into stages and instructions.

Parsing uses the ``dockerfile`` package, which wraps BuildKit's own parser, so
heredocs, line continuations, flags and the ``escape`` directive are read
exactly as ``docker buildx build`` reads them. It is archived upstream: keep
every use of it in this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile as _buildkit_parser

from ..units import format_size

# Reading and its errors live in .reading (lint reads the file before loading the parser); named here too.
from .reading import MAX_DOCKERFILE_BYTES, DockerfileSyntaxError, DockerfileUnreadable, _too_big, read_text  # noqa: F401


@dataclass(frozen=True)
class Instruction:
    """One instruction as written: keyword, flags, arguments and where it is."""

    keyword: str
    arguments: tuple[str, ...]
    flags: tuple[str, ...]
    original: str
    start_line: int
    end_line: int
    json_form: bool = False
    heredocs: tuple[str, ...] = ()
    sub_keyword: str | None = None

    def flag(self, name: str) -> str | None:
        """Value of ``--name=value`` (or ``""`` for a bare ``--name``), else None."""
        prefix = f"--{name}"
        for item in self.flags:
            if item == prefix:
                return ""
            if item.startswith(prefix + "="):
                return item[len(prefix) + 1 :]
        return None

    def flag_values(self, name: str) -> list[str]:
        """All values of a repeatable flag such as ``--mount``."""
        prefix = f"--{name}="
        return [item[len(prefix) :] for item in self.flags if item.startswith(prefix)]

    @property
    def text(self) -> str:
        """The instruction on one line, as BuildKit names its build step."""
        return " ".join(self.original.split())

    @property
    def script(self) -> str:
        """The shell text a RUN runs: its arguments, then each heredoc's body, a line apart."""
        return " ".join(self.arguments) + "\n" + "\n".join(self.heredocs)


@dataclass(frozen=True)
class Stage:
    """A build stage: its ``FROM`` and the instructions after it."""

    index: int
    name: str | None
    base: str
    platform: str | None
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]

    @property
    def ref(self) -> str:
        """How other stages and ``--target`` refer to it (its name, else its index)."""
        return self.name or str(self.index)

    @property
    def buildkit_name(self) -> str:
        """How BuildKit labels this stage's steps in its progress (``stage-N`` when unnamed)."""
        return self.name or f"stage-{self.index}"

    def find(self, keyword: str) -> list[Instruction]:
        """Instructions of this stage with the given keyword (e.g. ``"COPY"``)."""
        keyword = keyword.upper()
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        """The last instruction with this keyword: the one that takes effect for CMD, USER…"""
        found = self.find(keyword)
        return found[-1] if found else None

    def stage_dependencies(self) -> set[str]:
        """Stage names or indexes this stage reads from (``COPY --from``, ``RUN --mount=from=``)."""
        deps: set[str] = set()
        for instruction in self.instructions:
            source = instruction.flag("from")
            if instruction.keyword in ("COPY", "ADD") and source:
                deps.add(source)
            if instruction.keyword == "RUN":
                for mount in instruction.flag_values("mount"):
                    match = re.search(r"(?:^|,)from=([^,]+)", mount)
                    if match:
                        deps.add(match.group(1))
        return deps


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile."""

    text: str
    path: str | None
    instructions: tuple[Instruction, ...]
    global_args: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    directives: dict[str, str] = field(default_factory=dict)
    # Lookups by stage name and the ARG defaults are computed once: a file with thousands of
    # stages must not make every lookup a scan (that made a 1 MB file take half a minute).
    _stages_by_name: dict[str, Stage] = field(init=False, repr=False, compare=False)
    _arg_defaults: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Stage] = {}
        for stage in self.stages:
            if stage.name:
                # BuildKit refuses duplicate names; keep the first, as a lookup "above" would find.
                by_name.setdefault(stage.name.lower(), stage)
        object.__setattr__(self, "_stages_by_name", by_name)
        object.__setattr__(self, "_arg_defaults", _global_arg_defaults(self.global_args))

    @property
    def final_stage(self) -> Stage:
        """The last stage: what ``docker build`` without ``--target`` produces."""
        return self.stages[-1]

    @property
    def is_multi_stage(self) -> bool:
        return len(self.stages) > 1

    def stage(self, ref: str | int) -> Stage | None:
        """A stage by name (case-insensitive, as BuildKit) or index."""
        text = str(ref)
        found = self._stages_by_name.get(text.lower())
        if found is not None:
            return found
        if text.isdigit() and int(text) < len(self.stages):
            return self.stages[int(text)]
        return None

    def target_stage(self, target: str | None) -> Stage:
        """The stage a build with ``--target`` produces (the final one without it)."""
        if target is None:
            return self.final_stage
        stage = self.stage(target)
        if stage is None:
            names = ", ".join(s.ref for s in self.stages)
            raise DockerfileSyntaxError(f"there is no stage named '{target}' (stages: {names})", path=self.path)
        return stage

    def needed_stages(self, target: str | None = None) -> list[Stage]:
        """Stages BuildKit must build for ``target``, in Dockerfile order.

        BuildKit only builds stages the target reaches through ``FROM <stage>``,
        ``COPY --from`` and ``RUN --mount=from=``; every other stage is skipped.
        """
        wanted = self.target_stage(target)
        needed: set[int] = set()
        todo = [wanted]
        while todo:
            stage = todo.pop()
            if stage.index in needed:
                continue
            needed.add(stage.index)
            refs = set(stage.stage_dependencies())
            refs.add(stage.base)
            for ref in refs:
                dep = self.stage(ref)
                # A stage can only refer to stages before it; a later name is an image.
                if dep is not None and dep.index < stage.index:
                    todo.append(dep)
        return [s for s in self.stages if s.index in needed]

    def skipped_stages(self, target: str | None = None) -> list[Stage]:
        """Stages that a build for ``target`` does not build at all."""
        needed = {s.index for s in self.needed_stages(target)}
        return [s for s in self.stages if s.index not in needed]

    def arg_defaults(self) -> dict[str, str]:
        """Default values of the ``ARG`` instructions before the first ``FROM`` (earlier ARGs substituted)."""
        return dict(self._arg_defaults)

    def resolved_base(self, stage: Stage, build_args: dict[str, str] | None = None) -> str:
        """The stage's base reference with ``${ARG}`` (and ``${ARG:-default}``) substituted.

        Values come from the global ARG defaults and ``build_args``; a reference to an
        argument that has no value is left as written (``$NAME``), so callers can tell.
        """
        values = {**self._arg_defaults, **(build_args or {})} if build_args else self._arg_defaults
        return substitute_args(stage.base, values)


#: ``$NAME``, ``${NAME}`` and ``${NAME<op>word}`` with op one of ``:-``, ``-``, ``:+``, ``+`` (BuildKit's forms).
#: The word may hold ``$NAME`` and ``${NAME}`` but no other ``${``: a reference with an operator nested in
#: the word is expanded first, in an earlier pass, and a word never runs on past the next one (a word
#: that could, ``[^}]*``, made the time quadratic in a line of unclosed ``${A:-``).
_ARG_REFERENCE = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])((?:[^}$]|\$(?!\{)|\$\{[A-Za-z_][A-Za-z0-9_]*\})*))?\}"
    r"|\$([A-Za-z_][A-Za-z0-9_]*)"
)
#: References nested deeper than this (``${A:-${B:-${C}}}`` is 3) are left as written.
_MAX_NESTING = 8


def substitute_args(text: str, values: dict[str, str]) -> str:
    """Expand build-argument references in ``text`` as BuildKit does; unknown names stay as written.

    Innermost references first, one level per pass, at most :data:`_MAX_NESTING` passes: the
    time is linear in the text's length whatever it holds.
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3)
        value = values.get(name)
        if operator is None:
            return value if value is not None else match.group(0)
        word = _ARG_REFERENCE.sub(substitute, word) if "$" in word else word  # $NAME, ${NAME}: one level
        is_set = value is not None and (value != "" or not operator.startswith(":"))
        if operator.endswith("-"):
            return value if is_set else word
        return word if is_set else ""

    for _ in range(_MAX_NESTING):
        expanded = _ARG_REFERENCE.sub(substitute, text)
        if expanded == text:
            break
        text = expanded
    return text


def _global_arg_defaults(global_args: tuple[Instruction, ...]) -> dict[str, str]:
    defaults: dict[str, str] = {}
    for arg in global_args:
        if arg.keyword != "ARG":
            continue
        for item in arg.arguments:
            name, equals, value = item.partition("=")
            if equals:
                defaults[name] = substitute_args(value.strip("\"'"), defaults)
    return defaults


_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")


def _directives(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _DIRECTIVE.match(line)
        if not match:
            break
        found[match.group(1).lower()] = match.group(2)
    return found


#: The longest instruction read, its continuation lines included. BuildKit refuses a physical line
#: over 64 KiB, and its parser takes time that grows with the square of an instruction's length
#: (measured: 280 KB of continued lines took 9 s, a megabyte would take about two minutes), so a
#: longer one — no real Dockerfile has one — is refused before it is parsed.
MAX_INSTRUCTION_BYTES = 65_536


def _longest_instruction(text: str, escape: str) -> tuple[int, int, int]:
    """(length in characters, first line, number of lines) of the longest instruction continued over lines.

    One pass over the lines. Blank lines and comments inside a continuation continue it, as BuildKit reads them.
    """
    longest = (0, 0, 0)
    length = start = 0
    continued = False
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not continued:
            length, start = 0, number
        elif not stripped or stripped.startswith("#"):
            length += len(line) + 1
            continue
        length += len(line) + 1
        continued = stripped.endswith(escape) and not stripped.startswith("#")
        if length > longest[0]:
            longest = (length, start, number - start + 1)
    return longest


def _line_of_go_error(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def parse(text: str, path: str | None = None) -> Dockerfile:
    """Parse Dockerfile text; raises :class:`DockerfileSyntaxError` with a line when it cannot."""
    if len(text) > MAX_DOCKERFILE_BYTES or len(text.encode("utf-8", "replace")) > MAX_DOCKERFILE_BYTES:
        raise _too_big(len(text.encode("utf-8", "replace")), path)
    if "\x00" in text:
        raise DockerfileUnreadable("the file contains binary data (NUL bytes); a Dockerfile is plain text", path=path)
    if not text.strip():
        raise DockerfileSyntaxError(
            "the file is empty: a Dockerfile needs at least a FROM instruction",
            path=path,
            hint="Start the file with `FROM <image>:<tag>`.",
        )
    if text.count("\r") > 1 and "\n" not in text.strip():  # one line ending in CR is read fine
        raise DockerfileSyntaxError(
            "the lines end in a carriage return alone (classic Mac OS): BuildKit reads the whole file as one line",
            line=1,
            path=path,
            hint="Save the file with Unix (LF) or Windows (CRLF) line endings.",
        )
    directives = _directives(text)
    length, line, lines = _longest_instruction(text, directives.get("escape", "\\"))
    if length > MAX_INSTRUCTION_BYTES:
        raise DockerfileSyntaxError(
            f"the instruction at line {line} runs over {lines} lines and {format_size(length)}: more than "
            f"{format_size(MAX_INSTRUCTION_BYTES)}, the most one instruction may hold here",
            line=line,
            path=path,
            hint="Move the long script into a file you COPY and run, or into a heredoc (`RUN <<EOF`).",
        )
    try:
        commands = _buildkit_parser.parse_string(text)
    except _buildkit_parser.GoParseError as error:
        message = str(error)
        if "no instructions" in message:
            raise DockerfileSyntaxError(
                "the file has only comments: a Dockerfile needs at least a FROM instruction",
                path=path,
                hint="Add `FROM <image>:<tag>` after the comments.",
            ) from None
        raise DockerfileSyntaxError(message, line=_line_of_go_error(message), path=path) from None

    instructions = tuple(
        Instruction(
            keyword=command.cmd.upper(),
            arguments=tuple(command.value),
            flags=tuple(command.flags),
            original=command.original,
            start_line=command.start_line,
            end_line=command.end_line,
            json_form=bool(command.json),
            heredocs=tuple(h.content for h in command.heredocs),
            sub_keyword=command.sub_cmd,
        )
        for command in commands
    )

    global_args: list[Instruction] = []
    stages: list[Stage] = []
    current_from: Instruction | None = None
    current: list[Instruction] = []

    def close_stage() -> None:
        if current_from is None:
            return
        words = list(current_from.arguments)
        name = None
        if len(words) >= 3 and words[-2].lower() == "as":
            name = words[-1]
            words = words[:-2]
        base = words[0] if words else ""
        stages.append(
            Stage(
                index=len(stages),
                name=name,
                base=base,
                platform=current_from.flag("platform"),
                from_instruction=current_from,
                instructions=tuple(current),
            )
        )

    for instruction in instructions:
        if instruction.keyword == "FROM":
            close_stage()
            current_from, current = instruction, []
        elif current_from is None:
            global_args.append(instruction)
        else:
            current.append(instruction)
    close_stage()

    if not stages:
        first = instructions[0]
        raise DockerfileSyntaxError(
            f"no FROM instruction: every Dockerfile starts its first stage with FROM (found {first.keyword} first)",
            line=first.start_line,
            path=path,
            hint="Start the first stage with `FROM <image>:<tag>`; only ARG and comments may come before it.",
        )
    return Dockerfile(
        text=text,
        path=path,
        instructions=instructions,
        global_args=tuple(global_args),
        stages=tuple(stages),
        directives=directives,
    )


def load(path: str | Path) -> Dockerfile:
    """Read and parse a Dockerfile from disk (see :func:`read_text` for what is refused)."""
    return parse(read_text(path), path=str(path))
