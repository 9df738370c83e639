"""What a grading produces: one :class:`CheckResult` per check and a :class:`GradeReport`.

These cross every boundary (CLI, widget, JSON, JUnit, Gradescope, gradebook), so they
are frozen plain data with ``to_dict()``. What a check saw travels as typed
:class:`Evidence` (the problems found, a build's log tail, the Dockerfile excerpt, the
image size…), which every report format reads by attribute.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:
    from typing import Any


class CheckStatus(StrEnum):
    """How a check went. The value is what JSON, JUnit and the gradebook show."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """One thing a check found wrong, at a Dockerfile line when it has one."""

    message: str
    line: int | None = None
    #: How to fix this one (when it differs from the check's hint).
    hint: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message

    def to_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"line": self.line, "message": self.message}
        if self.hint is not None:
            shown["hint"] = self.hint
        return shown


@dataclass(frozen=True)
class Evidence:
    """What a check saw, typed: the report formats read these fields, never a dict by key.

    ``measured`` keeps the check's other figures (start-up time, exit code, the build's
    cached steps…) for machines: JSON shows them, the text formats do not.
    """

    #: Every problem found, the first one being the outcome's message.
    problems: tuple[Problem, ...] = ()
    #: The Dockerfile line at fault (for a single-line finding).
    line: int | None = None
    #: The last lines a failed build step printed.
    log_tail: tuple[str, ...] = ()
    #: The Dockerfile lines around a failed step, as shown to the learner.
    excerpt: str | None = None
    #: What the container printed (runtime checks).
    logs: str | None = None
    #: The image size measured by the check (``docker images``' measure).
    size_bytes: int | None = None
    #: Findings that teach without costing points (e.g. hadolint warnings).
    warnings: tuple[str, ...] = ()
    #: Paths or packages the check looked for and did not find.
    missing: tuple[str, ...] = ()
    #: The HTTP status the app answered (runtime checks).
    http_status: int | None = None
    measured: Mapping[str, Any] = field(default_factory=dict)
    #: The order the check named its evidence in: the JSON ``details`` keep it.
    order: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON report's ``details``: what the check named, in its order (the shape JSON always had)."""
        shown: dict[str, Any] = {}
        for name in self.order or self._set_fields():
            if name in self.measured:
                shown[name] = _plain(self.measured[name])
            elif name == "problems":
                shown[name] = [problem.to_dict() for problem in self.problems]
            else:
                value = getattr(self, name)
                shown[name] = list(value) if isinstance(value, tuple) else value
        return shown

    @classmethod
    def from_dict(cls, details: Mapping[str, Any]) -> Evidence:
        """The inverse of :meth:`to_dict`: typed fields back in place, the rest as ``measured``."""
        typed = {f.name for f in dataclasses.fields(cls)} - {"measured", "order"}
        values: dict[str, Any] = {}
        measured: dict[str, Any] = {}
        for name, value in details.items():
            if name == "problems":
                values[name] = tuple(
                    Problem(**item) if isinstance(item, dict) else Problem(str(item)) for item in value or ()
                )
            elif name in typed:
                values[name] = tuple(value) if isinstance(value, list) else value
            else:
                measured[name] = value
        return cls(**values, measured=measured, order=tuple(details))

    def _set_fields(self) -> list[str]:
        typed = [f.name for f in dataclasses.fields(self) if f.name not in ("measured", "order")]
        return [name for name in typed if getattr(self, name) not in (None, ())] + list(self.measured)


def _plain(value: Any) -> Any:
    """Dataclasses as dicts, all the way down (as ``dataclasses.asdict`` does), for JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class CheckResult:
    """How one check went: status, points earned out of ``max_points``, and the lesson."""

    check_id: str
    title: str
    status: CheckStatus
    points: float
    max_points: float
    message: str
    hint: str | None = None
    evidence: Evidence = field(default_factory=Evidence)
    duration_s: float = 0.0
    family: str = ""
    chapter: str | None = None

    @property
    def passed(self) -> bool:
        return self.status is CheckStatus.PASSED

    @property
    def warnings(self) -> list[str]:
        """Findings that teach without costing points (e.g. hadolint warnings)."""
        return list(self.evidence.warnings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (unchanged since results carried a ``details`` dict)."""
        return {
            "check_id": self.check_id,
            "title": self.title,
            "status": self.status.value,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
            "hint": self.hint,
            "details": self.evidence.to_dict(),
            "duration_s": self.duration_s,
            "family": self.family,
            "chapter": self.chapter,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """The inverse of :meth:`to_dict` (a report read back from ``stagelab grade --format json``)."""
        plain = ("check_id", "title", "points", "max_points", "message", "hint", "duration_s", "family", "chapter")
        known = {name: data[name] for name in plain if name in data}
        return cls(status=CheckStatus(data["status"]), evidence=Evidence.from_dict(data.get("details") or {}), **known)


@dataclass(frozen=True)
class GradeReport:
    """The whole grading of one submission for one lab."""

    lab_id: str
    title: str
    results: tuple[CheckResult, ...]
    score: float
    max_score: float
    image_id: str | None
    started_at: str
    duration_s: float
    could_not_grade: str | None = None

    @property
    def all_passed(self) -> bool:
        return self.could_not_grade is None and all(r.status is CheckStatus.PASSED for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 all passed, 1 graded with failures, 2 could not grade."""
        if self.could_not_grade is not None:
            return 2
        return 0 if self.all_passed else 1

    @property
    def first_failure(self) -> CheckResult | None:
        """The failure to show first: the first failed check in report order (phase order, then lab.yaml
        order) that carries points; failed 0-point checks (warnings) only when no other check failed."""
        failed = [r for r in self.results if r.status is CheckStatus.FAILED]
        return next((r for r in failed if r.max_points > 0), failed[0] if failed else None)

    def result(self, check_id: str) -> CheckResult | None:
        """The result of a check by id (the first one, if a lab lists it twice)."""
        return next((r for r in self.results if r.check_id == check_id), None)

    def to_dict(self) -> dict[str, Any]:
        data = {name.name: getattr(self, name.name) for name in dataclasses.fields(self)}
        data["results"] = [r.to_dict() for r in self.results]
        data["all_passed"] = self.all_passed
        first = self.first_failure
        data["first_failure"] = (
            {"check_id": first.check_id, "message": first.message, "hint": first.hint} if first else None
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        """The inverse of :meth:`to_dict`."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data and name != "results"}
        return cls(results=tuple(CheckResult.from_dict(r) for r in data.get("results", ())), **known)
