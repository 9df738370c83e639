"""The built site, as a reader sees it: home, a chapter and the check catalogue rendered in headless Chromium.

Screenshots go to test-artifacts/book/ so a person can look at what the test saw.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from chromium import ARGS as CHROMIUM_ARGS
from chromium import path as chromium_path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "book"
TRANSCRIPT = ".stagelab-build-transcript"
#: A chart is a figure in a cell's output: a matplotlib PNG/SVG, or an SVG/image inside a widget's transcript.
CHART = ".cell_output img, .cell_output svg"

pytestmark = pytest.mark.browser


def _outputs_html(notebook: Path) -> tuple[bool, bool]:
    """(has a recorded build transcript, has a chart) among the notebook's stored outputs."""
    transcript = chart = False
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            transcript |= "stagelab-build-transcript" in html
            chart |= "image/png" in data or "image/svg+xml" in data or "<svg" in html or "<img" in html
    return transcript, chart


def _chapter_with_build_and_chart() -> Path:
    for notebook in sorted(REPO.glob("notebooks/*.ipynb")):
        if all(_outputs_html(notebook)):
            return notebook
    pytest.fail("no chapter in notebooks/ has both a recorded build transcript and a chart in its stored outputs")


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.fail("Chromium is not installed (run `make browser`, which `make test` does, or set STAGELAB_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site_url):
    """A fresh page that records requests leaving the local server and script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    local = urlsplit(site_url).netloc
    tab.outside_requests = []
    tab.script_errors = []
    tab.on(
        "request",
        lambda r: (
            tab.outside_requests.append(r.url)
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != local
            else None
        ),
    )
    tab.on("pageerror", lambda error: tab.script_errors.append(str(error)))
    yield tab
    context.close()


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_home_page_shows_the_course_and_how_to_run_it(page, site_url):
    page.goto(f"{site_url}/index.html")  # the root redirects to book/index.html
    page.wait_for_url("**/book/index.html")
    _screenshot(page, "home")
    assert page.locator("h1").first.inner_text().startswith("Stagelab")
    assert page.get_by_role("heading", name="What you will learn").is_visible()
    assert page.locator("pre", has_text="make lab").first.is_visible()
    sidebar = page.locator("nav.bd-docs-nav")
    assert sidebar.get_by_text("Check catalogue").is_visible()
    assert sidebar.get_by_text("Instructor guide").is_visible()


def test_chapter_shows_the_recorded_build_transcript_and_a_chart(page, site_url):
    chapter = _chapter_with_build_and_chart()
    page.goto(f"{site_url}/notebooks/{chapter.stem}.html")
    _screenshot(page, "chapter")
    transcript = page.locator(TRANSCRIPT).first
    transcript.scroll_into_view_if_needed()
    assert transcript.is_visible()
    assert transcript.inner_text().strip(), "the build transcript is empty"
    transcript.screenshot(path=str(ARTIFACTS / "chapter-build-transcript.png"))

    charts = [c for c in page.locator(CHART).all() if (c.bounding_box() or {}).get("width", 0) >= 150]
    assert charts, f"no chart of a readable size on {chapter.name}"
    chart = charts[0]
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    if chart.evaluate("e => e.tagName.toLowerCase()") == "img":
        assert chart.evaluate("e => e.complete && e.naturalWidth > 0"), "the chart image did not load"
    chart.screenshot(path=str(ARTIFACTS / "chapter-chart.png"))


def test_check_catalogue_shows_an_entry_for_every_check(page, site_url):
    from stagelab.grading.catalogue import all_checks

    page.goto(f"{site_url}/book/checks.html")
    _screenshot(page, "checks")
    ids = [definition.id for definition in all_checks()]
    hidden = []
    for check_id in ids:
        heading = page.locator("h3", has=page.locator("code", has_text=check_id)).first
        heading.scroll_into_view_if_needed()
        if not heading.is_visible():
            hidden.append(check_id)
    assert ids and hidden == []
    first = page.locator("h3").first.locator("xpath=..")
    assert first.get_by_text("Why it matters").first.is_visible()


def test_pages_load_nothing_from_outside_and_raise_no_script_errors(page, site_url):
    chapter = sorted(REPO.glob("notebooks/*.ipynb"))[0]
    for path in ("book/index.html", f"notebooks/{chapter.stem}.html", "book/checks.html"):
        page.goto(f"{site_url}/{path}")
        page.wait_for_load_state("networkidle")
    assert page.outside_requests == []
    assert page.script_errors == []
