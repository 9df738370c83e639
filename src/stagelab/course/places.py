"""Where the course's things are, and scratch copies of them to change without touching the course.

The example apps (``examples/``), the labs (``labs/``), the tags of course images
(``stagelab-course/<app>:<variant>``), and copies of an app or a Dockerfile with one
thing changed. Nothing here talks to the engine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ..labs import course_root

#: Course images are tagged ``stagelab-course/<app>:<variant>`` so chapters can reuse them.
TAG_PREFIX = "stagelab-course"


def repo_root() -> Path:
    """The course folder (the one holding ``examples/`` and ``labs/``); see :func:`stagelab.labs.course_root`."""
    return course_root()


def example(app: str) -> Path:
    """The folder of an example app, e.g. ``example("node-app")``."""
    return repo_root() / "examples" / app


def example_dockerfile(app: str, variant: str) -> Path:
    """``examples/<app>/Dockerfile.<variant>`` (kept outside the app's own files, built with ``-f``)."""
    return example(app) / f"Dockerfile.{variant}"


def lab(lab_id: str) -> Path:
    """The folder of a lab, e.g. ``lab("01-first-image")``."""
    return repo_root() / "labs" / lab_id


def tag(app: str, variant: str) -> str:
    """The tag of a course image: ``stagelab-course/node-app:single``."""
    return f"{TAG_PREFIX}/{app}:{variant}"


def context(app: str) -> Path:
    """The build context of an example, as a fresh checkout has it (a clean copy, see :func:`workspace`).

    The seed keeps its app in ``app/``; the other examples are their own context.
    """
    folder = workspace(app, f"context-{app}")
    return folder / "app" if (folder / "app").is_dir() else folder


def workspace(app: str, name: str, *, files: dict[str, str] | None = None) -> Path:
    """A fresh copy of an example in a scratch folder, to edit without touching the course.

    ``files`` adds or replaces files (path relative to the copy → text). The host's
    ``node_modules`` is never copied: a workspace starts as a clean checkout would.
    """
    root = Path(tempfile.gettempdir()) / "stagelab-course" / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(example(app), root, ignore=shutil.ignore_patterns("node_modules", "Dockerfile.*"))
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def edit(path: str | os.PathLike[str], old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a file (exactly once: a typo in a chapter should fail loudly)."""
    path = Path(path)
    text = path.read_text()
    if text.count(old) != 1:
        raise ValueError(f"{path}: expected exactly one {old!r}, found {text.count(old)}")
    path.write_text(text.replace(old, new))


_COMMENT = {".js": "//", ".go": "//", ".py": "#"}


def change_a_line(path: str | os.PathLike[str]) -> str:
    """Add one comment line to a source file, different every time (so BuildKit has never seen it).

    Returns the line added. A fixed edit would be new only once: the next run of the
    chapter would find the edited file in BuildKit's cache, and the lesson would vanish.
    """
    import uuid

    path = Path(path)
    line = f"{_COMMENT.get(path.suffix, '#')} changed: {uuid.uuid4().hex[:8]}"
    path.write_text(path.read_text().rstrip("\n") + "\n" + line + "\n")
    return line


def dockerfile_variant(app: str, variant: str, old: str, new: str) -> Path:
    """A copy of ``Dockerfile.<variant>`` with one line changed (in a scratch folder)."""
    source = example_dockerfile(app, variant)
    change = hashlib.sha256(f"{old}\0{new}".encode()).hexdigest()[:10]
    target = Path(tempfile.gettempdir()) / "stagelab-course" / "variants" / f"{app}-{variant}-{change}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    edit(target, old, new)
    return target
