"""The grade card: "Check my work" for a lab, each check turning green or red as it completes.

The grading is :func:`stagelab.grading.grader.grade` (which also saves the learner's
progress); the card only shows it. Each check row has an expandable hint and a link
to the chapter section that teaches it. Notebook use::

    card = grade_card("../labs/01-first-image")
    card = grade_card("../labs/01-first-image", start=True, wait=True)   # executed chapters
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from ..errors import StagelabError
from ..grading import catalogue, grader
from ..grading.results import CheckResult, GradeReport
from ..grading.spec import load_spec
from . import transcript as t
from .background import BackgroundRunner

_STATUS_LABELS = {"passed": "passed", "failed": "failed", "skipped": "skipped", "error": "error"}


def _repo_root(lab_dir: Path) -> Path:
    """Chapters are named from the repository root (``notebooks/NN.ipynb#anchor``); labs sit in ``labs/NN``."""
    return lab_dir.resolve().parent.parent


@dataclass(frozen=True)
class CheckRow:
    """One check as the card shows it: ``state`` is queued, running, or the result's status."""

    check_id: str
    title: str
    state: str
    result: CheckResult | None = None


@dataclass(frozen=True)
class GradeCardState:
    """What the card shows, as data: the HTML is drawn from it, and tests read it."""

    title: str
    status: str
    rows: tuple[CheckRow, ...]
    report: GradeReport | None = None
    error: str | None = None

    @property
    def checks_done(self) -> int:
        return sum(1 for row in self.rows if row.result is not None)

    def states(self) -> dict[str, str]:
        """Check id → state (queued, running, passed, failed, skipped, error)."""
        return {row.check_id: row.state for row in self.rows}

    def row(self, check_id: str) -> CheckRow:
        """The row of ``check_id`` (KeyError if the card has none)."""
        for row in self.rows:
            if row.check_id == check_id:
                return row
        raise KeyError(check_id)


def match_results(planned_ids: list[str], results: list[CheckResult]) -> list[tuple[str, CheckResult | None]]:
    """Pair each planned check with its result by check id (the n-th result of an id with its n-th listing).

    Results whose id the plan does not list come last, in the order they arrived.
    """
    by_id: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        by_id[result.check_id].append(result)
    pairs: list[tuple[str, CheckResult | None]] = []
    for check_id in planned_ids:
        waiting = by_id.get(check_id)
        pairs.append((check_id, waiting.pop(0) if waiting else None))
    leftovers = {id(result) for waiting in by_id.values() for result in waiting}
    pairs += [(result.check_id, result) for result in results if id(result) in leftovers]
    return pairs


class GradeCard(t.TranscriptMixin, widgets.VBox):
    """A "Check my work" button, one row per check with its state, hint and chapter link, and the score."""

    def __init__(
        self,
        lab_dir: str | os.PathLike[str],
        submission_dir: str | os.PathLike[str] | None = None,
        *,
        record_progress: bool = True,
        redraw_interval_s: float = 0.25,
    ):
        super().__init__()
        self.lab_dir = Path(lab_dir)
        self.submission_dir = Path(submission_dir) if submission_dir else None
        self.record_progress = record_progress
        #: The last grading's report, or the error that stopped it (e.g. an invalid lab.yaml).
        self.report: GradeReport | None = None
        self.error: Exception | None = None

        self._lock = threading.Lock()
        self._runner = BackgroundRunner(self._run, name="stagelab-grade-card")
        self._throttle = t.Throttle(redraw_interval_s)
        self._results: list[CheckResult] = []
        self._activity = ""
        self._started_at = 0.0
        self._active = False

        try:
            self.spec = load_spec(self.lab_dir)
            self._planned = grader.plan(self.spec.checks)
            self.title = self.spec.title
            self._spec_error: str | None = None
        except StagelabError as error:
            self.spec = None
            self._planned = []
            self.title = f"Lab {self.lab_dir.name}"
            self._spec_error = str(error)

        self.check_button = widgets.Button(
            description="Check my work",
            button_style="primary",
            icon="check",
            layout=widgets.Layout(width="auto"),
            disabled=self._spec_error is not None,
        )
        self.status = widgets.HTML()
        self.progress = widgets.FloatProgress(
            value=0, min=0, max=max(1, len(self._planned)), bar_style="info", layout=widgets.Layout(width="100%")
        )
        self.checks_view = widgets.HTML()
        self.check_button.on_click(lambda _button: self.start())
        self.add_class("stagelab-grade-card")
        heading = widgets.HTML(f'<b style="{t.FONT}">{t.escape(self.title)}</b>')
        self.children = [heading, widgets.HBox([self.check_button, self.status]), self.progress, self.checks_view]
        self._status_text = "Press “Check my work” when your Dockerfile is ready."
        self._render()

    # -- control ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Start grading in the background; False (and nothing happens) if it is running or the lab is invalid."""
        if self._spec_error is not None:
            return False
        if not self._runner.start(before=self._prepare):
            return False
        self._render()
        return True

    def _prepare(self) -> None:
        self.report = self.error = None
        self._results = []
        self._activity = ""
        self._started_at = time.monotonic()
        self._active = True
        self._status_text = "Checking…"
        self.check_button.disabled = True
        self.progress.bar_style = "info"

    def wait(self, timeout: float | None = None) -> GradeReport | None:
        """Wait for the grading; returns the report (None if it could not run: see :attr:`error`)."""
        self._runner.wait(timeout)
        return self.report

    @property
    def running(self) -> bool:
        return self._runner.running

    @property
    def gradings_started(self) -> int:
        return self._runner.starts

    # -- the grading thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            self.report = grader.grade(
                self.lab_dir,
                self.submission_dir,
                on_result=self._on_result,
                on_build_event=self._on_build_event,
                record_progress=self.record_progress,
            )
        except StagelabError as error:
            self.error = error
        except Exception as error:  # never a traceback in the notebook: say what happened
            self.error = StagelabError(f"Unexpected error while grading: {error!r}")
        finally:
            self._finish()

    def _on_result(self, result) -> None:
        with self._lock:
            self._results.append(result)
            self._activity = ""
        self._render()

    def _on_build_event(self, event) -> None:
        step = getattr(event, "step", None)
        if step is not None:
            self._activity = f"building: {step.instruction[:80]}"
        if self._throttle.ready():
            self._render()

    def _finish(self) -> None:
        report = self.report
        if report is not None:
            self._status_text = f"Score {report.score:g} / {report.max_score:g}"
            if report.could_not_grade:
                self._status_text += " — could not grade everything"
                self.progress.bar_style = "warning"
            else:
                self.progress.bar_style = "success" if report.all_passed else "danger"
        else:
            self._status_text = "Could not check your work"
            self.progress.bar_style = "danger"
        self._activity = ""
        self._active = False
        self.check_button.disabled = False
        self._render()
        self._runner.mark_finished()
        self.refresh_displays()

    # -- rendering -----------------------------------------------------------------------------

    @property
    def state(self) -> GradeCardState:
        """The card's state now: one row per check in the order they run, results matched by check id."""
        with self._lock:
            results = list(self._results) if self.report is None else list(self.report.results)
        rows, running_shown = [], False
        for check_id, result in match_results([check.id for check in self._planned], results):
            if result is not None:
                rows.append(CheckRow(check_id, result.title, result.status.value, result))
                continue
            # While grading, the first check without a result is the one running now.
            state = "running" if self._active and not running_shown else "queued"
            running_shown = running_shown or state == "running"
            rows.append(CheckRow(check_id, catalogue.get(check_id).title, state))
        done = sum(1 for row in rows if row.result is not None)
        status = self._status_text
        if self._active:
            status = f"Checking… {done} of {len(rows)} checks" + (f" ({self._activity})" if self._activity else "")
        error = self._spec_error or (str(self.error) if self.error is not None else None)
        return GradeCardState(self.title, status, tuple(rows), self.report, error)

    def _render(self) -> None:
        state = self.state
        self.progress.max = max(1, len(state.rows))
        self.progress.value = state.checks_done
        status = state.status
        self.status.value = f'<span class="stagelab-grade-status" style="{t.FONT}">{t.escape(status)}</span>'
        self.checks_view.value = self.checks_html(link_suffix=".ipynb", state=state)

    def _chapter_link(self, chapter: str | None, suffix: str) -> str:
        """A link to the chapter section, relative to the notebook's folder (the kernel's working folder)."""
        if not chapter:
            return ""
        path, _, anchor = chapter.partition("#")
        target = _repo_root(self.lab_dir) / path
        relative = os.path.relpath(target, Path.cwd())
        if suffix != ".ipynb" and relative.endswith(".ipynb"):
            relative = relative[: -len(".ipynb")] + suffix
        href = relative + (f"#{anchor}" if anchor else "")
        return (
            f'<a class="stagelab-chapter-link" href="{t.escape(href)}" target="_self" '
            'style="color:#2563eb; text-decoration:underline;">Read the chapter section</a>'
        )

    def checks_html(self, link_suffix: str = ".ipynb", state: GradeCardState | None = None) -> str:
        """The check rows (state, title, points, message, expandable hint and chapter link) and the score."""
        state = state or self.state
        if self._spec_error:
            return t.box(
                f'<div class="stagelab-failure-reason">{t.escape(self._spec_error)}</div>',
                t.STATE_COLOURS["failed"],
                "stagelab-failure",
            )
        table_rows, attributes = [], []
        for row in state.rows:
            result = row.result
            if result is None:
                message, points, more = "", "", ""
            else:
                points = f"{result.points:g} / {result.max_points:g}"
                message = t.escape(result.message)
                more = ""
                if not result.passed and (result.hint or result.chapter):
                    hint = f'<div class="stagelab-hint">{t.escape(result.hint)}</div>' if result.hint else ""
                    more = (
                        f'<details class="stagelab-hint-details"><summary style="cursor:pointer">Hint</summary>'
                        f"{hint}{self._chapter_link(result.chapter, link_suffix)}</details>"
                    )
            table_rows.append(
                (
                    t.state_badge(row.state, _STATUS_LABELS.get(row.state, row.state)),
                    f'<b>{t.escape(row.title)}</b> <span style="opacity:0.6">{t.escape(row.check_id)}</span>'
                    f'<div class="stagelab-check-message">{message}</div>{more}',
                    t.escape(points),
                )
            )
            attributes.append(f'class="stagelab-check" data-check="{t.escape(row.check_id)}" data-state="{row.state}"')
        html = t.table(("State", "Check", "Points"), table_rows, css_class="stagelab-checks", row_attributes=attributes)
        report = state.report
        if report is not None:
            html += (
                f'<div class="stagelab-score" style="{t.FONT} font-size:15px; margin-top:6px;">'
                f"<b>Score: {report.score:g} / {report.max_score:g}</b></div>"
            )
            if report.could_not_grade:
                html += t.box(
                    t.escape(f"Could not grade everything: {report.could_not_grade}"),
                    t.STATE_COLOURS["error"],
                    "stagelab-could-not-grade",
                )
        if state.error is not None:
            html += t.box(
                f'<div class="stagelab-failure-reason">{t.escape(state.error)}</div>',
                t.STATE_COLOURS["failed"],
                "stagelab-failure",
            )
        return html

    def transcript_html(self) -> str | None:
        """The grade (each check, score) as static HTML; chapter links point at the book's pages."""
        if self.running or (self.report is None and self.error is None):
            return None
        return (
            f'<div class="stagelab-transcript stagelab-grade-transcript" style="{t.FONT}">'
            f"<div><b>{t.escape(self.title)}</b> — {t.escape(self._status_text)}</div>"
            f"{self.checks_html(link_suffix='.html')}</div>"
        )


def grade_card(
    lab_dir: str | os.PathLike[str],
    submission_dir: str | os.PathLike[str] | None = None,
    *,
    start: bool = False,
    wait: bool = False,
    timeout: float | None = None,
    **options,
) -> GradeCard:
    """Show a :class:`GradeCard` in the current cell; optionally grade at once and wait for the score."""
    card = GradeCard(lab_dir, submission_dir, **options)
    card.show()
    if start or wait:
        card.start()
    if wait:
        card.wait(timeout)
    return card
