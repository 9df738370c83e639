"""Debian's Chromium for the browser and book tests (``scripts/browser.sh`` installs it).

Playwright cannot download its own browsers on these machines (no internet beyond the package
registries), so it drives the Chromium Debian installs, found on ``PATH`` (or
``STAGELAB_CHROMIUM``). Run as root in a VM it needs no sandbox and no GPU, and must not call
home: the closed network refuses those connections, many at a time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ARGS = [
    "--no-sandbox",  # Chromium refuses to start as root with its sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def path() -> Path | None:
    """The Chromium to drive, or None when it is not installed."""
    configured = os.environ.get("STAGELAB_CHROMIUM")
    found = configured or shutil.which("chromium")
    if found and os.path.isfile(found) and os.access(found, os.X_OK):
        return Path(found)
    return None
