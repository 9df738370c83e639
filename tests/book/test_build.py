"""The course website builds clean, fast, offline, and holds every page it should."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from stagelab_book import broken_local_links  # book/_ext, on sys.path via book_site.py

#: The module builds the whole book (Sphinx, 15–20 s): `make test` runs it, `make check` does not.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _chapters() -> list[Path]:
    return sorted(REPO.glob("notebooks/*.ipynb"))


def _lab_tasks() -> list[Path]:
    return sorted(REPO.glob("labs/*/README.md"))


def test_book_builds_with_warnings_as_errors(book):
    warnings = [line for line in book.output.splitlines() if "WARNING" in line or "ERROR" in line]
    assert book.returncode == 0 and not warnings, "\n".join(warnings) or book.output[-3000:]


def test_book_builds_in_under_a_minute(book):
    assert book.seconds < 60, f"a fresh build took {book.seconds:.1f} s"


def test_every_local_link_and_anchor_in_the_site_resolves(built_book):
    broken = list(broken_local_links(built_book))
    assert broken == [], "\n".join(f"{b.page}: {b.href} ({b.reason})" for b in broken)


def test_link_check_reports_a_missing_page_and_a_missing_anchor(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#here">ok</a><a href="b.html#gone">x</a><a href="c.html">y</a>')
    (tmp_path / "b.html").write_text('<h1 id="here">B</h1><a href="https://example.org/">external</a>')
    broken = {(b.page, b.href) for b in broken_local_links(tmp_path)}
    assert broken == {("a.html", "b.html#gone"), ("a.html", "c.html")}


def test_every_chapter_is_a_page(built_book):
    assert _chapters(), "notebooks/ holds no chapters yet"
    missing = [nb.name for nb in _chapters() if not (built_book / "notebooks" / f"{nb.stem}.html").is_file()]
    assert missing == []


def test_every_lab_task_is_a_page(built_book):
    assert _lab_tasks(), "labs/ holds no lab tasks yet"
    missing = [
        t.parent.name for t in _lab_tasks() if not (built_book / "labs" / t.parent.name / "README.html").is_file()
    ]
    assert missing == []


def test_lab_solutions_are_not_published(built_book):
    published = [p.relative_to(built_book).as_posix() for p in built_book.rglob("*") if "solution" in p.parts]
    assert published == []


def test_instructor_reference_pages_are_published(built_book):
    for page in (
        "book/instructor-guide.html",
        "book/instructors/lab-spec.html",
        "book/instructors/images.html",
        "book/launch.html",
        "book/publishing.html",
    ):
        assert (built_book / page).is_file(), page


def test_check_catalogue_has_an_entry_for_every_check(built_book):
    from stagelab.grading.catalogue import all_checks

    ids = [definition.id for definition in all_checks()]
    headings = " ".join(re.findall(r"<h3>(.*?)</h3>", (built_book / "book" / "checks.html").read_text(), flags=re.S))
    missing = [check_id for check_id in ids if f'<span class="pre">{check_id}</span>' not in headings]
    assert ids and missing == []


def test_widget_outputs_show_their_html_transcript_not_the_widget_view(built_book):
    """Only widget outputs without an HTML transcript may fall back to the (static, dead) widget view."""
    for notebook in _chapters():
        bundles = [
            output.get("data", {})
            for cell in nbformat.read(notebook, as_version=4).cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if output.get("output_type") in ("display_data", "execute_result")
        ]
        without_transcript = sum(1 for data in bundles if WIDGET_VIEW in data and "text/html" not in data)
        page = (built_book / "notebooks" / f"{notebook.stem}.html").read_text()
        assert page.count(f'type="{WIDGET_VIEW}"') == without_transcript, notebook.name


def test_site_loads_nothing_from_the_network(built_book):
    remote = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"')
    offenders = {
        p.relative_to(built_book).as_posix(): remote.findall(p.read_text()) for p in built_book.rglob("*.html")
    }
    assert {page: found for page, found in offenders.items() if found} == {}
