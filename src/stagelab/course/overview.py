"""Tables about the course itself (chapter 0): this machine's set-up, the labs, your progress."""

from __future__ import annotations

from .display import Table, table
from .places import repo_root


def environment() -> Table:
    """The doctor's findings (engine, BuildKit, disk, base images…) as a table."""
    from ..doctor import diagnose

    return table(
        ("check", "status", "what we saw", "fix"),
        ((f.item, f.status.value.upper(), f.detail, f.fix) for f in diagnose()),
    )


def labs() -> Table:
    """Every lab: id, title, the chapter that teaches it, and its points."""
    from ..grading.spec import load_spec

    rows = []
    for folder in sorted((repo_root() / "labs").glob("[0-9][0-9]-*")):
        if (folder / "lab.yaml").is_file():
            spec = load_spec(folder)
            rows.append(
                (
                    spec.id,
                    spec.title,
                    (spec.chapter or "").split("#")[0].removeprefix("notebooks/"),
                    f"{spec.max_score:g}",
                )
            )
    return table(("lab", "title", "chapter", "points"), rows)


def progress() -> Table:
    """Your gradings so far, from the grader's records on this machine."""
    from ..grading import progress as records

    rows = [(r.lab_id, f"{r.best_score:g} / {r.max_score:g}", r.attempts, r.last_graded) for r in records.load()]
    return table(("lab", "best score", "attempts", "last graded"), rows or [("(no lab graded yet)", "", "", "")])
