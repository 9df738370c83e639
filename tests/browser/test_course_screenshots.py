"""What a learner sees, in a real JupyterLab and Chromium: the README's pictures come from this test.

The course's own material, not test fixtures: chapter 2's build panel on the Node app,
the explorer on the full ``node:24`` image (its red badges: shell, package manager,
compilers), the comparison of the three Node variants, and lab 04's grade card on its
starter Dockerfile with a failing check and its hint open. Each picture is written to
``test-artifacts/screenshots/`` after the assertions about it hold; with
``STAGELAB_UPDATE_SCREENSHOTS=1`` to ``book/_static/screenshots/``, the README's copies (a test run
must not change tracked files).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_widgets_in_jupyterlab import _notebook, _run_all_cells

pytestmark = [pytest.mark.browser, pytest.mark.engine, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    REPO / "book" / "_static" / "screenshots"
    if os.environ.get("STAGELAB_UPDATE_SCREENSHOTS") == "1"
    else REPO / "test-artifacts" / "screenshots"
)

CELLS = [
    "from stagelab import course\nfrom stagelab.widgets import build_panel, explore, compare_images, grade_card\n"
    "panel = build_panel(course.context('node-app'), course.example_dockerfile('node-app', 'multistage'),\n"
    "                    tag=course.tag('node-app', 'multistage'), title='Chapter 2 · the Node app, multi-stage')",
    "explore('node:24');",
    "for variant in ('single', 'multistage', 'distroless'):\n    course.build_example('node-app', variant)\n"
    "compare_images([course.tag('node-app', v) for v in ('single', 'multistage', 'distroless')],\n"
    "               title='The Node app three ways');",
    "card = grade_card(course.lab('04-node-distroless'))",
]


@pytest.fixture
def course_root(tmp_path, monkeypatch, repo) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setenv("STAGELAB_REPO", str(repo))
    monkeypatch.delenv("STAGELAB_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _notebook(root / "course.ipynb", CELLS)
    return root


def test_course_widgets_as_a_learner_sees_them(engine, browser, jupyterlab, course_root, artifacts):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lab = jupyterlab(course_root)
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    try:
        lab.start_kernel("course.ipynb")
        page.goto(lab.page_url("course.ipynb"))
        _run_all_cells(page)

        panel = page.locator(".stagelab-build-panel")
        panel.wait_for(timeout=60_000)
        panel.get_by_role("button", name="Build").click()
        panel.locator(".stagelab-status").filter(has_text="Built in").wait_for(timeout=600_000)
        assert panel.locator("tr.stagelab-step[data-state='failed']").count() == 0
        assert panel.locator("tr.stagelab-step").count() >= 5
        panel.screenshot(path=str(SCREENSHOTS / "build-panel.png"))

        explorer = page.locator(".stagelab-image-explorer")
        explorer.wait_for(timeout=300_000)
        surface = explorer.locator(".stagelab-surface").inner_text()
        assert "node:24" in explorer.inner_text()
        for finding in ("shell", "package manager", "compiler"):
            assert finding in surface.lower(), surface
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(SCREENSHOTS / "image-explorer.png"))

        comparison = page.locator(".stagelab-comparison")
        comparison.wait_for(timeout=900_000)
        comparison.scroll_into_view_if_needed()
        assert comparison.locator(".stagelab-comparison-table tbody tr").count() == 3
        assert comparison.locator(".stagelab-comparison-chart svg").count() == 1
        comparison.screenshot(path=str(SCREENSHOTS / "comparison-chart.png"))

        card = page.locator(".stagelab-grade-card")
        card.scroll_into_view_if_needed()
        card.get_by_role("button", name="Check my work").click()
        card.locator(".stagelab-grade-status").filter(has_text="Score").wait_for(timeout=600_000)
        failed = card.locator("tr.stagelab-check[data-state='failed']")
        assert failed.count() >= 1
        first = failed.first
        first.locator("summary", has_text="Hint").click()
        assert first.locator(".stagelab-hint").is_visible()
        card.screenshot(path=str(SCREENSHOTS / "grade-card.png"))
    except BaseException:
        page.screenshot(path=str(artifacts / "failure-course.png"), full_page=True)
        raise
