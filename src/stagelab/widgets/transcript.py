"""HTML pieces shared by the widgets, and the static fallback every widget offers.

A widget shows its result live in JupyterLab, but a published book (myst-nb) and
a notebook viewed without a kernel only have what was saved in the notebook.
So once a widget has a result, its display bundle carries a ``text/html``
transcript of it next to the widget view: JupyterLab still renders the widget
(its renderer ranks first), while the book, which prefers ``text/html``
(``nb_mime_priority_overrides``), shows the transcript.

Styles are inline on purpose: JupyterLab's sanitizer drops ``<style>`` blocks from
untrusted outputs, and the HTML must look the same in the widget, the notebook
and the book.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterable, Sequence

#: Colours by state, chosen to stay readable on light and dark themes.
STATE_COLOURS = {
    "queued": "#6b7280",
    "running": "#b45309",
    "done": "#15803d",
    "cached": "#0e7490",
    "failed": "#b91c1c",
    "skipped": "#6b7280",
    "cancelled": "#6b7280",
    "passed": "#15803d",
    "error": "#7c3aed",
}

FONT = "font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;"
MONO = "font-family: var(--jp-code-font-family, ui-monospace, monospace); font-size: 12px;"


def escape(text: object) -> str:
    """HTML-escape anything (None becomes an empty string)."""
    return "" if text is None else html.escape(str(text))


def format_seconds(seconds: float | None) -> str:
    """A duration for a step or a build (``0.4 s``, ``12 s``, ``2 min 5 s``)."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest} s"


def badge(text: str, colour: str, title: str | None = None, css_class: str = "stagelab-badge") -> str:
    """A rounded label, e.g. a state or an attack-surface finding."""
    tooltip = f' title="{escape(title)}"' if title else ""
    return (
        f'<span class="{css_class}"{tooltip} style="display:inline-block; padding:1px 8px; margin:1px 3px 1px 0; '
        f'border-radius:10px; background:{colour}; color:white; {FONT} font-size:12px; white-space:nowrap;">'
        f"{escape(text)}</span>"
    )


def state_badge(state: str, label: str | None = None) -> str:
    """The badge for a step or check state (queued, running, done, cached, failed, passed…)."""
    return badge(
        label or state, STATE_COLOURS.get(state, "#6b7280"), css_class=f"stagelab-state stagelab-state-{state}"
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    css_class: str = "stagelab-table",
    row_attributes: Sequence[str] | None = None,
) -> str:
    """A compact table; cells are already HTML (escape text before passing it).

    ``row_attributes`` (one string per row, e.g. ``'class="x" data-state="done"'``) lets
    tests and the browser find rows by what they show.
    """
    rows = list(rows)
    attributes = list(row_attributes) if row_attributes is not None else [""] * len(rows)
    head = "".join(
        f'<th style="text-align:left; padding:2px 8px; border-bottom:1px solid #9ca3af;">{escape(h)}</th>'
        for h in headers
    )
    body = "".join(
        (f"<tr {attrs}>" if attrs else "<tr>")
        + "".join(f'<td style="padding:2px 8px; vertical-align:top;">{cell}</td>' for cell in row)
        + "</tr>"
        for row, attrs in zip(rows, attributes)
    )
    return f'<table class="{css_class}" style="border-collapse:collapse; {FONT}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def box(inner_html: str, colour: str, css_class: str) -> str:
    """A bordered block (failure report, hint)."""
    return (
        f'<div class="{css_class}" style="border-left:4px solid {colour}; padding:6px 10px; margin:6px 0; '
        f'background:rgba(127,127,127,0.08); {FONT}">{inner_html}</div>'
    )


def preformatted(lines: Sequence[str], css_class: str = "stagelab-log", max_height_px: int = 220) -> str:
    """Log lines in a scrolling block that stays scrolled to the newest line.

    ``column-reverse`` anchors the scroll position at the bottom, so re-rendering
    the block with new lines does not jump back to the top.
    """
    text = escape("\n".join(lines))
    return (
        f'<div class="{css_class}" style="display:flex; flex-direction:column-reverse; max-height:{max_height_px}px; '
        f'overflow:auto; background:rgba(127,127,127,0.10); padding:4px 8px;">'
        f'<pre style="margin:0; white-space:pre-wrap; word-break:break-all; {MONO}">{text}</pre></div>'
    )


def section(title: str, inner_html: str, css_class: str) -> str:
    """A titled block of a transcript."""
    return (
        f'<div class="{css_class}" style="margin:6px 0;"><div style="font-weight:600; {FONT}">{escape(title)}</div>'
        f"{inner_html}</div>"
    )


class TranscriptMixin:
    """Adds the HTML transcript to a widget's display bundle, and refreshes its displays.

    Subclasses implement :meth:`transcript_html` (None while there is no result).
    Displays made with :meth:`show` are updated in place when the result arrives, so
    a notebook executed for the book saves the transcript in the cell's output.
    """

    def transcript_html(self) -> str | None:  # pragma: no cover - overridden
        """The widget's result as static HTML, or None before there is one."""
        return None

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})  # type: ignore[misc]
        transcript = self.transcript_html()
        if transcript:
            bundle["text/html"] = transcript
        return bundle

    def show(self):
        """Display the widget in the current cell; the display is updated when the result arrives."""
        from IPython.display import display

        handle = display(self, display_id=True)
        if handle is not None:
            self._transcript_handles().append(handle)
        return self

    def _transcript_handles(self) -> list:
        handles = self.__dict__.get("_stagelab_display_handles")
        if handles is None:
            handles = []
            self.__dict__["_stagelab_display_handles"] = handles
        return handles

    def refresh_displays(self) -> None:
        """Re-send the display bundle (now with its transcript) to every display made by :meth:`show`."""
        for handle in list(self._transcript_handles()):
            try:
                handle.update(self)
            except Exception:  # no kernel (plain Python, tests): nothing to update
                pass


class Throttle:
    """Lets a redraw through at most every ``interval_s`` seconds (the last one is forced)."""

    def __init__(self, interval_s: float = 0.25):
        import time

        self._clock = time.monotonic
        self.interval_s = interval_s
        self._last = 0.0
        self._lock = threading.Lock()

    def ready(self) -> bool:
        """True when enough time has passed since the last redraw (and counts this one)."""
        with self._lock:
            now = self._clock()
            if now - self._last >= self.interval_s:
                self._last = now
                return True
            return False
