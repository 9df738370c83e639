"""Write a learner copy of the course: everything but solutions and instructor-only material."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import StagelabError

#: Folders left out wherever they are.
EXCLUDED_ANYWHERE = {
    "solution", "instructors", ".git", ".venv", "__pycache__", ".pytest_cache", "_build", "node_modules",
    ".ipynb_checkpoints", "test-artifacts", ".stagelab",
}  # fmt: skip
#: Top-level folders that are for instructors and maintainers only.
EXCLUDED_AT_TOP = {"tests", "bench", "build", "dist"}


@dataclass(frozen=True)
class ReleaseReport:
    out_dir: Path
    files: int
    labs: int
    left_out: tuple[str, ...]


def _ignore(root: Path):
    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n in EXCLUDED_ANYWHERE or n.endswith(".egg-info")}
        if Path(directory).resolve() == root:
            skipped |= {n for n in names if n in EXCLUDED_AT_TOP}
        return skipped

    return ignore


def release(course_root: str | Path, out_dir: str | Path, *, force: bool = False) -> ReleaseReport:
    """Copy the course to ``out_dir`` for learners; refuses a non-empty ``out_dir`` unless ``force``."""
    root = Path(course_root).resolve()
    out = Path(out_dir).resolve()
    if not (root / "labs").is_dir():
        raise StagelabError(f"{root} does not look like the course (no labs/ folder).")
    if out == root or root in out.parents:
        raise StagelabError(f"{out} is inside the course; choose a folder outside it.")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise StagelabError(f"{out} is not empty. Choose an empty folder, or pass --force to replace it.")
        shutil.rmtree(out)
    left_out = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_dir() and p.name in ("solution", "instructors") and ".venv" not in p.parts and ".git" not in p.parts
    )
    shutil.copytree(root, out, ignore=_ignore(root), symlinks=True, dirs_exist_ok=True)
    leaked = [p for p in out.rglob("solution") if p.is_dir()]
    if leaked:  # belt and braces: a learner copy must never hold a solution
        raise StagelabError(f"internal error: solution folders in the release: {leaked}")
    files = sum(1 for p in out.rglob("*") if p.is_file())
    labs = sum(1 for p in (out / "labs").glob("*/lab.yaml"))
    return ReleaseReport(out, files, labs, tuple(left_out))
