"""A statically linked busybox for test images: Debian's busybox-static, fetched once and cached.

One place for every test folder (engine, widgets, browser, grading): tests/ is on
sys.path through its conftest, so ``from static_busybox import busybox_binary`` works
anywhere under it. ``$STAGELAB_TEST_BUSYBOX`` points at a binary to use instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CACHE = Path.home() / ".cache" / "stagelab" / "test-fixtures"


def busybox_binary() -> Path:
    """Path of a static busybox binary (downloaded with apt-get the first time)."""
    configured = os.environ.get("STAGELAB_TEST_BUSYBOX")
    if configured:
        return Path(configured)
    cached = CACHE / "busybox"
    if cached.is_file():
        return cached
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["apt-get", "download", "busybox-static"], cwd=scratch, check=True, capture_output=True)
        package = next(Path(scratch).glob("busybox-static_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(package), f"{scratch}/root"], check=True)
        # Copy to a temporary name first: concurrent sessions must never see half a binary.
        partial = cached.with_suffix(f".{os.getpid()}.partial")
        shutil.copy2(f"{scratch}/root/bin/busybox", partial)
        partial.replace(cached)
    return cached
