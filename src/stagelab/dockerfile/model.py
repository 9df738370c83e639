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

from ..errors import StagelabError

#: Dockerfiles bigger than this are refused before parsing (a real one is a few KB).
MAX_DOCKERFILE_BYTES = 1_000_000


class DockerfileSyntaxError(StagelabError):
    """The Dockerfile cannot be parsed; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None, path: str | None = None):
        self.reason = message
        self.line = line
        self.path = path
        where = f"{path or 'Dockerfile'}" + (f":{line}" if line else "")
        super().__init__(f"{where}: {message}")


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
        for stage in self.stages:
            if stage.name and stage.name.lower() == text.lower():
                return stage
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
        """Default values of the ``ARG`` instructions before the first ``FROM``."""
        defaults: dict[str, str] = {}
        for arg in self.global_args:
            for item in arg.arguments:
                name, _, value = item.partition("=")
                if value:
                    defaults[name] = value.strip("\"'")
        return defaults

    def resolved_base(self, stage: Stage, build_args: dict[str, str] | None = None) -> str:
        """The stage's base reference with ``${ARG}`` substituted from defaults and build args."""
        values = {**self.arg_defaults(), **(build_args or {})}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            return values.get(name, match.group(0))

        return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", substitute, stage.base)


_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")


def _directives(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _DIRECTIVE.match(line)
        if not match:
            break
        found[match.group(1).lower()] = match.group(2)
    return found


def _line_of_go_error(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def parse(text: str, path: str | None = None) -> Dockerfile:
    """Parse Dockerfile text; raises :class:`DockerfileSyntaxError` with a line when it cannot."""
    if len(text.encode("utf-8", "replace")) > MAX_DOCKERFILE_BYTES:
        raise DockerfileSyntaxError(
            f"the file is {len(text) // 1024} KB; a Dockerfile is a few KB. Is this the right file?", path=path
        )
    if "\x00" in text:
        raise DockerfileSyntaxError("the file contains binary data (NUL bytes); a Dockerfile is plain text", path=path)
    if not text.strip():
        raise DockerfileSyntaxError("the file is empty: a Dockerfile needs at least a FROM instruction", path=path)
    try:
        commands = _buildkit_parser.parse_string(text)
    except _buildkit_parser.GoParseError as error:
        message = str(error)
        if "no instructions" in message:
            raise DockerfileSyntaxError(
                "the file has only comments: a Dockerfile needs at least a FROM instruction", path=path
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
        )
    return Dockerfile(
        text=text,
        path=path,
        instructions=instructions,
        global_args=tuple(global_args),
        stages=tuple(stages),
        directives=_directives(text),
    )


def load(path: str | Path) -> Dockerfile:
    """Read and parse a Dockerfile from disk."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DockerfileSyntaxError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise DockerfileSyntaxError("is a directory, not a Dockerfile", path=str(path)) from None
    except OSError as error:
        raise DockerfileSyntaxError(f"cannot be read ({error.strerror})", path=str(path)) from None
    if len(raw) > MAX_DOCKERFILE_BYTES:
        raise DockerfileSyntaxError(
            f"the file is {len(raw) // 1024} KB; a Dockerfile is a few KB. Is this the right file?", path=str(path)
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DockerfileSyntaxError(
            f"not UTF-8 text (byte {error.start}): a Dockerfile is plain text", path=str(path)
        ) from None
    return parse(text, path=str(path))
