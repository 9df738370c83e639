"""How a check is written: once, with its documentation, like a ruff or hadolint rule.

A check is a function decorated with :func:`check`. The decorator records the id,
title, family, what it checks, why it matters, how to fix it (with a tiny
before/after Dockerfile), the chapter that teaches it and its parameters; and what
makes it one unit: what it needs from ``lab.yaml`` (:class:`Requirement`), whether
``stagelab lint`` runs it (:class:`LintUse`), which check must run before it
(``depends_on``, e.g. the implicit ``image.builds``) and how its before/after examples
are run as its catches / catches-not tests (``example_file``, ``example_params``). The
CLI, the widget, the JSON report, the spec validator, the grader's plan and the book's
check catalogue all read these definitions (see :mod:`stagelab.grading.catalogue`).

The function is ``(subject: Subject, params: Params) -> Outcome``: it receives the
:class:`~stagelab.grading.subject.Subject` being graded and its parameters (defaults
filled in) and returns an :class:`Outcome` whose :class:`~stagelab.grading.results.Evidence`
is typed, or raises :class:`SkipCheck` when it cannot run because something earlier failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from ..results import Evidence, Problem

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:
    from typing import Any

    from ..subject import Subject

#: Families, as the lab spec and the catalogue group them ("structure": optional tools a lab may add).
FAMILIES = ("dockerfile", "build", "image", "runtime", "structure")


class Phase(IntEnum):
    """When a check runs: static checks first (milliseconds), the slow ones last."""

    STATIC = 0
    BUILD = 1
    IMAGE = 2
    RUNTIME = 3
    REBUILD = 4


#: The chapters that teach the checks (notebook path + anchor), kept in one place.
CHAPTERS = {
    "single": "notebooks/01-single-stage.ipynb",
    "multi": "notebooks/02-multi-stage.ipynb",
    "distroless": "notebooks/03-distroless.ipynb",
    "debugging": "notebooks/04-debugging.ipynb",
}


def chapter(which: str, anchor: str) -> str:
    """A chapter reference ``notebooks/NN-name.ipynb#anchor``."""
    return f"{CHAPTERS[which]}#{anchor}"


@dataclass(frozen=True)
class Param:
    """A parameter a lab may set under ``with:``."""

    name: str
    default: Any
    description: str
    #: Expected Python type(s) of the value, for the spec validator.
    types: tuple[type, ...] = (str,)


#: A check's parameters as ``with:`` in lab.yaml sets them, every default filled in
#: (validated against the check's :class:`Param` types by the spec reader).
Params = Mapping[str, "Any"]


@dataclass(frozen=True)
class Outcome:
    """What a check found. A failed outcome carries the message and the hint that teach."""

    passed: bool
    message: str
    hint: str | None = None
    evidence: Evidence = field(default_factory=Evidence)


#: What a check is: the subject under grading and its parameters in, an outcome out.
CheckFunction = Callable[["Subject", Params], Outcome]


#: The evidence every report format reads by name (see :class:`~stagelab.grading.results.Evidence`).
_TYPED = ("problems", "line", "log_tail", "excerpt", "logs", "size_bytes", "warnings", "missing", "http_status")
_SEQUENCES = ("problems", "log_tail", "warnings", "missing")


def evidence(**seen: Any) -> Evidence:
    """Typed evidence from keywords: ``problems`` (:class:`Problem` s), ``line``, ``log_tail``,
    ``excerpt``, ``logs``, ``size_bytes``, ``warnings``, ``missing``, ``http_status``; any other
    keyword is a measured figure that only the JSON report shows."""
    typed = {name: seen[name] for name in _TYPED if name in seen}
    for name in _SEQUENCES:
        if name in typed:
            typed[name] = tuple(typed[name] or ())
    if any(not isinstance(problem, Problem) for problem in typed.get("problems", ())):
        raise TypeError("problems must be Problem(message, line) values")
    measured = {name: value for name, value in seen.items() if name not in typed}
    return Evidence(**typed, measured=measured, order=tuple(seen))


def passed(message: str, **seen: Any) -> Outcome:
    """A passing outcome; keywords as for :func:`evidence`."""
    return Outcome(True, message, None, evidence(**seen))


def failed(message: str, hint: str | None = None, **seen: Any) -> Outcome:
    """A failing outcome; ``hint`` overrides the check's standard fix when it knows better."""
    return Outcome(False, message, hint, evidence(**seen))


@dataclass(frozen=True)
class Requirement:
    """Something a check needs from ``lab.yaml``: at least one of ``keys`` (``run.port``…) set."""

    keys: tuple[str, ...]
    #: What the spec validator says is missing, after "<check id> needs ".
    message: str

    def met(self, lookup: Callable[[str], Any]) -> bool:
        """Whether ``lookup(key)`` (the lab's value, None when unset) gives any of the keys."""
        return any(lookup(key) is not None for key in self.keys)


@dataclass(frozen=True)
class LintUse:
    """How ``stagelab lint`` runs a check on any Dockerfile (no lab, no engine)."""

    #: The check's place in lint's report (lint runs its checks in this order).
    order: int
    #: Parameters lint gives instead of the defaults (a lab's defaults assume the lab's app).
    params: Mapping[str, Any] = field(default_factory=dict)


class SkipCheck(Exception):
    """Raised by a check that cannot run because something it needs is missing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckDefinition:
    """One check, written once."""

    id: str
    title: str
    family: str
    phase: Phase
    what: str
    why: str
    fix: str
    before: str
    after: str
    chapter: str
    params: tuple[Param, ...]
    function: CheckFunction
    #: Needs a built image, a running container… (informational, for the catalogue).
    needs_engine: bool = False
    #: What the check needs from lab.yaml beyond its own ``with:`` (checked when the spec is read).
    needs: tuple[Requirement, ...] = ()
    #: How ``stagelab lint`` runs it; None: lint does not.
    lint: LintUse | None = None
    #: Checks that run first, added to a lab's plan (0 points) when the lab does not list them.
    depends_on: tuple[str, ...] = ()
    #: The file the before/after examples show (written beside a one-line Dockerfile when not the Dockerfile).
    example_file: str = "Dockerfile"
    #: Parameters the examples are run with (defaults otherwise).
    example_params: Mapping[str, Any] = field(default_factory=dict)
    #: For an engine check: its examples are whole Dockerfiles that build alone (no app, no
    #: build stage), so its catches / catches-not tests build them; otherwise they are fragments.
    example_builds: bool = False

    def defaults(self) -> dict[str, Any]:
        """The parameters with their default values."""
        return {p.name: p.default for p in self.params}

    def lint_params(self) -> dict[str, Any]:
        """The parameters ``stagelab lint`` runs it with."""
        return {**self.defaults(), **(self.lint.params if self.lint else {})}

    def unmet(self, lookup: Callable[[str], Any]) -> list[str]:
        """What the lab lacks for this check, as "<id> needs …" sentences (empty when nothing)."""
        return [f"{self.id} needs {need.message}" for need in self.needs if not need.met(lookup)]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "phase": self.phase.name.lower(),
            "what": self.what,
            "why": self.why,
            "fix": self.fix,
            "before": self.before,
            "after": self.after,
            "chapter": self.chapter,
            "needs_engine": self.needs_engine,
            "params": [{"name": p.name, "default": p.default, "description": p.description} for p in self.params],
        }


_REGISTRY: dict[str, CheckDefinition] = {}


def check(
    *,
    id: str,
    title: str,
    family: str,
    phase: Phase,
    what: str,
    why: str,
    fix: str,
    before: str,
    after: str,
    chapter: str,
    params: tuple[Param, ...] = (),
    needs: tuple[Requirement, ...] = (),
    lint: LintUse | None = None,
    depends_on: tuple[str, ...] | None = None,
    example_file: str = "Dockerfile",
    example_params: Mapping[str, Any] | None = None,
    example_builds: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under ``id`` with its documentation.

    ``depends_on`` defaults to ``("image.builds",)`` for every check that needs the built
    image (any phase after the static one), so a failed build is reported as itself.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family}")

    def register(function: CheckFunction) -> CheckFunction:
        if id in _REGISTRY:
            raise ValueError(f"check {id} is defined twice")
        _REGISTRY[id] = CheckDefinition(
            id=id,
            title=title,
            family=family,
            phase=phase,
            what=dedent(what),
            why=dedent(why),
            fix=dedent(fix),
            before=dedent(before),
            after=dedent(after),
            chapter=chapter,
            params=params,
            function=function,
            needs_engine=phase is not Phase.STATIC,
            needs=needs,
            lint=lint,
            depends_on=depends_on if depends_on is not None else _implicit_dependencies(id, phase),
            example_file=example_file,
            example_params=dict(example_params or {}),
            example_builds=example_builds,
        )
        return function

    return register


#: The check every engine check needs first: the image must be built.
BUILD_CHECK = "image.builds"


def _implicit_dependencies(check_id: str, phase: Phase) -> tuple[str, ...]:
    return (BUILD_CHECK,) if phase > Phase.STATIC and check_id != BUILD_CHECK else ()


def registry() -> dict[str, CheckDefinition]:
    """Every check by id (the first call imports every family's module, which registers its checks)."""
    if len(_LOADED_FAMILIES) < len(_FAMILY_MODULES):
        for family in _FAMILY_MODULES:
            _load_family(family)
        # Whatever loaded first (`stagelab lint` loads the dockerfile family alone), list the checks in
        # the modules' order, then each module's own order: the catalogue and the book read this order.
        ordered = sorted(_REGISTRY.values(), key=_module_order)
        _REGISTRY.clear()
        _REGISTRY.update((c.id, c) for c in ordered)
    return _REGISTRY


def definition(check_id: str) -> CheckDefinition:
    """One check by id, importing only its family's module (``dockerfile.parses`` → ``checks/dockerfile.py``).

    ``stagelab lint`` needs the static family alone; importing the others would only slow its start.
    Raises KeyError for an unknown id.
    """
    if check_id not in _REGISTRY:
        family = check_id.split(".", 1)[0]
        if family in _FAMILY_MODULES:
            _load_family(family)
    if check_id not in _REGISTRY:  # an id outside its family's module (image.builds is a build check)
        registry()
    return _REGISTRY[check_id]


def lint_definitions() -> list[CheckDefinition]:
    """The checks whose definition says ``lint`` runs them, in lint's order.

    They are all Dockerfile checks (lint has no lab and no engine), so only that family is imported.
    """
    _load_family("dockerfile")
    found = [d for d in _REGISTRY.values() if d.lint is not None]
    return sorted(found, key=lambda d: d.lint.order if d.lint else 0)


def _load_family(family: str) -> None:
    """Import ``checks/<family>.py``: its ``@check`` decorators register its checks."""
    if family not in _LOADED_FAMILIES:
        import importlib

        importlib.import_module(f"{__package__}.{family}")
        _LOADED_FAMILIES.add(family)


def _module_order(definition: CheckDefinition) -> int:
    module = definition.function.__module__.rpartition(".")[2]
    return _FAMILY_MODULES.index(module) if module in _FAMILY_MODULES else len(_FAMILY_MODULES)


#: The modules of ``stagelab.grading.checks`` that hold checks, in the order they register them.
_FAMILY_MODULES = ("build", "dockerfile", "image", "runtime", "structure")
_LOADED_FAMILIES: set[str] = set()


@dataclass(frozen=True)
class CheckSpec:
    """A check as a lab (or `stagelab lint`) runs it: its id, its points and its parameters (defaults filled in).

    Written in ``lab.yaml`` under ``checks:`` (see :mod:`stagelab.grading.spec`).
    """

    id: str
    points: float
    params: dict[str, Any]

    @property
    def definition(self) -> CheckDefinition:
        return definition(self.id)


def dedent(text: str) -> str:
    """``textwrap.dedent(text).strip("\\n")``, for the texts written indented in the source.

    Lines of only spaces and tabs become empty, and the leading spaces and tabs common to
    the other lines are removed, as :func:`textwrap.dedent` does; written here because
    importing :mod:`textwrap` (it compiles large regular expressions) slows `stagelab lint`.
    """
    lines = [line if line.strip(" \t") else "" for line in text.split("\n")]
    margin = os.path.commonprefix([line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line])
    if margin:
        lines = [line[len(margin) :] if line else line for line in lines]
    return "\n".join(lines).strip("\n")


class CouldNotGrade(Exception):
    """Raised by a check when the environment, not the submission, failed (engine down, network)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
