"""Sphinx extension for the Stagelab book: the generated check catalogue and a local-link check.

* ``book/checks.md`` holds only a marker line (:data:`CATALOGUE_MARKER`). When
  Sphinx reads that page, the marker is replaced by the grader's own Markdown
  rendering of the check definitions (``stagelab.grading.catalogue.as_markdown``)
  plus a table of which lab uses which check (from ``labs/*/lab.yaml``). So a
  check is written once, next to its code. The page is re-read on every build,
  so it never goes stale.
* After an HTML build, every local ``href``/``src`` in the output is followed; a
  missing file or a missing ``#fragment`` is a warning (an error under ``-W``).
  ``linkcheck`` needs the network; this does not.
"""

from __future__ import annotations

import html.parser
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

CATALOGUE_DOC = "book/checks"
CATALOGUE_MARKER = "<!-- stagelab:check-catalogue -->"


def _labs_using(repo: Path) -> dict[str, list[tuple[str, Any]]]:
    """Check id -> (lab folder, points) for every ``labs/*/lab.yaml`` that uses it.

    Read leniently: validating specs is the grader's job (``stagelab grade``), not the book's.
    """
    import yaml

    used: dict[str, list[tuple[str, Any]]] = {}
    for spec in sorted(repo.glob("labs/*/lab.yaml")):
        try:
            data = yaml.safe_load(spec.read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        entries = data.get("checks") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                used.setdefault(entry["id"], []).append((spec.parent.name, entry.get("points", "")))
    return used


def labs_section(check_ids: Sequence[str], repo: Path) -> str:
    """A Markdown section: for each check, the labs that use it (with points), linked to their task pages.

    Links are relative to ``book/``, where the catalogue page lives.
    """
    used = _labs_using(repo)
    lines = [
        "## Which lab uses which check",
        "",
        "Points of 0 mark a check that teaches without costing (a warning).",
        "",
        "| Check | Labs (points) |",
        "| --- | --- |",
    ]
    for check_id in check_ids:
        labs = [
            f"[{lab}](../labs/{lab}/README.md) ({points})"
            if (repo / "labs" / lab / "README.md").is_file()
            else f"{lab} ({points})"
            for lab, points in used.get(check_id, [])
        ]
        lines.append(f"| `{check_id}` | {', '.join(labs) or '—'} |")
    return "\n".join(lines) + "\n"


def catalogue_markdown(repo: Path) -> str:
    """The catalogue page: the grader's own rendering of the definitions, plus where each check is used."""
    from stagelab.grading.catalogue import all_checks, as_markdown

    definitions = list(all_checks())
    if not definitions:
        raise LookupError("stagelab.grading.catalogue.all_checks() returned no checks")
    return as_markdown(heading_level=1, link_chapters=True) + "\n" + labs_section([d.id for d in definitions], repo)


def _insert_catalogue(app: Sphinx, docname: str, source: list[str]) -> None:
    if docname != CATALOGUE_DOC or CATALOGUE_MARKER not in source[0]:
        return
    try:
        markdown = catalogue_markdown(Path(app.srcdir))
    except Exception as error:  # a missing or broken catalogue is a build warning (an error under -W), not a crash
        logger.warning(
            "the check catalogue could not be rendered (%s: %s)",
            type(error).__name__,
            error,
            location=docname,
            type="stagelab",
            subtype="catalogue",
        )
        markdown = "# Check catalogue\n\nThe check catalogue could not be rendered for this build.\n"
    source[0] = source[0].replace(CATALOGUE_MARKER, markdown)


def _always_reread_catalogue(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    # The page's text lives in Python modules Sphinx does not watch.
    return [CATALOGUE_DOC] if CATALOGUE_DOC in env.found_docs else []


# --- Local links in the built HTML -------------------------------------------------------


class _LinkCollector(html.parser.HTMLParser):
    """Collects ids and local href/src values of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
            elif (name == "href" and tag in ("a", "link", "area")) or (
                name == "src" and tag in ("img", "script", "iframe", "source")
            ):
                self.links.append(value)


@dataclass(frozen=True)
class BrokenLink:
    """A local link in the built site that leads nowhere."""

    page: str
    href: str
    reason: str


def _parse(page: Path) -> _LinkCollector:
    collector = _LinkCollector()
    collector.feed(page.read_text(encoding="utf-8", errors="replace"))
    return collector


def site_pages(outdir: Path) -> list[Path]:
    """The HTML pages of a built site (not the theme's template fragments under ``_static``)."""
    return sorted(
        p for p in Path(outdir).rglob("*.html") if not {"_static", "_sources"} & set(p.relative_to(outdir).parts)
    )


def broken_local_links(outdir: Path, pages: Iterable[Path] | None = None) -> Iterator[BrokenLink]:
    """Yield every local link of the site's pages (default: all of them) whose file or ``#fragment`` is missing."""
    outdir = Path(outdir)
    parsed: dict[Path, _LinkCollector] = {}

    def page_info(path: Path) -> _LinkCollector:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    for page in sorted(pages) if pages is not None else site_pages(outdir):
        rel_page = page.relative_to(outdir).as_posix()
        for href in page_info(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:", "data:")):
                continue  # external: not ours to check offline
            path, fragment = unquote(parts.path), unquote(parts.fragment)
            if path.startswith("/"):
                yield BrokenLink(rel_page, href, "absolute path (breaks when the site is served from a sub-path)")
                continue
            target = (
                page if not path else (outdir / posixpath.normpath(posixpath.join(posixpath.dirname(rel_page), path)))
            )
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                yield BrokenLink(rel_page, href, "no such file")
                continue
            if fragment and target.suffix == ".html" and fragment not in page_info(target).ids:
                yield BrokenLink(rel_page, href, f"no element with id {fragment!r}")


def _check_links_after_build(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for link in broken_local_links(outdir):
        docname = link.page.removesuffix(".html")
        location = docname if docname in app.env.all_docs else str(outdir / link.page)
        logger.warning(
            "broken local link %s (%s)", link.href, link.reason, location=location, type="stagelab", subtype="link"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _insert_catalogue)
    app.connect("env-get-outdated", _always_reread_catalogue)
    app.connect("build-finished", _check_links_after_build)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
