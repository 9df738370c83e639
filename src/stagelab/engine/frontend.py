"""``# syntax=`` directives without a registry: the engine's built-in Dockerfile frontend.

``# syntax=docker/dockerfile:1`` opens most Dockerfiles in Docker's own documentation.
It asks BuildKit to download that frontend image before anything else, so with no
registry the build fails in under a second, before a single instruction ran. Every
engine with BuildKit carries a Dockerfile frontend of its own (1.7 in Docker 26), and
that one can serve any ``docker/dockerfile:1``/``1.N`` directive up to its version.

:func:`plan` decides, from the directive and what the Dockerfile uses:

* served by the built-in frontend: the build gets a copy of the Dockerfile whose
  ``syntax`` line is blanked (same line count, so line numbers in errors stay right),
  and a one-line notice says so;
* not servable (a newer version, a ``-labs`` feature the built-in frontend lacks, a
  third-party frontend): :class:`FrontendUnavailable`, naming the directive and what to do.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import StagelabError

#: Flags that only the ``-labs`` Dockerfile frontends understand (as of frontend 1.7).
LABS_ONLY_FLAGS = {
    "COPY": ("--parents", "--exclude"),
    "ADD": ("--exclude",),
    "RUN": ("--security",),
}

#: The Dockerfile frontend each Docker Engine major version carries built in
#: (from the BuildKit version it vendors); used when the engine does not report it.
_BUILTIN_BY_ENGINE = {23: (1, 5), 24: (1, 5), 25: (1, 6), 26: (1, 7), 27: (1, 8), 28: (1, 14)}

_OFFICIAL = re.compile(
    r"^(?:docker\.io/)?docker/dockerfile(?P<upstream>-upstream)?"
    r"(?::(?P<tag>[A-Za-z0-9._-]+))?(?:@sha256:[0-9a-f]{64})?$"
)
_VERSION_TAG = re.compile(r"^(?P<major>\d+)(?:\.(?P<minor>\d+))?(?:\.\d+)?(?P<labs>-labs)?$")
_DIRECTIVE_LINE = re.compile(r"^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")


class FrontendUnavailable(StagelabError):
    """A ``# syntax=`` directive that no registry and no built-in frontend can serve here."""

    exit_code = 1

    def __init__(self, directive: str, reason: str, line: int = 1):
        self.directive = directive
        self.reason = reason
        self.line = line
        super().__init__(f"`# syntax={directive}` (line {line}) cannot be served here: {reason}")


@dataclass(frozen=True)
class FrontendPlan:
    """How a Dockerfile with a ``# syntax=`` directive is built without a registry."""

    directive: str
    dockerfile_text: str  # the Dockerfile with the directive blanked, for the build
    notice: str


def builtin_version_for(engine_version: str, buildkit_version: str | None = None) -> tuple[int, int]:
    """The built-in Dockerfile frontend of an engine: BuildKit v0.N carries 1.(N-6)."""
    match = re.match(r"v?0\.(\d+)\.", buildkit_version or "")
    if match and int(match.group(1)) >= 11:
        return (1, int(match.group(1)) - 6)
    major = int(re.match(r"\d+", engine_version).group(0)) if re.match(r"\d+", engine_version) else 0
    if major in _BUILTIN_BY_ENGINE:
        return _BUILTIN_BY_ENGINE[major]
    return (1, 18) if major > max(_BUILTIN_BY_ENGINE) else (1, 4)


@functools.lru_cache(maxsize=8)
def _engine_builtin(docker_host: str | None) -> tuple[int, int]:
    from .client import client  # the engine door; imported here so the pure planning stays engine-free

    version = client().version()
    buildkit = next(
        (c.get("Version") for c in version.get("Components", []) if c.get("Name", "").lower() == "buildkit"), None
    )
    return builtin_version_for(version.get("Version", ""), buildkit)


def engine_builtin_version() -> tuple[int, int]:
    """The Dockerfile frontend built into the engine the builds use."""
    return _engine_builtin(os.environ.get("DOCKER_HOST"))


def _directive_block(lines: list[str]) -> list[tuple[int, str, str]]:
    """The parser directives at the top of the file: (index, key, value)."""
    found = []
    for index, line in enumerate(lines):
        match = _DIRECTIVE_LINE.match(line.rstrip("\r"))
        if not match:
            break
        found.append((index, match.group(1).lower(), match.group(2)))
    return found


def _labs_flags_used(lines: list[str], start: int) -> list[tuple[int, str]]:
    used = []
    for number, line in enumerate(lines[start:], start=start + 1):
        words = line.strip().split()
        if not words:
            continue
        flags = LABS_ONLY_FLAGS.get(words[0].upper(), ())
        for word in words[1:]:
            if not word.startswith("--"):
                break
            if word.split("=", 1)[0] in flags:
                used.append((number, f"{words[0].upper()} {word.split('=', 1)[0]}"))
    return used


def plan(text: str, builtin: tuple[int, int]) -> FrontendPlan | None:
    """Decide how to build ``text``: None when it has no ``syntax`` directive.

    Raises :class:`FrontendUnavailable` when the directive asks for what the built-in
    frontend (version ``builtin``) cannot do.
    """
    lines = text.split("\n")
    block = _directive_block(lines)
    syntax = next(((index, value) for index, key, value in block if key == "syntax"), None)
    if syntax is None:
        return None
    index, directive = syntax
    line = index + 1
    builtin_name = f"{builtin[0]}.{builtin[1]}"
    fetch_advice = (
        "There is no container registry to download it from. Remove the line to use the engine's built-in "
        f"Dockerfile frontend ({builtin_name}), or build where a registry answers."
    )
    match = _OFFICIAL.match(directive)
    if not match:
        raise FrontendUnavailable(directive, f"it names a third-party Dockerfile frontend image. {fetch_advice}", line)
    tag = match.group("tag") or "latest"
    labs = tag == "labs" or tag.endswith("-labs")
    version = _VERSION_TAG.match(tag)
    if match.group("upstream"):
        raise FrontendUnavailable(
            directive,
            f"`docker/dockerfile-upstream` is BuildKit's unreleased development frontend. {fetch_advice}",
            line,
        )
    if version:
        requested = (int(version.group("major")), int(version.group("minor") or 0))
        if requested[0] != builtin[0] or (version.group("minor") is not None and requested > builtin):
            raise FrontendUnavailable(
                directive,
                f"it asks for Dockerfile frontend {requested[0]}.{requested[1]}, newer than the engine's built-in "
                f"{builtin_name}. {fetch_advice}",
                line,
            )
    elif tag not in ("latest", "labs"):
        raise FrontendUnavailable(directive, f"`{tag}` is not a Dockerfile frontend version. {fetch_advice}", line)
    if labs:
        used = _labs_flags_used(lines, len(block))
        if used:
            where = ", ".join(f"`{flag}` at line {number}" for number, flag in used)
            raise FrontendUnavailable(
                directive,
                f"it asks for the labs frontend, and this Dockerfile uses labs-only features ({where}) that the "
                f"engine's built-in frontend ({builtin_name}) does not have. The labs frontend must be downloaded "
                "from a registry, and none answers here. Rewrite those lines without the labs flags "
                "(e.g. one COPY per folder instead of `COPY --parents`), or build where a registry answers.",
                line,
            )
    # Blank the syntax line but keep the other directives first: a comment that is not a
    # directive ends the directive block, so an `# escape=` after it would be ignored.
    others = [lines[i] for i, key, _ in block if key != "syntax"]
    blanked = others + ["#"] * (len(block) - len(others))
    rewritten = "\n".join(blanked + lines[len(block) :])
    return FrontendPlan(
        directive=directive,
        dockerfile_text=rewritten,
        notice=(
            f"`# syntax={directive}` was served by the engine's built-in Dockerfile frontend ({builtin_name}): "
            "no registry is needed."
        ),
    )


def write_for_build(plan_: FrontendPlan, original: Path, scratch: Path) -> Path:
    """Write the rewritten Dockerfile into ``scratch`` (with its own .dockerignore, if any)."""
    target = scratch / "Dockerfile"
    target.write_text(plan_.dockerfile_text, encoding="utf-8")
    own_ignore = original.with_name(original.name + ".dockerignore")
    if own_ignore.is_file():
        (scratch / "Dockerfile.dockerignore").write_bytes(own_ignore.read_bytes())
    return target
