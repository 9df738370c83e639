"""The image explorer and the comparison chart, over image reports of images built here."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from stagelab.engine import Build
from stagelab.widgets import ComparisonChart, ImageExplorer

pytestmark = pytest.mark.engine


def _text(widget) -> str:
    """What a reader sees: the widget's HTML without tags."""
    return html.unescape(re.sub(r"<[^>]+>", " ", widget.html))


@pytest.fixture(scope="module")
def two_layer_image(engine, tmp_path_factory) -> str:
    """FROM scratch with a 300 kB file, a small one, and the big one written again (wasted bytes)."""
    context = tmp_path_factory.mktemp("explorer")
    (context / "big.bin").write_bytes(b"x" * 300_000)
    (context / "small.txt").write_text(f"small {uuid.uuid4()}\n")
    (context / "Dockerfile").write_text(
        "FROM scratch\nCOPY big.bin /data/big.bin\nCOPY small.txt /small.txt\nCOPY big.bin /data/big.bin\n"
    )
    build = Build(context, tag=f"stagelab-test/explorer:{uuid.uuid4().hex[:8]}", kind="test")
    build.run()
    return build.tag


def test_explorer_charts_each_layer_with_the_instruction_that_made_it(two_layer_image):
    explorer = ImageExplorer(two_layer_image)
    assert [label for label, _size in explorer.state.layers] == [
        "COPY big.bin /data/big.bin",
        "COPY small.txt /small.txt",
        "COPY big.bin /data/big.bin",
    ]
    chart = re.search(r'<div class="stagelab-layer-chart">(.*?)</div>', explorer.html, re.S).group(1)
    assert chart.startswith("<svg")
    assert chart.count("COPY big.bin /data/big.bin") == 2 and "COPY small.txt /small.txt" in chart
    assert "300 kB" in chart


def test_explorer_lists_the_biggest_files_and_folders(two_layer_image):
    explorer = ImageExplorer(two_layer_image)
    assert explorer.state.biggest_files[0] == ("/data/big.bin", 300_000)
    assert explorer.state.biggest_folders[0] == ("/data", 300_000)
    text = _text(explorer)
    assert re.search(r"Biggest files\s+Size\s+/data/big\.bin\s+300 kB", text)
    assert re.search(r"Biggest folders\s+Size\s+/data\s+300 kB", text)


def test_explorer_shows_efficiency_and_the_bytes_wasted_by_a_file_written_twice(two_layer_image):
    explorer = ImageExplorer(two_layer_image)
    text = _text(explorer)
    assert explorer.state.wasted_bytes == explorer.report.wasted_bytes >= 300_000
    assert explorer.state.stored_twice == (("/data/big.bin", 2),)
    assert f"Layer efficiency {explorer.report.efficiency:.1%}" in " ".join(text.split())
    assert re.search(r"wasted\s+6\d\d kB", text)  # both copies of big.bin count, as in dive
    assert "/data/big.bin  ×2" in text


def test_explorer_badges_say_no_shell_and_root_for_a_scratch_image(two_layer_image):
    explorer = ImageExplorer(two_layer_image)
    shown = {badge.text: badge.concern for badge in explorer.state.badges}
    assert {
        text: shown.get(text) for text in ("no shell", "no package manager", "no compilers", "no setuid files")
    } == (dict.fromkeys(("no shell", "no package manager", "no compilers", "no setuid files"), "good"))
    assert shown["runs as root"] == "bad"
    badges = re.search(r'<div class="stagelab-surface">(.*?)</div>', explorer.html).group(1)
    assert set(shown) <= set(re.findall(r">([^<]+)</span>", badges))


def test_explorer_badges_name_the_shell_of_a_busybox_image(widget_base_image):
    shell = [badge for badge in ImageExplorer(widget_base_image).state.badges if badge.text.startswith("shell: ")]
    assert len(shell) == 1 and "sh" in shell[0].text and shell[0].concern == "bad"
    badges = re.search(r'<div class="stagelab-surface">(.*?)</div>', ImageExplorer(widget_base_image).html).group(1)
    assert re.search(r">shell: [^<]*sh[^<]*</span>", badges)
    assert "#b91c1c" in badges  # a shell is shown in red


def test_explorer_transcript_is_its_html(two_layer_image):
    explorer = ImageExplorer(two_layer_image)
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert explorer.html in bundle["text/html"]


def test_comparison_shows_images_side_by_side_in_a_chart_and_a_table(two_layer_image, widget_base_image):
    chart = ComparisonChart([two_layer_image, widget_base_image], startup_times={widget_base_image: 0.25})
    assert [row.ref for row in chart.comparison.rows] == [two_layer_image, widget_base_image]
    assert chart.comparison.smallest.ref == two_layer_image
    assert [row.startup_s for row in chart.comparison.rows] == [None, 0.25]
    svg = re.search(r'<div class="stagelab-comparison-chart">(<svg.*?</svg>)\s*</div>', chart.html, re.S).group(1)
    for label in ("Size (uncompressed)", "Layers with files", "Packages", "Executables", "Start-up", "0.25 s", "n/a"):
        assert label in svg
    assert two_layer_image in svg and widget_base_image in svg
    rows = re.findall(r"<tr><td[^>]*><span[^>]*>([^<]+)</span>", chart.html)
    assert rows == [two_layer_image, widget_base_image]
    assert f"Smallest: <b>{two_layer_image}</b>" in chart.html
    assert "stagelab-comparison-transcript" in chart._repr_mimebundle_()["text/html"]
