"""Lab folders and their apps: which example app a lab builds, and the learner's working folder.

A lab names its app in ``lab.yaml`` (``app: node-app``): a folder under the course's
``examples/``, the one place the example apps live. The lab folder's ``app/`` holds only
what the lab adds to that app (say, a ``.dockerignore``). Everything that needs the lab's
build context fills it the same way, with :func:`fill_context` — ``stagelab lab start``,
the grader (and so the gradebook and the chapters' "Check my work"): the files already
there win, the example supplies the ones they lack.

Labs sit in ``labs/NN-name/`` of the course, so a lab's course is its folder's grandparent;
a learner copy made by ``stagelab release`` keeps ``examples/`` beside ``labs/`` and works
on its own.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import LabSpecError, StagelabError

#: Where the example apps live, relative to the course folder.
EXAMPLES = "examples"

#: Not part of an app: the chapters' Dockerfiles next to it, and what a local run leaves behind.
_NOT_APP_FILES = ("Dockerfile", "Dockerfile.*", "*.dockerignore", ".dockerignore")
_NOT_APP_DIRS = ("node_modules", "__pycache__", "dist", ".venv", ".pytest_cache")
#: Never copied into a working folder: the reference answer stays the course's.
_NOT_FOR_LEARNERS = ("solution", ".git")


def course_root() -> Path:
    """The course folder (the one holding ``examples/``, ``labs/`` and ``notebooks/``).

    ``STAGELAB_REPO`` overrides it; otherwise it is found from this file (editable install)
    or from the working directory (a notebook runs in ``notebooks/``).
    """
    if os.environ.get("STAGELAB_REPO"):
        return Path(os.environ["STAGELAB_REPO"]).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / EXAMPLES).is_dir() and (folder / "notebooks").is_dir():
                return folder
    raise FileNotFoundError("Cannot find the course folder (with examples/ and notebooks/). Set STAGELAB_REPO.")


def course_of(lab_dir: str | os.PathLike[str]) -> Path:
    """The course a lab folder belongs to: labs sit in ``labs/NN-name``."""
    return Path(lab_dir).resolve().parent.parent


def app_source(spec, lab_dir: str | os.PathLike[str]) -> Path | None:
    """The example app ``lab.yaml``'s ``app:`` names (a folder), or None when the lab names none.

    Raises :class:`LabSpecError` when the named app is not in the course's ``examples/``.
    """
    if spec.app is None:
        return None
    source = course_of(lab_dir) / EXAMPLES / spec.app
    if not source.is_dir():
        raise LabSpecError(
            f"{Path(lab_dir) / 'lab.yaml'}: app: '{spec.app}' not found at {source}. "
            f"A lab must stay in the course's labs/ folder, next to {EXAMPLES}/; "
            "to work elsewhere, run `stagelab lab start LAB --into DIR`."
        )
    return source


def app_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The app's files under ``folder`` (relative paths, sorted), without Dockerfiles or local leftovers."""
    folder = Path(folder)
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part in _NOT_APP_DIRS for part in relative.parts):
            continue
        if any(relative.match(pattern) for pattern in _NOT_APP_FILES):
            continue
        found.append(relative)
    return sorted(found)


def fill_context(spec, lab_dir: str | os.PathLike[str], context: str | os.PathLike[str]) -> list[Path]:
    """Copy into ``context`` the files of the lab's example app that it lacks; returns what was copied.

    Files already in ``context`` (the lab's own, a learner's edits, a submission's) are kept.
    Does nothing for a lab that names no ``app:``.
    """
    source = app_source(spec, lab_dir)
    if source is None:
        return []
    context = Path(context)
    copied = []
    for relative in app_files(source):
        target = context / relative
        if target.exists() or target.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target)
        copied.append(relative)
    return copied


def find_lab(name: str | os.PathLike[str]) -> Path:
    """A lab folder from a path (``labs/01-first-image``), an id (``01-first-image``) or its number (``01``)."""
    path = Path(name)
    if (path / "lab.yaml").is_file():
        return path
    labs = course_root() / "labs"
    if (labs / str(name) / "lab.yaml").is_file():
        return labs / str(name)
    matches = sorted(p.parent for p in labs.glob(f"{name}*/lab.yaml"))
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(p.parent.name for p in labs.glob("*/lab.yaml")))
    which = "matches several labs" if matches else "is not a lab"
    raise StagelabError(f"'{name}' {which}. The labs: {known}.")


@dataclass(frozen=True)
class WorkingFolder:
    """A lab set up for a learner: where it is, which app it holds, and what was copied."""

    lab_id: str
    path: Path
    #: The example app it was filled from (``examples/<app>``), or None.
    app: str | None
    #: The files copied in, relative to ``path``.
    copied: tuple[Path, ...]
    #: True when the lab was set up where it is (inside the course), not copied elsewhere.
    in_place: bool

    @property
    def context(self) -> Path:
        """The build context in the working folder (its ``app/``)."""
        from .grading.spec import load_spec

        return self.path / load_spec(self.path).build.context


#: ``app: node-app`` in a working folder copied out of the course: the app is in app/ now.
_APP_LINE = re.compile(r"^app:[ \t]*(\S+)[^\n]*$", re.M)


def start(lab: str | os.PathLike[str], into: str | os.PathLike[str] | None = None) -> WorkingFolder:
    """Set up a lab's working folder: the lab's files plus its example app in ``app/``.

    Without ``into`` the lab is set up in place (``labs/NN-name/app`` receives the app's files
    it lacks; nothing there is overwritten), so the chapters' "Check my work" grades what the
    learner edits. With ``into``, a stand-alone copy goes to ``into/NN-name/`` (no solution),
    whose ``lab.yaml`` no longer points to ``examples/``: grading it needs no course around it.
    """
    from .grading.spec import load_spec

    lab_dir = find_lab(lab)
    spec = load_spec(lab_dir)
    if into is None:
        copied = fill_context(spec, lab_dir, lab_dir / spec.build.context)
        return WorkingFolder(spec.id, lab_dir, spec.app, tuple(Path(spec.build.context) / p for p in copied), True)

    target = Path(into) / spec.id
    if target.exists() and any(target.iterdir()):
        raise StagelabError(f"{target} already holds files: it may be your work. Choose another folder with --into.")
    source = app_source(spec, lab_dir)  # fails before anything is written
    shutil.copytree(
        lab_dir, target, ignore=shutil.ignore_patterns(*_NOT_FOR_LEARNERS, *_NOT_APP_DIRS), dirs_exist_ok=True
    )
    copied = [p.relative_to(target) for p in sorted(target.rglob("*")) if p.is_file()]
    copied += [Path(spec.build.context) / p for p in fill_context(spec, lab_dir, target / spec.build.context)]
    if source is not None:
        spec_file = target / "lab.yaml"
        spec_file.write_text(
            _APP_LINE.sub(
                rf"# app: \1 (its files were copied into {spec.build.context}/ by `stagelab lab start`)",
                spec_file.read_text(encoding="utf-8"),
                count=1,
            ),
            encoding="utf-8",
        )
    return WorkingFolder(spec.id, target, spec.app, tuple(sorted(copied)), False)
