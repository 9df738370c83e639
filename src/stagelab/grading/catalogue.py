"""The check catalogue: every check's definition, for the CLI, the widget, JSON and the book."""

from __future__ import annotations

from . import hints
from .checks.base import FAMILIES, CheckDefinition, registry  # registry() imports every family's checks

__all__ = ["all_checks", "as_markdown", "get", "registry"]

_FAMILY_TITLES = {
    "dockerfile": "Dockerfile checks (static, milliseconds, no engine)",
    "build": "Build checks",
    "image": "Image checks (the built image's content)",
    "runtime": "Runtime checks (the running container)",
    "structure": "Optional checks with the field's tools",
}


_LANGUAGE_NAMES = {"python": "Python", "node": "Node.js", "go": "Go", "other": "other languages"}


def all_checks() -> list[CheckDefinition]:
    """Every check, grouped by family in catalogue order."""
    order = {family: index for index, family in enumerate(FAMILIES)}
    return sorted(registry().values(), key=lambda c: (order.get(c.family, 99), c.phase))


def get(check_id: str) -> CheckDefinition:
    """The definition of one check; raises KeyError for an unknown id."""
    return registry()[check_id]


def _chapter_link(chapter: str, link: bool) -> str:
    if not link:
        return f"`{chapter}`"
    path, _, anchor = chapter.partition("#")
    return f"[{path.split('/')[-1]}#{anchor}](/{path}#{anchor})" if anchor else f"[{path}](/{path})"


def as_markdown(heading_level: int = 1, link_chapters: bool = False) -> str:
    """The whole catalogue as a MyST Markdown page (the book includes it as is).

    Chapters are shown as paths; ``link_chapters=True`` makes them Markdown links
    (``/notebooks/NN.ipynb#anchor``) for a book whose chapters sit at those paths.
    """
    h = "#" * heading_level
    lines = [
        f"{h} Check catalogue",
        "",
        "Every check a lab can use, with what it looks at, why it matters and how to fix a failure. "
        "A lab lists the checks it uses in its `lab.yaml` (see the instructor guide); the parameters "
        "go under `with:`. The fix, its example and the chapter that teaches it are given for each "
        "language a lab can declare (`language:` in `lab.yaml`); a learner sees only their lab's.",
        "",
    ]
    for family in FAMILIES:
        members = [c for c in all_checks() if c.family == family]
        if not members:
            continue
        lines += [f"{h}# {_FAMILY_TITLES[family]}", ""]
        for definition in members:
            own, *others = hints.variants(definition)
            lines += [
                f"({definition.id.replace('.', '-')})=",
                f"{h}## `{definition.id}` — {definition.title}",
                "",
                f"**What it checks.** {definition.what}",
                "",
                f"**Why it matters.** {definition.why}",
                "",
            ]
            only = hints.ONLY_FOR.get(definition.id)
            if only:
                lines += [f"**Only for** {', '.join(_LANGUAGE_NAMES[language] for language in only)} labs.", ""]
            for advice in (own, *others):
                if not advice.languages or (only and not set(advice.languages) & set(only)):
                    continue
                names = ", ".join(_LANGUAGE_NAMES[language] for language in advice.languages)
                lines += [
                    f"**How to fix it ({names}).** {advice.fix}",
                    "",
                    "Before:",
                    "",
                    "```dockerfile",
                    advice.before,
                    "```",
                    "",
                    "After:",
                    "",
                    "```dockerfile",
                    advice.after,
                    "```",
                    "",
                    f"Taught in: {_chapter_link(advice.chapter, link_chapters)}",
                    "",
                ]
            if definition.params:
                lines += ["| Parameter | Default | Meaning |", "| --- | --- | --- |"]
                for param in definition.params:
                    default = f"`{param.default!r}`".replace("|", "\\|")
                    lines.append(f"| `{param.name}` | {default} | {param.description} |")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"
