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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import labs
from ..errors import LabSpecError, StagelabError
from .lint import LINT_CHECKS, LINT_PARAMS, lint  # noqa: F401  (`stagelab lint`, kept importable from here)
from .results import CheckResult, GradeReport
from .runner import ResultCallback, plan, run_check, run_checks  # noqa: F401  (the grading's own steps)
from .runner import now as _now
from .spec import LabSpec, load_spec
from .subject import Subject


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
        shutil.copytree(
            own, folder, symlinks=True, ignore=shutil.ignore_patterns("node_modules", ".venv", "__pycache__")
        )
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
        from ..engine import Engine

        # include_stand_ins: an image built FROM a stand-in inherits its stand-in label; the run
        # filter already limits the removal to what this grading built.
        Engine().remove_leftovers(run_id=run_id, include_stand_ins=True)
    except StagelabError:
        pass  # the engine went away; nothing we can remove now
