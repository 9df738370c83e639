"""Write a learner copy of the course: everything but solutions and instructor-only material.

The copy is a course of its own: its labs find their example apps in its ``examples/``
(see :mod:`stagelab.labs`), and its book builds with the same command as the course's,
without the pages it left out (:func:`prune_book`).
"""

from __future__ import annotations

import re
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
    prune_book(root, out)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    labs = sum(1 for p in (out / "labs").glob("*/lab.yaml"))
    return ReleaseReport(out, files, labs, tuple(left_out))


#: The book's table of contents (sphinx-external-toc); its entries name pages without a suffix.
BOOK_TOC = "book/_toc.yml"
_PAGE_SUFFIXES = (".md", ".ipynb")
_TOC_FILE = re.compile(r"^\s*- file: (?P<doc>\S+)\s*$")
_DOC_ROLE = re.compile(r"\{doc\}`(?:(?P<text>[^`<]*?)\s*<(?P<target>[^`>]+)>|(?P<bare>[^`<]+))`")


def _page(folder: Path, doc: str) -> Path | None:
    return next((folder / f"{doc}{suffix}" for suffix in _PAGE_SUFFIXES if (folder / f"{doc}{suffix}").is_file()), None)


def _title(page: Path) -> str:
    heading = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.M)
    return heading.group(1).strip() if heading else page.stem


def prune_book(root: Path, out: Path) -> list[str]:
    """Make the copy's book build without the pages the release left out; returns the docs removed.

    Their entries leave ``_toc.yml``, and a ``{doc}`` reference to one of them becomes its title
    in italics, marked as being in the instructors' copy, so the book still reads and builds clean.
    """
    toc = out / BOOK_TOC
    if not toc.is_file():
        return []
    removed = []
    kept_lines = []
    for line in toc.read_text(encoding="utf-8").splitlines(keepends=True):
        match = _TOC_FILE.match(line)
        if match and _page(out, match["doc"]) is None:
            removed.append(match["doc"])
            continue
        kept_lines.append(line)
    toc.write_text("".join(kept_lines), encoding="utf-8")

    for page in sorted((out / "book").rglob("*.md")):
        base = page.parent.relative_to(out)

        def replace(match: re.Match, base: Path = base) -> str:
            target = (match["target"] or match["bare"]).strip()
            doc = target.lstrip("/") if target.startswith("/") else (base / target).as_posix()
            if _page(out, doc) is not None or (source := _page(root, doc)) is None:
                return match.group(0)
            title = (match["text"] or "").strip() or _title(source)
            return f"*{title}* (in the instructors' copy of the course)"

        text = page.read_text(encoding="utf-8")
        new_text = _DOC_ROLE.sub(replace, text)
        if new_text != text:
            page.write_text(new_text, encoding="utf-8")
    return removed
