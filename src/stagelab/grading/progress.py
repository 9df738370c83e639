"""A learner's progress: which checks of which lab passed, and when — kept in a local JSON file.

The file lives in the user's data folder (``$XDG_DATA_HOME/stagelab/progress.json``,
by default ``~/.local/share/stagelab``); ``STAGELAB_STATE_DIR`` overrides the folder.
It is written atomically (temporary file, then rename) under a lock, so two gradings
at once never leave it half-written.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .results import GradeReport

FILE_NAME = "progress.json"
VERSION = 1


def state_dir() -> Path:
    """Where Stagelab keeps this user's state."""
    configured = os.environ.get("STAGELAB_STATE_DIR")
    if configured:
        return Path(configured)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "stagelab"


def progress_file() -> Path:
    return state_dir() / FILE_NAME


@dataclass(frozen=True)
class LabProgress:
    """One lab's progress."""

    lab_id: str
    title: str
    attempts: int
    best_score: float
    max_score: float
    last_score: float
    last_graded: str
    checks: dict[str, dict[str, Any]]

    @property
    def checks_passed(self) -> int:
        return sum(1 for c in self.checks.values() if c.get("passed"))

    @property
    def complete(self) -> bool:
        return self.max_score > 0 and self.best_score >= self.max_score


def _empty() -> dict[str, Any]:
    return {"version": VERSION, "labs": {}}


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _empty()
    except (OSError, json.JSONDecodeError):
        # A damaged file is kept aside, not silently overwritten.
        path.replace(path.with_suffix(".damaged.json"))
        return _empty()
    if not isinstance(data, dict) or not isinstance(data.get("labs"), dict):
        return _empty()
    return data


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".progress-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record(report: GradeReport) -> LabProgress | None:
    """Add a grading to the progress file; gradings that could not run are not recorded."""
    if report.could_not_grade is not None:
        return None
    path = progress_file()
    with _locked(path):
        data = _read(path)
        lab = data["labs"].setdefault(report.lab_id, {"attempts": 0, "best_score": 0, "checks": {}})
        lab.update(
            title=report.title,
            attempts=lab.get("attempts", 0) + 1,
            best_score=max(float(lab.get("best_score", 0)), report.score),
            max_score=report.max_score,
            last_score=report.score,
            last_graded=report.started_at,
        )
        for result in report.results:
            entry = lab["checks"].setdefault(result.check_id, {"passed": False, "first_passed_at": None})
            entry["last_status"] = result.status.value
            entry["last_at"] = report.started_at
            if result.passed:
                entry["passed"] = True
                entry["first_passed_at"] = entry.get("first_passed_at") or report.started_at
        _write_atomically(path, data)
    return _lab(report.lab_id, lab)


def _lab(lab_id: str, raw: dict[str, Any]) -> LabProgress:
    return LabProgress(
        lab_id=lab_id,
        title=raw.get("title", lab_id),
        attempts=int(raw.get("attempts", 0)),
        best_score=float(raw.get("best_score", 0)),
        max_score=float(raw.get("max_score", 0)),
        last_score=float(raw.get("last_score", 0)),
        last_graded=raw.get("last_graded", ""),
        checks=dict(raw.get("checks", {})),
    )


def load() -> list[LabProgress]:
    """Every lab graded so far, in lab order."""
    data = _read(progress_file())
    return [_lab(lab_id, raw) for lab_id, raw in sorted(data["labs"].items())]


def reset() -> None:
    """Forget all progress."""
    path = progress_file()
    with _locked(path):
        _write_atomically(path, _empty())
