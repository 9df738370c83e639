"""Fixtures for the browser tests: Debian's Chromium through Playwright, and JupyterLab.

Playwright drives Debian's Chromium (see ``tests/chromium.py``; ``scripts/browser.sh``
installs it). Where Chromium is missing and
cannot be installed, the tests fail and say so. Everything started is stopped at
the end of the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import ARGS as CHROMIUM_ARGS
from chromium import path as chromium_path
from jupyterlab_harness import JupyterLab, start_jupyterlab, stop_jupyterlab

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, or a skip that says why it is missing."""
    found = chromium_path()
    if found is None:
        pytest.fail("Chromium is not installed: run scripts/browser.sh (make test does) or set STAGELAB_CHROMIUM")
    return found


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The test's output folder for screenshots (test-artifacts/browser/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser(chromium):
    """A headless Chromium through Playwright; closed at the end of the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def jupyterlab(tmp_path):
    """Start JupyterLab on a folder (call it with the folder); stopped at the end of the test."""
    started: list[JupyterLab] = []

    def start(root: Path) -> JupyterLab:
        lab = start_jupyterlab(root, tmp_path / "jupyter-home")
        started.append(lab)
        return lab

    yield start
    for lab in started:
        stop_jupyterlab(lab)
