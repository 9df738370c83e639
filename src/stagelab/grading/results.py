"""What a grading produces: one :class:`CheckResult` per check and a :class:`GradeReport`.

These cross every boundary (CLI, widget, JSON, gradebook), so they are frozen
plain data with ``to_dict()``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:
    from typing import Any

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
ERROR = "error"
STATUSES = (PASSED, FAILED, SKIPPED, ERROR)


@dataclass(frozen=True)
class CheckResult:
    """How one check went: status, points earned out of ``max_points``, and the lesson."""

    check_id: str
    title: str
    status: str
    points: float
    max_points: float
    message: str
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    family: str = ""
    chapter: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def warnings(self) -> list[str]:
        """Findings that teach without costing points (e.g. hadolint warnings)."""
        return list(self.details.get("warnings", ()))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """The inverse of :meth:`to_dict` (a report read back from ``stagelab grade --format json``)."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


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
        return self.could_not_grade is None and all(r.status == PASSED for r in self.results)

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
        failed = [r for r in self.results if r.status == FAILED]
        return next((r for r in failed if r.max_points > 0), failed[0] if failed else None)

    def result(self, check_id: str) -> CheckResult | None:
        """The result of a check by id (the first one, if a lab lists it twice)."""
        return next((r for r in self.results if r.check_id == check_id), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["results"] = [r.to_dict() for r in self.results]
        data["all_passed"] = self.all_passed
        first = self.first_failure
        data["first_failure"] = {"check_id": first.check_id, "message": first.message, "hint": first.hint} if first else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        """The inverse of :meth:`to_dict`."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data and name != "results"}
        return cls(results=tuple(CheckResult.from_dict(r) for r in data.get("results", ())), **known)
