"""The build panel: a live view of one BuildKit build of a Dockerfile.

The panel lists the build's plan before it starts (:class:`stagelab.engine.BuildPlan`:
the stages, their instructions, the stages the target skips), then follows
:meth:`stagelab.engine.Build.events` in a background thread through the library's fold
of them (:class:`stagelab.engine.BuildProgress`): each step turns running, done, cached
or failed with its duration. The result's size is :attr:`BuildResult.size_bytes`. A
failure shows the failing instruction, its line and the hint from
:class:`~stagelab.engine.BuildFailed`. What the panel shows is :attr:`BuildPanel.state`.

Notebook use::

    panel = build_panel("labs/01-node-single/app")          # shows Build / Cancel
    panel = build_panel("labs/01-node-single/app", start=True, wait=True)   # for executed chapters

Redraws are throttled: a noisy ``RUN`` does not send a widget update per log line.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from ..engine import (
    Build,
    BuildEvent,
    BuildFailed,
    BuildPlan,
    BuildProgress,
    BuildResult,
    FailureCause,
    PlannedStage,
    StepState,
    TrackedStep,
)
from ..errors import StagelabError
from ..units import format_size
from . import transcript as t
from .background import BackgroundRunner

#: Log lines kept for the tail shown under the steps.
LOG_LINES_SHOWN = 40


@dataclass(frozen=True)
class BuildPanelState:
    """What the panel shows, as data: the HTML is drawn from it, and tests read it."""

    title: str
    status: str
    stages: tuple[PlannedStage, ...]
    steps: tuple[TrackedStep, ...]
    steps_expected: int
    steps_finished: int
    log: tuple[str, ...]
    plan_error: str | None = None
    result: BuildResult | None = None
    error: Exception | None = None

    def states(self) -> dict[str, StepState]:
        """Instruction text → state, for every step listed."""
        return {step.instruction: step.state for step in self.steps}

    @property
    def skipped_stages(self) -> tuple[str, ...]:
        """Stages the target does not need: the result's word once built, the plan's before."""
        if self.result is not None:
            return self.result.stages_skipped
        return tuple(stage.ref for stage in self.stages if stage.skipped)


class BuildPanel(t.TranscriptMixin, widgets.VBox):
    """Build and Cancel buttons, the steps as they run, a progress bar, the log tail and the result."""

    def __init__(
        self,
        context: str | os.PathLike[str],
        dockerfile: str | os.PathLike[str] | None = None,
        target: str | None = None,
        tag: str | None = None,
        *,
        title: str | None = None,
        redraw_interval_s: float = 0.25,
        **build_options,
    ):
        super().__init__()
        self.context = Path(context)
        self.dockerfile = Path(dockerfile) if dockerfile else None
        self.target = target
        self.tag = tag
        self.build_options = build_options
        self.title = title or f"Build {self.context.name or self.context}" + (f" (target {target})" if target else "")

        #: The last build's result, and its error (``BuildFailed`` or another ``StagelabError``).
        self.result: BuildResult | None = None
        self.error: Exception | None = None
        self.build: Build | None = None

        self._lock = threading.Lock()
        self._runner = BackgroundRunner(self._run, name="stagelab-build-panel")
        self._cancel_requested = False
        self._throttle = t.Throttle(redraw_interval_s)
        self._started_at = 0.0
        self._active = False  # a build thread is between start and its final render
        self._status_text = "Press Build to start."

        self.build_button = widgets.Button(
            description="Build", button_style="primary", icon="play", tooltip="Build the image"
        )
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True, tooltip="Stop the build")
        self.status = widgets.HTML()
        self.progress = widgets.FloatProgress(
            value=0, min=0, max=1, description="", bar_style="info", layout=widgets.Layout(width="100%")
        )
        self.steps_view = widgets.HTML()
        self.failure_view = widgets.HTML()
        self.log_view = widgets.HTML()
        self.build_button.on_click(lambda _button: self.start())
        self.cancel_button.on_click(lambda _button: self.cancel())
        self.add_class("stagelab-build-panel")
        heading = widgets.HTML(f'<b style="{t.FONT}">{t.escape(self.title)}</b>')
        self.children = [
            heading,
            widgets.HBox([self.build_button, self.cancel_button, self.status]),
            self.progress,
            self.steps_view,
            self.failure_view,
            self.log_view,
        ]
        self._reset_rows()
        self._render()

    # -- the build's plan ------------------------------------------------------------------

    def _dockerfile_path(self) -> Path:
        """Where :class:`Build` will look for the Dockerfile (the plan is shown before there is a Build)."""
        if self.dockerfile is None:
            return self.context / "Dockerfile"
        if self.dockerfile.is_absolute() or self.dockerfile.exists():
            return self.dockerfile
        return self.context / self.dockerfile

    def _reset_rows(self, plan: BuildPlan | None = None) -> None:
        """List the stages and instructions the build will go through, all queued."""
        self._progress = BuildProgress(plan or BuildPlan.read(self._dockerfile_path(), self.target), LOG_LINES_SHOWN)

    @property
    def size_bytes(self) -> int | None:
        """The last image's size as the engine reports it (``docker images``); None before a build."""
        return self.result.size_bytes if self.result is not None else None

    @property
    def state(self) -> BuildPanelState:
        """The panel's state now: plan, each step's state, status, log tail, result or error."""
        progress = self._progress
        if progress.waiting:
            status = f"Waiting: {progress.waiting}"
        elif self._active:
            status = f"{self._status_text} {t.format_seconds(time.monotonic() - self._started_at)}"
        else:
            status = self._status_text
        return BuildPanelState(
            title=self.title,
            status=status,
            stages=progress.plan.stages,
            steps=progress.steps,
            steps_expected=progress.steps_expected,
            steps_finished=progress.steps_finished,
            log=tuple(progress.log),
            plan_error=progress.plan.error,
            result=self.result,
            error=self.error,
        )

    # -- control -------------------------------------------------------------------------

    def start(self) -> bool:
        """Start a build in the background; False (and nothing happens) if one is running."""
        if not self._runner.start(before=self._prepare):
            return False
        self._render()
        return True

    def _prepare(self) -> None:
        self._cancel_requested = False
        self.result = self.error = self.build = None
        self._reset_rows()
        self._started_at = time.monotonic()
        self._active = True
        self._status_text = "Starting…"
        self.build_button.disabled = True
        self.cancel_button.disabled = False
        self.progress.bar_style = "info"

    def cancel(self) -> None:
        """Stop the running build (its processes end; the panel shows it as cancelled)."""
        with self._lock:
            self._cancel_requested = True
            build = self.build
        if build is not None:
            build.cancel()

    def wait(self, timeout: float | None = None) -> BuildResult | None:
        """Wait for the running build; returns its result (None if it failed: see :attr:`error`).

        Raises ``TimeoutError`` if the build is still running after ``timeout`` seconds.
        """
        self._runner.wait(timeout)
        return self.result

    @property
    def running(self) -> bool:
        return self._runner.running

    @property
    def builds_started(self) -> int:
        """How many builds this panel started (clicks while one runs do not count)."""
        return self._runner.starts

    # -- the build thread --------------------------------------------------------------

    def _run(self) -> None:
        try:
            build = Build(self.context, self.dockerfile, target=self.target, tag=self.tag, **self.build_options)
            with self._lock:
                self.build = build
                cancel_now = self._cancel_requested
            self._reset_rows(build.plan)  # the Dockerfile as this build read it
            if cancel_now:
                build.cancel()
            self._status_text = "Building…"
            for event in build.events():
                self._on_event(event)
            self.result = build.result
        except StagelabError as error:
            self.error = error
        except Exception as error:  # never a traceback in the notebook: say what happened
            self.error = StagelabError(f"Unexpected error during the build: {error!r}")
        finally:
            self._finish()

    def _on_event(self, event: BuildEvent) -> None:
        self._progress.apply(event)
        if self._throttle.ready():
            self._render()

    def _finish(self) -> None:
        elapsed = time.monotonic() - self._started_at
        error = self.error
        # With an image, instructions that only set config (ENV, CMD, USER…) are done too.
        self._progress.finish(built=self.result is not None)
        if self.result is not None:
            size = f" · {format_size(self.size_bytes)}" if self.size_bytes is not None else ""
            cached = self.result.steps_cached
            self._status_text = (
                f"Built in {t.format_seconds(self.result.duration_s)}{size} · "
                f"{cached} of {self.result.steps_total} steps from cache"
            )
            self.progress.bar_style = "success"
        elif isinstance(error, BuildFailed) and error.cause is FailureCause.CANCELLED:
            self._status_text = f"Cancelled after {t.format_seconds(elapsed)}"
            self.progress.bar_style = "warning"
        else:
            self._status_text = f"Failed after {t.format_seconds(elapsed)}"
            self.progress.bar_style = "danger"
        self._active = False
        self.build_button.disabled = False
        self.cancel_button.disabled = True
        self._render()
        self._runner.mark_finished()
        self.refresh_displays()

    # -- rendering ---------------------------------------------------------------------

    def _render(self) -> None:
        state = self.state
        self.progress.max = max(1, state.steps_expected)
        self.progress.value = self.progress.max if state.result is not None else state.steps_finished
        self.status.value = f'<span class="stagelab-status" style="{t.FONT}">{t.escape(state.status)}</span>'
        self.steps_view.value = self.steps_html(state)
        self.failure_view.value = self.failure_html()
        self.log_view.value = (
            t.section("Log (last lines)", t.preformatted(list(state.log)), "stagelab-log-section") if state.log else ""
        )

    def steps_html(self, state: BuildPanelState | None = None) -> str:
        """The stages and their steps with state and duration, as HTML."""
        state = state or self.state
        if state.plan_error:
            head = t.box(
                t.escape(f"The Dockerfile could not be read before building: {state.plan_error}"),
                t.STATE_COLOURS["failed"],
                "stagelab-plan-error",
            )
        else:
            head = ""
        table_rows = []
        attributes = []
        headers_by_ref = {stage.ref: stage for stage in state.stages}
        skipped_stages = set(state.skipped_stages)
        current_stage = None
        for row in state.steps:
            if row.stage != current_stage:
                current_stage = row.stage
                header = headers_by_ref.get(row.stage)
                if header is not None:
                    skipped = header.ref in skipped_stages
                    note = t.state_badge("skipped", "skipped stage") if skipped else ""
                    table_rows.append(
                        (
                            f'<b>stage {t.escape(header.ref)}</b> <span style="opacity:0.7">from {t.escape(header.base)}</span>',
                            note,
                            "",
                            "",
                        )
                    )
                    attributes.append(
                        f'class="stagelab-stage" data-stage="{t.escape(header.ref)}"'
                        f' data-state="{"skipped" if skipped else "needed"}"'
                    )
            # Rows of a skipped stage carry no badge: the stage header says it once.
            state_html = "" if row.state is StepState.SKIPPED else t.state_badge(row.state.value)
            table_rows.append(
                (
                    f'<code style="{t.MONO}">{t.escape(row.instruction[:120])}</code>',
                    state_html,
                    t.escape(t.format_seconds(row.duration_s)),
                    t.escape(row.line if row.line is not None else ""),
                )
            )
            attributes.append(
                f'class="stagelab-step" data-state="{row.state.value}" data-line="{t.escape(row.line or "")}"'
            )
        return head + t.table(
            ("Step", "State", "Time", "Line"), table_rows, css_class="stagelab-steps", row_attributes=attributes
        )

    def failure_html(self) -> str:
        """The failure report (instruction, line, reason, hint), or an empty string."""
        error = self.error
        if error is None:
            return ""
        if isinstance(error, BuildFailed):
            if error.cause is FailureCause.CANCELLED:
                return t.box(
                    t.escape("The build was cancelled; nothing is left running."),
                    t.STATE_COLOURS["cancelled"],
                    "stagelab-failure",
                )
            where = f"line {error.line}" if error.line else "an unknown line"
            parts = [
                f"<div><b>Build failed</b> at {t.escape(where)}"
                + (f': <code style="{t.MONO}">{t.escape(error.instruction)}</code>' if error.instruction else "")
                + "</div>"
            ]
            parts.append(f'<div class="stagelab-failure-reason" style="{t.MONO}">{t.escape(error.reason)}</div>')
            if error.excerpt:
                parts.append(t.preformatted(error.excerpt.splitlines(), "stagelab-excerpt", 160))
            parts.append(f'<div class="stagelab-hint"><b>Hint:</b> {t.escape(error.hint)}</div>')
            return t.box("".join(parts), t.STATE_COLOURS["failed"], "stagelab-failure")
        return t.box(
            f'<div class="stagelab-failure-reason">{t.escape(str(error))}</div>',
            t.STATE_COLOURS["failed"],
            "stagelab-failure",
        )

    def transcript_html(self) -> str | None:
        """The recorded build (steps, result or failure, log tail) as static HTML."""
        if self.running or (self.result is None and self.error is None):
            return None
        log = list(self._progress.log)[-15:]
        return (
            f'<div class="stagelab-transcript stagelab-build-transcript" style="{t.FONT}">'
            f"<div><b>{t.escape(self.title)}</b> — {t.escape(self._status_text)}</div>"
            + self.steps_html()
            + self.failure_html()
            + (t.section("Log (last lines)", t.preformatted(log), "stagelab-log-section") if log else "")
            + "</div>"
        )


def build_panel(
    context: str | os.PathLike[str],
    dockerfile: str | os.PathLike[str] | None = None,
    target: str | None = None,
    tag: str | None = None,
    *,
    start: bool = False,
    wait: bool = False,
    timeout: float | None = None,
    **options,
) -> BuildPanel:
    """Show a :class:`BuildPanel` in the current cell; optionally start the build and wait for it.

    ``start=True, wait=True`` is for chapters executed unattended (the book): the
    cell ends with the result, and the saved output carries the build transcript.
    """
    panel = BuildPanel(context, dockerfile, target, tag, **options)
    panel.show()
    if start or wait:
        panel.start()
    if wait:
        panel.wait(timeout)
    return panel
