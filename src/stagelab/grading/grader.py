"""Grade a submission for a lab: static checks, then build, image, runtime and rebuild checks.

``grade()`` validates the lab spec, overlays the submission onto a temporary copy
of the lab folder, runs the lab's checks in phase order and returns one
:class:`GradeReport`. A check that cannot run because something earlier failed is
*skipped* with the reason. When the machine (engine, network), not the
submission, fails, the report says ``could_not_grade``. Everything the grading
made in the engine is removed at the end (by its run label).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import labs
from ..errors import EngineUnavailable, LabSpecError, StagelabError
from . import catalogue, hints
from .checks.base import CheckDefinition, CouldNotGrade, Phase, SkipCheck
from .results import ERROR, FAILED, PASSED, SKIPPED, CheckResult, GradeReport
from .spec import CheckSpec, LabSpec, load_spec
from .subject import Subject

#: Checks `stagelab lint` runs on any Dockerfile (no lab, no engine).
LINT_CHECKS = (
    "dockerfile.parses",
    "dockerfile.multi-stage",
    "dockerfile.copy-from-defined",
    "dockerfile.exec-form",
    "dockerfile.non-root-user",
    "dockerfile.pinned-bases",
    "dockerfile.final-base-tools",
    "dockerfile.run-needs-a-shell",
    "dockerfile.cache-friendly-order",
    "dockerfile.package-cache-cleanup",
    "dockerfile.no-secrets-in-env",
    "dockerfile.hadolint",
)
#: Parameters lint gives a check instead of its defaults (a lab's defaults assume the lab's Node app).
LINT_PARAMS = {
    # Any language: only the whole-source-before-install mistake; a file that installs nothing passes.
    "dockerfile.cache-friendly-order": {"manifests": [], "require_install": False},
}

ResultCallback = Callable[[CheckResult], None]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def plan(checks: Iterable[CheckSpec]) -> list[CheckSpec]:
    """The checks in the order they run: by phase, keeping the lab's order within a phase.

    ``image.builds`` is added (0 points) when the lab uses engine checks without listing it,
    so a failed build is always reported as itself.
    """
    checks = list(checks)
    registry = catalogue.registry()
    if any(registry[c.id].phase > Phase.STATIC for c in checks) and not any(c.id == "image.builds" for c in checks):
        checks.append(CheckSpec("image.builds", 0.0, registry["image.builds"].defaults()))
    return sorted(checks, key=lambda c: registry[c.id].phase)


def run_check(subject: Subject, check: CheckSpec, definition: CheckDefinition) -> tuple[CheckResult, str | None]:
    """Run one check; never raises. Returns the result and, if the machine failed, why."""
    started = time.perf_counter()
    could_not_grade = None
    hint = None
    details: dict[str, Any] = {}
    language = subject.language
    advice = hints.advice(definition, language)
    try:
        outcome = definition.function(subject, check.params)
        status = PASSED if outcome.passed else FAILED
        message = outcome.message
        details = dict(outcome.details)
        # A check's own hint wins when it fits the lab's language; else the language's standard fix.
        if not outcome.passed:
            hint = outcome.hint if outcome.hint and hints.fits(outcome.hint, language) else advice.fix
    except SkipCheck as skip:
        status, message = SKIPPED, f"skipped: {skip.reason}"
    except CouldNotGrade as error:
        status, message, could_not_grade = ERROR, error.reason, error.reason
    except EngineUnavailable as error:
        status, message, could_not_grade = ERROR, str(error), str(error)
    except StagelabError as error:
        status, message = ERROR, str(error)
    except Exception as error:  # a bug in one check must not take the grading down
        status, message = ERROR, f"internal error in {definition.id}: {type(error).__name__}: {error}"
    result = CheckResult(
        check_id=definition.id,
        title=definition.title,
        status=status,
        points=check.points if status == PASSED else 0.0,
        max_points=check.points,
        message=message,
        hint=hint,
        details=details,
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
    registry = catalogue.registry()
    results: list[CheckResult] = []
    could_not_grade: str | None = None
    stopped_at = ""
    for check in plan(checks):
        definition = registry[check.id]
        if definition.phase >= Phase.BUILD and subject.build_blocked is None and not subject.parses:
            subject.build_blocked = f"the Dockerfile does not parse: {subject.parse_problem()}"
        if could_not_grade is not None:
            result = CheckResult(
                definition.id, definition.title, SKIPPED, 0.0, check.points,
                f"skipped: could not grade (see {stopped_at})",
                family=definition.family, chapter=hints.advice(definition, subject.language).chapter,
            )  # fmt: skip
        else:
            result, could_not_grade = run_check(subject, check, definition)
            stopped_at = definition.id
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results, could_not_grade


def _copy_tree(source: Path, destination: Path, skip_top: set[str] = frozenset()) -> None:
    for item in source.iterdir():
        if item.name in skip_top:
            continue
        target = destination / item.name
        if item.is_dir() and not item.is_symlink():
            if target.exists() and not target.is_dir():
                target.unlink()
            shutil.copytree(item, target, symlinks=True, dirs_exist_ok=True)
        else:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            shutil.copy2(item, target, follow_symlinks=False)


#: Never taken from a submission: the spec is the course's, and solutions stay the course's.
_NOT_FROM_SUBMISSIONS = {"lab.yaml", "solution", ".git"}


def prepare_workspace(
    spec: LabSpec,
    lab_dir: Path,
    workspace: Path,
    *,
    submission_dir: Path | None = None,
    dockerfile: Path | None = None,
    context: Path | None = None,
    solution: bool = False,
) -> tuple[Path, Path]:
    """Copy the lab, overlay the solution or the submission, fill in the lab's app; returns (Dockerfile, context) in the copy."""
    _copy_tree(lab_dir, workspace, skip_top={"solution", ".git"})
    if solution:
        reference = lab_dir / "solution"
        if not (reference / "Dockerfile").is_file() and not (reference / spec.build.dockerfile).is_file():
            raise LabSpecError(f"{lab_dir}/solution: no reference Dockerfile (solution/{spec.build.dockerfile})")
        _copy_tree(reference, workspace, skip_top={"README.md"})
    if submission_dir is not None:
        if not submission_dir.is_dir():
            raise StagelabError(f"Submission {submission_dir} is not a folder.")
        _copy_tree(submission_dir, workspace, skip_top=_NOT_FROM_SUBMISSIONS)
    dockerfile_path = workspace / spec.build.dockerfile
    context_path = workspace / spec.build.context
    # The lab's example app (lab.yaml's app:) supplies the files that the lab, the solution or
    # the submission do not: a submission may be a Dockerfile alone.
    labs.fill_context(spec, lab_dir, context_path)
    if context is not None:
        if not context.is_dir():
            raise StagelabError(f"Build context {context} is not a folder.")
        if context_path.exists():
            shutil.rmtree(context_path)
        shutil.copytree(context, context_path, symlinks=True)
    if dockerfile is not None:
        if not dockerfile.is_file():
            raise StagelabError(f"Dockerfile {dockerfile} not found.")
        dockerfile_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dockerfile, dockerfile_path)
    return dockerfile_path, context_path


def _lab_context(spec: LabSpec, lab_dir: Path, folder: Path) -> Path:
    """The lab's own build context, app filled in, without the submission: what the app check compares with."""
    own = lab_dir / spec.build.context
    if spec.app is None:
        return own  # the lab keeps its whole app
    if own.is_dir():
        shutil.copytree(own, folder, symlinks=True, ignore=shutil.ignore_patterns("node_modules", ".venv", "__pycache__"))
    else:
        folder.mkdir(parents=True)
    labs.fill_context(spec, lab_dir, folder)
    return folder


def grade(
    lab_dir: str | Path,
    submission_dir: str | Path | None = None,
    dockerfile: str | Path | None = None,
    context: str | Path | None = None,
    solution: bool = False,
    on_result: ResultCallback | None = None,
    on_build_event: Callable[[Any], None] | None = None,
    keep_image: bool = False,
    record_progress: bool = False,
) -> GradeReport:
    """Grade a lab (its working copy, a submission folder, or its solution) and return the report.

    Raises :class:`LabSpecError` for an invalid lab spec. Engine and network failures
    give a report with ``could_not_grade`` set (exit code 2 in the CLI).
    """
    lab_dir = Path(lab_dir)
    spec = load_spec(lab_dir)
    started_at, started = _now(), time.perf_counter()
    run_id = f"grade-{uuid.uuid4().hex[:10]}"
    subject: Subject | None = None
    results: list[CheckResult] = []
    could_not_grade: str | None = None
    with tempfile.TemporaryDirectory(prefix=f"stagelab-grade-{spec.id}-") as temp:
        workspace = Path(temp) / spec.id
        workspace.mkdir()
        try:
            dockerfile_path, context_path = prepare_workspace(
                spec,
                lab_dir,
                workspace,
                submission_dir=Path(submission_dir) if submission_dir else None,
                dockerfile=Path(dockerfile) if dockerfile else None,
                context=Path(context) if context else None,
                solution=solution,
            )
            if not dockerfile_path.is_file():
                could_not_grade = f"no Dockerfile: expected {spec.build.dockerfile} in the submission or the lab folder"
            elif not context_path.is_dir():
                could_not_grade = f"no build context: expected the folder {spec.build.context}/ in the lab folder"
            else:
                subject = Subject(
                    dockerfile_path,
                    context_path,
                    spec=spec,
                    lab_dir=lab_dir,
                    lab_context=_lab_context(spec, lab_dir, Path(temp) / "lab-context"),
                    run_id=run_id,
                    on_build_event=on_build_event,
                )
                results, could_not_grade = run_checks(subject, spec.checks, on_result)
        finally:
            if subject is not None and subject.engine_touched and not keep_image:
                _remove_engine_objects(run_id)
    score = sum(r.points for r in results)
    max_score = sum(r.max_points for r in results)
    report = GradeReport(
        lab_id=spec.id,
        title=spec.title,
        results=tuple(results),
        score=score,
        max_score=max_score,
        image_id=subject.image_ref if subject is not None and keep_image else None,
        started_at=started_at,
        duration_s=time.perf_counter() - started,
        could_not_grade=could_not_grade,
    )
    if record_progress:
        from . import progress

        progress.record(report)
    return report


def _remove_engine_objects(run_id: str) -> None:
    """Remove the grading's images and containers (probes remove their own containers already)."""
    try:
        from ..engine import cleanup

        # include_stand_ins: an image built FROM a stand-in inherits its stand-in label; the run
        # filter already limits the removal to what this grading built.
        cleanup.remove(run_id=run_id, include_stand_ins=True)
    except StagelabError:
        pass  # the engine went away; nothing we can remove now


def lint(path: str | Path, checks: Iterable[str] = LINT_CHECKS, on_result: ResultCallback | None = None) -> GradeReport:
    """Run the Dockerfile checks alone on any Dockerfile: no lab, no engine. Never raises on bad input.

    A file that cannot be read as a Dockerfile (missing, a pipe, too big, not text) gives a
    report with ``could_not_grade`` set: nothing was linted (exit status 2, not 1).
    """
    from ..dockerfile import DockerfileUnreadable
    from . import hadolint

    path = Path(path)
    started_at, started = _now(), time.perf_counter()
    registry = catalogue.registry()
    checks = list(checks)
    specs = [CheckSpec(c, 1.0, {**registry[c].defaults(), **LINT_PARAMS.get(c, {})}) for c in checks]
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
