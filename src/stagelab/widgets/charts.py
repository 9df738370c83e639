"""Charts for the widgets, drawn with matplotlib and returned as inline SVG.

The same SVG is shown in the live widget (inside an HTML widget) and in the
static transcript, so the book shows exactly what the learner saw. Figures are
made with :class:`matplotlib.figure.Figure` directly, never ``pyplot``: no global
figure state, safe from a build thread, and nothing pops up in a notebook.
Text stays text in the SVG (``svg.fonttype: none``) so it can be read and searched.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..units import format_size

_PALETTE = ("#2563eb", "#16a34a", "#d97706", "#7c3aed", "#db2777", "#0891b2")


def to_svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element that scales to its container."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "stagelab"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    start = text.find("<svg")
    svg = text[start:]
    # Scale down to narrow cells (never up), keeping the aspect ratio.
    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    natural_width = f"{float(match.group(1)):.0f}px" if match else "100%"
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        rf'<svg\1 style="width:100%; max-width:{natural_width}; height:auto;"',
        svg,
        count=1,
    )
    return svg


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layer_chart(layers: Sequence[tuple[str, int]], title: str = "Layer sizes") -> str:
    """A horizontal bar per layer (label: the instruction that made it), largest visible at a glance."""
    labels = [_shorten(label) for label, _size in layers] or ["(no layers)"]
    sizes = [size for _label, size in layers] or [0]
    height = 0.9 + 0.32 * len(labels)
    figure = Figure(figsize=(7.5, height), dpi=96)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    axes.barh(positions, sizes, color=_PALETTE[0])
    axes.set_yticks(positions, labels, fontsize=8)
    axes.invert_yaxis()  # first layer at the top, as in `docker history` read bottom-up
    biggest = max(sizes) if sizes else 0
    for position, size in zip(positions, sizes):
        axes.text(size + biggest * 0.01, position, format_size(size), va="center", fontsize=8)
    axes.set_xlim(0, biggest * 1.18 if biggest else 1)
    axes.set_xticks([])
    axes.set_title(title, fontsize=10, loc="left")
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    return to_svg(figure)


def comparison_chart(
    names: Sequence[str],
    metrics: Sequence[tuple[str, Sequence[float | None], str]],
    title: str = "",
) -> str:
    """Small multiples: one bar chart per metric (``(label, values per image, unit)``), images side by side.

    A missing value (None) leaves a gap labelled "n/a" rather than a misleading zero.
    """
    columns = max(1, len(metrics))
    figure = Figure(figsize=(2.2 * columns, 2.4), dpi=96)
    colours = [_PALETTE[i % len(_PALETTE)] for i in range(len(names))]
    for index, (label, values, unit) in enumerate(metrics):
        axes = figure.add_subplot(1, columns, index + 1)
        positions = list(range(len(names)))
        heights = [value or 0 for value in values]
        axes.bar(positions, heights, color=colours)
        top = max(heights) if heights else 0
        for position, value in zip(positions, values):
            text = "n/a" if value is None else _format_value(value, unit)
            axes.text(position, (value or 0) + top * 0.02, text, ha="center", va="bottom", fontsize=8)
        axes.set_xticks([])  # names are long (registry/path:tag): the legend below carries them
        axes.set_yticks([])
        axes.set_ylim(0, top * 1.25 if top else 1)
        axes.set_title(label, fontsize=9)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
    if title:
        figure.suptitle(title, fontsize=10)
    handles = [Patch(color=colour, label=name) for name, colour in zip(names, colours)]
    figure.tight_layout()
    figure.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=min(3, len(names)),
        fontsize=8,
        frameon=False,
    )
    return to_svg(figure)


def _format_value(value: float, unit: str) -> str:
    if unit == "bytes":
        return format_size(value)
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:g}"
