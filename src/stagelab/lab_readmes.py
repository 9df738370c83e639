"""The parts of a lab's README that come from its ``lab.yaml``: the chapter link and the points table.

A README marks each generated part between two comments, which the book does not show::

    <!-- generated from lab.yaml by `stagelab lab readmes`: points -->

    | Check | Points |
    ...
    <!-- end of generated part -->

``stagelab lab readmes`` rewrites them after a change to a ``lab.yaml``; ``--check`` (and the
labs' tests) fail when a committed README is out of step with its spec. The parts are the
chapter link (``chapter``), how to set the lab up with its app (``start``) and the points
table (``points``). The rest of the README — objectives, the task, hints, key points — is
written by hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

#: The generated parts, in the order they appear.
PARTS = ("chapter", "start", "points")
_BLOCK = re.compile(
    r"<!-- generated from lab\.yaml by `stagelab lab readmes`: (?P<part>[a-z]+) -->\n.*?<!-- end of generated part -->",
    re.S,
)


def _begin(part: str) -> str:
    return f"<!-- generated from lab.yaml by `stagelab lab readmes`: {part} -->"


_END = "<!-- end of generated part -->"


def chapter_title(notebook: Path) -> str:
    """The chapter's title: the first level-1 heading of the notebook (``1. Single-stage images``)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def chapter_line(spec, course: Path) -> str:
    """``**Chapter:** [1. Single-stage images](../../notebooks/01-single-stage.ipynb#anchor)``, or a note when none."""
    if not spec.chapter:
        return "**Chapter:** none (an open lab)"
    path, _, anchor = spec.chapter.partition("#")
    title = chapter_title(course / path)
    return f"**Chapter:** [{title}](../../{path}{'#' + anchor if anchor else ''})"


def start_line(spec) -> str:
    """How to set the lab up: ``stagelab lab start``, and which example app it copies into the context."""
    command = f"`stagelab lab start {spec.id}`"
    if spec.app is None:
        return f"**Set up:** the app is in `{spec.build.context}/` already; {command} changes nothing."
    return (
        f"**Set up:** {command} copies the example app `examples/{spec.app}` into `{spec.build.context}/` "
        "(add `--into DIR` to work on a copy outside the course)."
    )


def _value(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(f"`{v}`" for v in value)
    return f"`{value}`"


def _points(points: float) -> str:
    return f"{points:g}"


def points_table(spec) -> str:
    """One row per check of the lab: its title, id, the parameters the lab sets, and its points."""
    rows = ["| Check | Points |", "| --- | --- |"]
    for check in spec.checks:
        definition = check.definition
        defaults = definition.defaults()
        settings = [f"{name}: {_value(value)}" for name, value in check.params.items() if value != defaults.get(name)]
        detail = f"`{check.id}`" + (f"; {'; '.join(settings)}" if settings else "")
        points = _points(check.points) if check.points else "shown, 0"
        rows.append(f"| {definition.title} ({detail}) | {points} |")
    rows.append(f"| **Total** | **{_points(spec.max_score)}** |")
    return "\n".join(rows)


def generated_parts(spec, course: Path) -> dict[str, str]:
    """What each generated part of the lab's README holds (part name → Markdown)."""
    return {"chapter": chapter_line(spec, course), "start": start_line(spec), "points": points_table(spec)}


@dataclass(frozen=True)
class ReadmeUpdate:
    """One README: whether its generated parts changed, and parts it lacks markers for."""

    path: Path
    changed: bool
    missing_parts: tuple[str, ...]


def update(lab_dir: str | Path, *, write: bool = True) -> ReadmeUpdate:
    """Regenerate the marked parts of ``lab_dir/README.md`` from ``lab.yaml`` (``write=False``: only compare)."""
    from .grading.spec import load_spec
    from .labs import course_of

    lab_dir = Path(lab_dir)
    spec = load_spec(lab_dir)
    readme = lab_dir / "README.md"
    text = readme.read_text(encoding="utf-8")
    parts = generated_parts(spec, course_of(lab_dir))
    found = {match.group("part") for match in _BLOCK.finditer(text)}

    def replace(match: re.Match) -> str:
        part = match.group("part")
        if part not in parts:
            return match.group(0)
        return f"{_begin(part)}\n\n{parts[part]}\n\n{_END}"

    new_text = _BLOCK.sub(replace, text)
    changed = new_text != text
    if changed and write:
        readme.write_text(new_text, encoding="utf-8")
    return ReadmeUpdate(readme, changed, tuple(p for p in PARTS if p not in found))


def update_all(labs_dir: str | Path, *, write: bool = True) -> list[ReadmeUpdate]:
    """:func:`update` for every lab under ``labs_dir``."""
    return [update(spec_file.parent, write=write) for spec_file in sorted(Path(labs_dir).glob("*/lab.yaml"))]
