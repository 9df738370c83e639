"""Run a subject's checks in phase order, one :class:`CheckResult` each; used by grading and by lint.

It looks each check up with :func:`~stagelab.grading.checks.base.definition`, which imports
only that check's family: `stagelab lint` runs the static family without loading the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ..errors import EngineUnavailable, StagelabError
from . import hints
from .checks.base import (
    CheckDefinition,
    CheckSpec,
    CouldNotGrade,
    Phase,
    SkipCheck,
    definition,
)
from .results import CheckResult, CheckStatus, Evidence
from .subject import Subject

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:
    pass

ResultCallback = Callable[[CheckResult], None]


def now() -> str:
    """The time now, as reports give it: UTC to the second, ``2026-12-01T03:52:10+00:00``.

    Written with :mod:`time` rather than :mod:`datetime`, one import less for `stagelab lint`.
    """
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def plan(checks: Iterable[CheckSpec]) -> list[CheckSpec]:
    """The checks in the order they run: by phase, keeping the lab's order within a phase.

    What a check depends on (its definition's ``depends_on``: ``image.builds`` for every
    engine check) is added with 0 points when the lab does not list it, so a failed build
    is always reported as itself.
    """
    checks = list(checks)
    listed = {c.id for c in checks}
    for check in list(checks):
        for needed in definition(check.id).depends_on:
            if needed not in listed:
                listed.add(needed)
                checks.append(CheckSpec(needed, 0.0, definition(needed).defaults()))
    return sorted(checks, key=lambda c: definition(c.id).phase)


def run_check(subject: Subject, check: CheckSpec, definition: CheckDefinition) -> tuple[CheckResult, str | None]:
    """Run one check; never raises. Returns the result and, if the machine failed, why."""
    started = time.perf_counter()
    could_not_grade = None
    hint = None
    evidence = Evidence()
    language = subject.language
    advice = hints.advice(definition, language)
    try:
        outcome = definition.function(subject, check.params)
        status = CheckStatus.PASSED if outcome.passed else CheckStatus.FAILED
        message = outcome.message
        evidence = outcome.evidence
        # A check's own hint wins when it fits the lab's language; else the language's standard fix.
        if not outcome.passed:
            hint = outcome.hint if outcome.hint and hints.fits(outcome.hint, language) else advice.fix
    except SkipCheck as skip:
        status, message = CheckStatus.SKIPPED, f"skipped: {skip.reason}"
    except CouldNotGrade as error:
        status, message, could_not_grade = CheckStatus.ERROR, error.reason, error.reason
    except EngineUnavailable as error:
        status, message, could_not_grade = CheckStatus.ERROR, str(error), str(error)
    except StagelabError as error:
        status, message = CheckStatus.ERROR, str(error)
    except Exception as error:  # a bug in one check must not take the grading down
        status, message = CheckStatus.ERROR, f"internal error in {definition.id}: {type(error).__name__}: {error}"
    result = CheckResult(
        check_id=definition.id,
        title=definition.title,
        status=status,
        points=check.points if status is CheckStatus.PASSED else 0.0,
        max_points=check.points,
        message=message,
        hint=hint,
        evidence=evidence,
        duration_s=time.perf_counter() - started,
        family=definition.family,
        chapter=advice.chapter,
    )
    return result, could_not_grade


def run_checks(
    subject: Subject,
    checks: Iterable[CheckSpec],
    on_result: ResultCallback | None = None,
) -> tuple[list[CheckResult], str | None]:
    """Run checks in plan order; after a could-not-grade, the rest are skipped with that reason."""
    results: list[CheckResult] = []
    could_not_grade: str | None = None
    stopped_at = ""
    for check in plan(checks):
        check_definition = definition(check.id)
        if check_definition.phase >= Phase.BUILD and subject.build_blocked is None and not subject.parses:
            subject.build_blocked = f"the Dockerfile does not parse: {subject.parse_problem()}"
        if could_not_grade is not None:
            result = CheckResult(
                check_definition.id, check_definition.title, CheckStatus.SKIPPED, 0.0, check.points,
                f"skipped: could not grade (see {stopped_at})",
                family=check_definition.family, chapter=hints.advice(check_definition, subject.language).chapter,
            )  # fmt: skip
        else:
            result, could_not_grade = run_check(subject, check, check_definition)
            stopped_at = check_definition.id
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results, could_not_grade
