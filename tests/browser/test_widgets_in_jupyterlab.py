"""The widgets in a real JupyterLab, in Debian's Chromium: click Build, click Check my work, read the screen."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import nbformat
import pytest
from static_busybox import busybox_binary

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = [pytest.mark.browser, pytest.mark.engine]


def _notebook(path: Path, cells: list[str]) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(notebook, path)


@pytest.fixture
def lab_root(tmp_path, monkeypatch) -> Path:
    """A folder JupyterLab serves: a small build context and a notebook showing the widgets."""
    root = tmp_path / "root"
    # Learner progress goes to this test's folder (JupyterLab and its kernel inherit the variable).
    monkeypatch.delenv("STAGELAB_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    shutil.copytree(FIXTURES / "app", root / "app")
    shutil.copytree(FIXTURES / "99-tiny", root / "labs" / "99-tiny")
    shutil.copy2(busybox_binary(), root / "app" / "busybox")
    # A fresh message, so the build really runs its RUN step and prints it.
    (root / "app" / "message.txt").write_text(f"hello from the browser test {uuid.uuid4().hex[:8]}\n")
    _notebook(
        root / "widgets.ipynb",
        [
            "from stagelab.widgets import build_panel\npanel = build_panel('app', title='Build the tiny app')",
            "from stagelab.widgets import grade_card\ncard = grade_card('labs/99-tiny')",
        ],
    )
    tags = [f"stagelab-test/browser-{name}:{os.environ['STAGELAB_OWNER']}" for name in ("busybox", "tiny")]
    _notebook(
        root / "gallery.ipynb",
        [
            "from stagelab.engine import build\nfrom stagelab.widgets import explore, compare_images\n"
            f"build('app', tag={tags[0]!r})\nbuild('labs/99-tiny/app', 'labs/99-tiny/Dockerfile', tag={tags[1]!r});",
            f"explore({tags[0]!r});",
            f"compare_images([{tags[0]!r}, {tags[1]!r}], startup_times={{{tags[1]!r}: 0.12}});",
        ],
    )
    return root


def _run_all_cells(page) -> None:
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # JupyterLab may ask which kernel to use; the notebook's own (python3) is preselected.
    dialog = page.locator(".jp-Dialog").filter(has_text="Select Kernel")
    try:
        dialog.wait_for(timeout=5_000)
        dialog.get_by_role("button", name="Select").click()
    except Exception:  # no dialog: the kernel was picked without asking
        pass
    # The kernel must be up before "Run All", or the cells queue behind its start.
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(state="attached", timeout=90_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def test_build_panel_and_grade_card_work_in_jupyterlab(engine, browser, jupyterlab, lab_root, artifacts):
    lab = jupyterlab(lab_root)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        _build_and_grade(page, lab, artifacts)
    except BaseException:
        page.screenshot(path=str(artifacts / "failure.png"), full_page=True)
        raise


def _build_and_grade(page, lab, artifacts) -> None:
    lab.start_kernel("widgets.ipynb")
    page.goto(lab.page_url("widgets.ipynb"))
    _run_all_cells(page)

    panel = page.locator(".stagelab-build-panel")
    panel.wait_for(timeout=60_000)
    assert panel.locator("tr.stagelab-step").count() == 4
    assert panel.locator("tr.stagelab-step[data-state='queued']").count() == 4
    panel.get_by_role("button", name="Build").click()
    status = panel.locator(".stagelab-status")
    status.filter(has_text="Built in").wait_for(timeout=120_000)
    # Every step ran (or came from cache), the size and the RUN step's output are on screen.
    # Steps come from the cache when an earlier run built the same files; either way each one ended.
    finished = panel.locator("tr.stagelab-step[data-state='done'], tr.stagelab-step[data-state='cached']")
    page.wait_for_function(
        "() => document.querySelectorAll(\".stagelab-build-panel tr.stagelab-step[data-state='done'],"
        " .stagelab-build-panel tr.stagelab-step[data-state='cached']\").length >= 3",
        timeout=15_000,
    )
    assert finished.count() >= 3
    assert panel.locator("tr.stagelab-step[data-state='queued'], tr.stagelab-step[data-state='failed']").count() == 0
    assert " MB" in status.inner_text()
    assert "hello from the browser test" in panel.locator(".stagelab-log").inner_text()
    panel.screenshot(path=str(artifacts / "build-panel.png"))

    card = page.locator(".stagelab-grade-card")
    card.scroll_into_view_if_needed()
    assert card.locator("tr.stagelab-check[data-state='queued']").count() == 6
    card.get_by_role("button", name="Check my work").click()
    card.locator(".stagelab-grade-status").filter(has_text="Score").wait_for(timeout=180_000)
    assert "Score 6 / 8" in card.locator(".stagelab-grade-status").inner_text()
    assert card.locator("tr.stagelab-check[data-state='passed']").count() == 5
    failed = card.locator("tr.stagelab-check[data-state='failed']")
    assert failed.count() == 1 and failed.get_attribute("data-check") == "image.non-root"
    # The hint is folded until the learner opens it.
    hint = failed.locator(".stagelab-hint")
    assert not hint.is_visible()
    failed.locator("summary", has_text="Hint").click()
    assert hint.is_visible() and "USER" in hint.inner_text()
    from stagelab.grading import catalogue

    assert (
        failed.locator("a.stagelab-chapter-link")
        .get_attribute("href")
        .endswith(catalogue.get("image.non-root").chapter)
    )
    card.screenshot(path=str(artifacts / "grade-card.png"))


def test_image_explorer_and_comparison_render_in_jupyterlab(engine, browser, jupyterlab, lab_root, artifacts):
    lab = jupyterlab(lab_root)
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    try:
        lab.start_kernel("gallery.ipynb")
        page.goto(lab.page_url("gallery.ipynb"))
        _run_all_cells(page)
        explorer = page.locator(".stagelab-image-explorer")
        explorer.wait_for(timeout=180_000)
        assert "shell:" in explorer.locator(".stagelab-surface").inner_text()
        assert explorer.locator(".stagelab-layer-chart svg").count() == 1
        assert "/bin/busybox" in explorer.locator(".stagelab-biggest-files").inner_text()
        explorer.screenshot(path=str(artifacts / "image-explorer.png"))
        comparison = page.locator(".stagelab-comparison")
        comparison.wait_for(timeout=180_000)
        comparison.scroll_into_view_if_needed()
        assert comparison.locator(".stagelab-comparison-chart svg").count() == 1
        assert comparison.locator(".stagelab-comparison-table tbody tr").count() == 2
        assert "0.12s" in comparison.locator(".stagelab-comparison-table").inner_text()
        comparison.screenshot(path=str(artifacts / "comparison-chart.png"))
    except BaseException:
        page.screenshot(path=str(artifacts / "failure-gallery.png"), full_page=True)
        raise
