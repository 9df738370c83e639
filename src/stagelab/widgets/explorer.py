"""The image explorer: what is inside an image, readable in a second.

A view over an :class:`~stagelab.engine.ImageReport` (``Engine().reports.image(ref)``): attack-surface badges
first (shell, package managers, compilers, setuid files, packages, user), then the
layer sizes as a chart labelled with the instruction that made each layer, the
biggest files and folders, and the layer efficiency as dive computes it.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..engine import Engine, ImageReport
from ..units import format_size
from . import charts
from . import transcript as t

_BAD = "#b91c1c"
_GOOD = "#15803d"
_NEUTRAL = "#475569"


def _listed(items: tuple[str, ...], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" +{len(items) - limit}" if len(items) > limit else "")


def surface_badges(report: ImageReport) -> str:
    """Badges for the attack surface: red for what an attacker could use, green for what is absent."""
    surface = report.surface
    badges = [
        t.badge(f"shell: {_listed(surface.shells)}", _BAD, "A shell lets anyone who gets in run commands")
        if surface.has_shell
        else t.badge("no shell", _GOOD),
        t.badge(f"package manager: {_listed(surface.package_managers)}", _BAD, "It can install more tools at run time")
        if surface.has_package_manager
        else t.badge("no package manager", _GOOD),
        t.badge(f"compilers: {_listed(surface.compilers)}", _BAD, "Build tools are not needed to run the app")
        if surface.has_compilers
        else t.badge("no compilers", _GOOD),
        t.badge(f"{len(surface.setuid_files)} setuid files", _BAD, _listed(surface.setuid_files, 10))
        if surface.setuid_files
        else t.badge("no setuid files", _GOOD),
        t.badge("runs as non-root", _GOOD) if report.non_root else t.badge("runs as root", _BAD),
        t.badge(f"{len(surface.packages)} packages", _NEUTRAL, "Debian packages recorded in the image"),
        t.badge(f"{surface.executables_count} executables", _NEUTRAL),
    ]
    return f'<div class="stagelab-surface">{"".join(badges)}</div>'


def _layer_label(created_by: str) -> str:
    return created_by or "(base layer)"


def explorer_html(report: ImageReport, biggest: int = 8) -> str:
    """The whole explorer as HTML: the same markup serves the widget and the book's transcript."""
    layers = report.file_layers
    summary = (
        f'<div class="stagelab-image-summary" style="{t.FONT}"><b style="font-size:15px">{t.escape(report.ref)}</b> — '
        f"<b>{t.escape(format_size(report.size_bytes))}</b> in {len(layers)} layers with files"
        + (f" · {t.escape(report.os_name)}" if report.os_name else "")
        + f" · user {t.escape(report.config.user or 'root (not set)')}</div>"
    )
    chart = f'<div class="stagelab-layer-chart">{charts.layer_chart([(_layer_label(l.created_by), l.size_bytes) for l in layers])}</div>'
    files = t.table(
        ("Biggest files", "Size"),
        [
            (f'<code style="{t.MONO}">{t.escape(p)}</code>', t.escape(format_size(s)))
            for p, s in report.biggest(biggest, "file")
        ],
        css_class="stagelab-biggest-files",
    )
    folders = t.table(
        ("Biggest folders", "Size"),
        [
            (f'<code style="{t.MONO}">{t.escape(p)}</code>', t.escape(format_size(s)))
            for p, s in report.biggest(biggest, "dir")
        ],
        css_class="stagelab-biggest-folders",
    )
    wasted = report.efficiency_details.wasted_paths[:5]
    efficiency = (
        f'<div class="stagelab-efficiency" style="{t.FONT}">Layer efficiency <b>{report.efficiency:.1%}</b> · '
        f"wasted <b>{t.escape(format_size(report.wasted_bytes))}</b> "
        f"({report.user_wasted_percent:.1f} % of the layers added on top of the base)"
        + (
            ""
            if not wasted
            else "<br>Files stored more than once: "
            + ", ".join(f'<code style="{t.MONO}">{t.escape(w.path)}</code> ×{w.layers_count}' for w in wasted)
        )
        + "</div>"
    )
    return (
        f'<div class="stagelab-explorer-body">{summary}{surface_badges(report)}{chart}'
        f'<div style="display:flex; gap:24px; flex-wrap:wrap;">{files}{folders}</div>{efficiency}</div>'
    )


class ImageExplorer(t.TranscriptMixin, widgets.VBox):
    """Layers, biggest files and folders, efficiency and attack surface of one image."""

    def __init__(self, image: str | ImageReport, biggest: int = 8):
        super().__init__()
        #: The report shown (reports are cached by image id, so showing an image again is cheap).
        self.report = image if isinstance(image, ImageReport) else Engine().reports.image(image)
        self.html = explorer_html(self.report, biggest)
        self.add_class("stagelab-image-explorer")
        self.children = [widgets.HTML(self.html)]

    def transcript_html(self) -> str | None:
        return f'<div class="stagelab-transcript stagelab-explorer-transcript">{self.html}</div>'


def explore(image: str | ImageReport, biggest: int = 8) -> ImageExplorer:
    """Show an :class:`ImageExplorer` for an image (reference, id or report) in the current cell."""
    return ImageExplorer(image, biggest).show()
