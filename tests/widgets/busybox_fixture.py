"""A statically linked busybox for test images (no registry here): Debian's busybox-static, cached.

Shared by the widget and browser tests (the browser tests import this file by path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CACHE = Path(os.environ.get("STAGELAB_STATE_DIR", Path.home() / ".cache" / "stagelab")) / "test-fixtures"


def busybox_binary() -> Path:
    """A statically linked busybox (the cache, or Debian's busybox-static fetched once)."""
    cached = CACHE / "busybox"
    if cached.is_file():
        return cached
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["apt-get", "download", "busybox-static"], cwd=scratch, check=True, capture_output=True)
        package = next(Path(scratch).glob("busybox-static_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(package), f"{scratch}/root"], check=True)
        shutil.copy2(f"{scratch}/root/bin/busybox", cached)
    return cached
