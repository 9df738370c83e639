"""Jupyter widgets: live views over the engine and grading library.

Each widget is presentation only: builds, image reports, comparisons and grades
come from :mod:`stagelab.engine` and :mod:`stagelab.grading`. Once a widget has a
result, its display bundle also carries an HTML transcript (see
:mod:`stagelab.widgets.transcript`), so the published book shows the result.
"""

from __future__ import annotations

from .build_panel import BuildPanel, build_panel

__all__ = ["BuildPanel", "build_panel"]
