"""Jupyter widgets: live views over the engine and grading library.

Each widget is presentation only: builds, image reports, comparisons and grades
come from :mod:`stagelab.engine` and :mod:`stagelab.grading`. Once a widget has a
result, its display bundle also carries an HTML transcript (see
:mod:`stagelab.widgets.transcript`), so the published book shows the result.

- :func:`build_panel` / :class:`BuildPanel`: a live build, step by step.
- :func:`explore` / :class:`ImageExplorer`: what is inside an image.
- :func:`compare_images` / :class:`ComparisonChart`: images side by side.
- :func:`grade_card` / :class:`GradeCard`: "Check my work" for a lab.
"""

from __future__ import annotations

from .build_panel import BuildPanel, build_panel
from .comparison import ComparisonChart, compare_images
from .explorer import ImageExplorer, explore
from .grade_card import GradeCard, grade_card

__all__ = [
    "BuildPanel",
    "ComparisonChart",
    "GradeCard",
    "ImageExplorer",
    "build_panel",
    "compare_images",
    "explore",
    "grade_card",
]
