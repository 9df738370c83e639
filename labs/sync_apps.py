"""Copy the shared example apps into the labs' build contexts.

Each lab's ``app/`` is its own build context, so it holds a real copy of one app
from ``examples/`` (Docker does not follow links out of a context). This script is
the one place that says which lab uses which app; ``tests/labs/test_lab_files.py``
fails when a copy drifts from its source. After changing an example app, run:

    python labs/sync_apps.py
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABS = REPO / "labs"

#: Which example app each lab builds.
APP_SOURCES: dict[str, str] = {
    "01-first-image": "examples/node-app",
    "02-node-multistage": "examples/node-app",
    "03-go-static": "examples/go-app",
    "04-node-distroless": "examples/node-app",
    "05-python-distroless": "examples/python-app",
    "06-fix-the-seed": "examples/seed/app",
    "07-debug-distroless": "examples/node-app",
    "08-make-it-small": "examples/go-app",
}

#: Not part of an app: the chapters' Dockerfiles next to it, and what a local run leaves behind.
_NOT_APP_FILES = ("Dockerfile", "Dockerfile.*", "*.dockerignore", ".dockerignore")
_NOT_APP_DIRS = ("node_modules", "__pycache__", "dist", ".venv")

#: Files a lab may add to its copy: a lab that comes after the .dockerignore lesson ships one.
LAB_OWN_FILES = (".dockerignore",)


def app_files(folder: Path) -> list[Path]:
    """The app's files under ``folder`` (relative paths, sorted), without Dockerfiles or local leftovers."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part in _NOT_APP_DIRS for part in relative.parts):
            continue
        if any(relative.match(pattern) for pattern in _NOT_APP_FILES):
            continue
        found.append(relative)
    return sorted(found)


def differences(lab_id: str) -> list[str]:
    """What differs between the lab's ``app/`` and its example (empty when in sync)."""
    source = REPO / APP_SOURCES[lab_id]
    target = LABS / lab_id / "app"
    wanted = set(app_files(source))
    present = {p for p in app_files(target) if str(p) not in LAB_OWN_FILES} if target.is_dir() else set()
    problems = [f"{lab_id}/app/{p}: missing" for p in sorted(wanted - present)]
    problems += [f"{lab_id}/app/{p}: not in {APP_SOURCES[lab_id]}" for p in sorted(present - wanted)]
    problems += [
        f"{lab_id}/app/{p}: differs from {APP_SOURCES[lab_id]}/{p}"
        for p in sorted(wanted & present)
        if not filecmp.cmp(source / p, target / p, shallow=False)
    ]
    return problems


def sync(lab_id: str) -> None:
    """Make the lab's ``app/`` an exact copy of its example (keeping the lab's own files)."""
    source = REPO / APP_SOURCES[lab_id]
    target = LABS / lab_id / "app"
    wanted = set(app_files(source))
    if target.is_dir():
        for stale in set(app_files(target)) - wanted:
            if str(stale) not in LAB_OWN_FILES:
                (target / stale).unlink()
    for relative in wanted:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target / relative)


def main() -> int:
    for lab_id in APP_SOURCES:
        sync(lab_id)
        print(f"{lab_id}/app <- {APP_SOURCES[lab_id]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
