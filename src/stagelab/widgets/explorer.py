"""The image explorer: what is inside an image, readable in a second.

A view over an :class:`~stagelab.engine.ImageReport` (``Engine().reports.image(ref)``): attack-surface badges
first (shell, package managers, compilers, setuid files, packages, user), then the
layer sizes as a chart labelled with the instruction that made each layer, the
biggest files and folders, and the layer efficiency as dive computes it.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class SurfaceBadge:
    """One attack-surface finding: ``concern`` is bad (an attacker could use it), good (absent) or neutral."""

    text: str
    concern: str
    title: str | None = None


@dataclass(frozen=True)
class ExplorerState:
    """What the explorer shows, as data: the HTML is drawn from it, and tests read it."""

    ref: str
    size_bytes: int
    user: str
    os_name: str | None
    badges: tuple[SurfaceBadge, ...]
    #: (instruction that made the layer, bytes) for each layer with files.
    layers: tuple[tuple[str, int], ...]
    biggest_files: tuple[tuple[str, int], ...]
    biggest_folders: tuple[tuple[str, int], ...]
    efficiency: float
    wasted_bytes: int
    user_wasted_percent: float
    #: (path, how many layers store it), the first few.
    stored_twice: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, report: ImageReport, biggest: int = 8) -> ExplorerState:
        """The state of an explorer over ``report``, listing the ``biggest`` files and folders."""
        return cls(
            ref=report.ref,
            size_bytes=report.size_bytes,
            user=report.config.user or "root (not set)",
            os_name=report.os_name,
            badges=_badges(report),
            layers=tuple((_layer_label(layer.created_by), layer.size_bytes) for layer in report.file_layers),
            biggest_files=tuple(report.biggest(biggest, "file")),
            biggest_folders=tuple(report.biggest(biggest, "dir")),
            efficiency=report.efficiency,
            wasted_bytes=report.wasted_bytes,
            user_wasted_percent=report.user_wasted_percent,
            stored_twice=tuple((w.path, w.layers_count) for w in report.efficiency_details.wasted_paths[:5]),
        )


def _badges(report: ImageReport) -> tuple[SurfaceBadge, ...]:
    surface = report.surface
    return (
        SurfaceBadge(f"shell: {_listed(surface.shells)}", "bad", "A shell lets anyone who gets in run commands")
        if surface.has_shell
        else SurfaceBadge("no shell", "good"),
        SurfaceBadge(
            f"package manager: {_listed(surface.package_managers)}", "bad", "It can install more tools at run time"
        )
        if surface.has_package_manager
        else SurfaceBadge("no package manager", "good"),
        SurfaceBadge(f"compilers: {_listed(surface.compilers)}", "bad", "Build tools are not needed to run the app")
        if surface.has_compilers
        else SurfaceBadge("no compilers", "good"),
        SurfaceBadge(f"{len(surface.setuid_files)} setuid files", "bad", _listed(surface.setuid_files, 10))
        if surface.setuid_files
        else SurfaceBadge("no setuid files", "good"),
        SurfaceBadge("runs as non-root", "good") if report.non_root else SurfaceBadge("runs as root", "bad"),
        SurfaceBadge(f"{len(surface.packages)} packages", "neutral", "Debian packages recorded in the image"),
        SurfaceBadge(f"{surface.executables_count} executables", "neutral"),
    )


_COLOURS = {"bad": _BAD, "good": _GOOD, "neutral": _NEUTRAL}


def surface_badges(report: ImageReport | ExplorerState) -> str:
    """Badges for the attack surface: red for what an attacker could use, green for what is absent."""
    badges = report.badges if isinstance(report, ExplorerState) else _badges(report)
    shown = [t.badge(badge.text, _COLOURS[badge.concern], badge.title) for badge in badges]
    return f'<div class="stagelab-surface">{"".join(shown)}</div>'


def _layer_label(created_by: str) -> str:
    return created_by or "(base layer)"


def explorer_html(report: ImageReport | ExplorerState, biggest: int = 8) -> str:
    """The whole explorer as HTML: the same markup serves the widget and the book's transcript."""
    state = report if isinstance(report, ExplorerState) else ExplorerState.of(report, biggest)
    summary = (
        f'<div class="stagelab-image-summary" style="{t.FONT}"><b style="font-size:15px">{t.escape(state.ref)}</b> — '
        f"<b>{t.escape(format_size(state.size_bytes))}</b> in {len(state.layers)} layers with files"
        + (f" · {t.escape(state.os_name)}" if state.os_name else "")
        + f" · user {t.escape(state.user)}</div>"
    )
    chart = f'<div class="stagelab-layer-chart">{charts.layer_chart(list(state.layers))}</div>'
    files = t.table(
        ("Biggest files", "Size"),
        [(f'<code style="{t.MONO}">{t.escape(p)}</code>', t.escape(format_size(s))) for p, s in state.biggest_files],
        css_class="stagelab-biggest-files",
    )
    folders = t.table(
        ("Biggest folders", "Size"),
        [(f'<code style="{t.MONO}">{t.escape(p)}</code>', t.escape(format_size(s))) for p, s in state.biggest_folders],
        css_class="stagelab-biggest-folders",
    )
    efficiency = (
        f'<div class="stagelab-efficiency" style="{t.FONT}">Layer efficiency <b>{state.efficiency:.1%}</b> · '
        f"wasted <b>{t.escape(format_size(state.wasted_bytes))}</b> "
        f"({state.user_wasted_percent:.1f} % of the layers added on top of the base)"
        + (
            ""
            if not state.stored_twice
            else "<br>Files stored more than once: "
            + ", ".join(
                f'<code style="{t.MONO}">{t.escape(path)}</code> ×{count}' for path, count in state.stored_twice
            )
        )
        + "</div>"
    )
    return (
        f'<div class="stagelab-explorer-body">{summary}{surface_badges(state)}{chart}'
        f'<div style="display:flex; gap:24px; flex-wrap:wrap;">{files}{folders}</div>{efficiency}</div>'
    )


class ImageExplorer(t.TranscriptMixin, widgets.VBox):
    """Layers, biggest files and folders, efficiency and attack surface of one image."""

    def __init__(self, image: str | ImageReport, biggest: int = 8):
        super().__init__()
        #: The report shown (reports are cached by image id, so showing an image again is cheap).
        self.report = image if isinstance(image, ImageReport) else Engine().reports.image(image)
        #: What the explorer shows (the HTML is drawn from it).
        self.state = ExplorerState.of(self.report, biggest)
        self.html = explorer_html(self.state)
        self.add_class("stagelab-image-explorer")
        self.children = [widgets.HTML(self.html)]

    def transcript_html(self) -> str | None:
        return f'<div class="stagelab-transcript stagelab-explorer-transcript">{self.html}</div>'


def explore(image: str | ImageReport, biggest: int = 8) -> ImageExplorer:
    """Show an :class:`ImageExplorer` for an image (reference, id or report) in the current cell."""
    return ImageExplorer(image, biggest).show()
