"""Jupyter widgets: live views over the engine and grading library.

Each widget is presentation only: builds, image reports, comparisons and grades
come from :mod:`stagelab.engine` and :mod:`stagelab.grading`. Once a widget has a
result, its display bundle also carries an HTML transcript (see
:mod:`stagelab.widgets.transcript`), so the published book shows the result.
What a widget shows is a small dataclass (its ``state``), and its HTML is drawn from it.

- :func:`build_panel` / :class:`BuildPanel`: a live build, step by step.
- :func:`explore` / :class:`ImageExplorer`: what is inside an image.
- :func:`compare_images` / :class:`ComparisonChart`: images side by side.
- :func:`grade_card` / :class:`GradeCard`: "Check my work" for a lab.
"""

from __future__ import annotations

from .build_panel import BuildPanel, BuildPanelState, build_panel
from .comparison import ComparisonChart, compare_images
from .explorer import ExplorerState, ImageExplorer, explore
from .grade_card import CheckRow, GradeCard, GradeCardState, grade_card

__all__ = [
    "BuildPanel",
    "BuildPanelState",
    "CheckRow",
    "ComparisonChart",
    "ExplorerState",
    "GradeCard",
    "GradeCardState",
    "ImageExplorer",
    "build_panel",
    "compare_images",
    "explore",
    "grade_card",
]
