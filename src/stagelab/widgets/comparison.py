"""The comparison chart: two or more images side by side (single vs multi-stage vs distroless).

A view over :func:`stagelab.analysis.compare.compare_reports`: small bar charts of size,
layers, packages, executables and (when measured) start-up time, then the
comparison's own table. Start-up times are measured elsewhere (runtime probes) and
passed in, keyed by the image reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as widgets

from ..analysis import Comparison
from ..engine import Engine
from ..units import format_size
from . import charts
from . import transcript as t


def comparison_html(comparison: Comparison, title: str = "") -> str:
    """Chart and table as HTML: the same markup serves the widget and the book's transcript."""
    rows = comparison.rows
    names = [row.ref for row in rows]
    metrics: list[tuple[str, Sequence[float | None], str]] = [
        ("Size (uncompressed)", [row.size_bytes for row in rows], "bytes"),
        ("Layers with files", [row.layers for row in rows], ""),
        ("Packages", [row.packages for row in rows], ""),
        ("Executables", [row.executables for row in rows], ""),
    ]
    if comparison.has_startup:
        metrics.append(("Start-up", [row.startup_s for row in rows], "s"))
    chart = charts.comparison_chart(names, metrics, title=title)
    header, *body = comparison.table_rows()
    table = t.table(
        header,
        [[f'<span style="white-space:nowrap">{t.escape(cell)}</span>' for cell in row] for row in body],
        css_class="stagelab-comparison-table",
    )
    smallest = comparison.smallest
    note = (
        f'<div style="{t.FONT}">Smallest: <b>{t.escape(smallest.ref)}</b> '
        f"({t.escape(format_size(smallest.size_bytes))}); sizes are uncompressed, as <code>docker images</code> shows them.</div>"
    )
    return (
        f'<div class="stagelab-comparison-body"><div class="stagelab-comparison-chart">{chart}</div>'
        f'<div style="overflow-x:auto">{table}</div>{note}</div>'
    )


class ComparisonChart(t.TranscriptMixin, widgets.VBox):
    """Images side by side: a chart of size, layers, packages, executables (and start-up) and a table."""

    def __init__(
        self,
        images: Sequence[str] | Comparison,
        startup_times: Mapping[str, float] | None = None,
        title: str = "",
    ):
        super().__init__()
        #: The comparison shown (from :mod:`stagelab.analysis.compare`).
        self.comparison = (
            images if isinstance(images, Comparison) else Engine().reports.compare(list(images), startup_times)
        )
        self.html = comparison_html(self.comparison, title)
        self.add_class("stagelab-comparison")
        self.children = [widgets.HTML(self.html)]

    def transcript_html(self) -> str | None:
        return f'<div class="stagelab-transcript stagelab-comparison-transcript">{self.html}</div>'


def compare_images(
    images: Sequence[str], startup_times: Mapping[str, float] | None = None, title: str = ""
) -> ComparisonChart:
    """Show a :class:`ComparisonChart` of these images in the current cell."""
    return ComparisonChart(images, startup_times, title).show()
