"""`stagelab lint`: the static Dockerfile checks on any Dockerfile, with no lab and no engine.

It imports only what those checks need (the ``dockerfile`` family, the hints, the
Dockerfile model, hadolint's runner): not the lab spec, not the other families, nothing
of :mod:`stagelab.engine`, so that a lint starts about as fast as hadolint itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from ..errors import StagelabError
from .checks.base import CheckSpec, definition, lint_definitions
from .results import GradeReport
from .runner import ResultCallback, now, run_checks
from .subject import Subject

#: Checks `stagelab lint` runs on any Dockerfile (no lab, no engine), in its report's order:
#: the checks whose definition says ``lint=LintUse(...)``.
LINT_CHECKS = tuple(d.id for d in lint_definitions())
#: Parameters lint gives a check instead of its defaults (a lab's defaults assume the lab's app).
LINT_PARAMS = {d.id: dict(d.lint.params) for d in lint_definitions() if d.lint and d.lint.params}


def lint(path: str | Path, checks: Iterable[str] = LINT_CHECKS, on_result: ResultCallback | None = None) -> GradeReport:
    """Run the Dockerfile checks alone on any Dockerfile: no lab, no engine. Never raises on bad input.

    A file that cannot be read as a Dockerfile (missing, a pipe, too big, not text) gives a
    report with ``could_not_grade`` set: nothing was linted (exit status 2, not 1).
    """
    from ..dockerfile import DockerfileUnreadable
    from . import hadolint

    path = Path(path)
    started_at, started = now(), time.perf_counter()
    checks = list(checks)
    specs = [CheckSpec(c, 1.0, {**definition(c).defaults(), **LINT_PARAMS.get(c, {})}) for c in checks]
    subject = Subject(path, path.parent if path.parent.is_dir() else None)
    if "dockerfile.hadolint" in checks and subject.parses:
        try:
            hadolint.prestart(subject.model.text)  # runs while the other checks do
        except (OSError, StagelabError):
            pass  # the check itself reports a missing hadolint
    results, _ = run_checks(subject, specs, on_result)
    unreadable = subject.parse_error if isinstance(subject.parse_error, DockerfileUnreadable) else None
    return GradeReport(
        lab_id="lint",
        title=str(path),
        results=tuple(results),
        score=sum(r.points for r in results),
        max_score=sum(r.max_points for r in results),
        image_id=None,
        started_at=started_at,
        duration_s=time.perf_counter() - started,
        could_not_grade=f"could not lint {path}: {unreadable.reason}" if unreadable is not None else None,
    )
