"""The build plan and the one fold of build events (no engine: events are made by hand)."""

from __future__ import annotations

from stagelab.engine import BuildEvent, BuildPlan, BuildProgress, BuildStep, EventKind, StepState

MULTI = "FROM scratch AS test\nCOPY a /a\n\nFROM busybox AS runtime\nENV X=1\nCOPY b /b\n"


def _plan(tmp_path, text: str = MULTI, target: str | None = "runtime") -> BuildPlan:
    (tmp_path / "Dockerfile").write_text(text)
    return BuildPlan.read(tmp_path / "Dockerfile", target)


def _event(kind: EventKind, line: int | None, instruction: str, duration_s: float | None = None) -> BuildEvent:
    return BuildEvent(kind, BuildStep(f"sha256:{line}", None, 1, 2, instruction, line), duration_s)


def test_plan_lists_stages_and_marks_the_ones_the_target_skips(tmp_path):
    plan = _plan(tmp_path)
    assert [(stage.ref, stage.skipped) for stage in plan.stages] == [("test", True), ("runtime", False)]
    assert [(step.line, step.instruction, step.makes_step) for step in plan.steps] == [
        (1, "FROM scratch AS test", False),  # scratch is no step of its own
        (2, "COPY a /a", True),
        (4, "FROM busybox AS runtime", True),
        (5, "ENV X=1", False),  # config only
        (6, "COPY b /b", True),
    ]


def test_plan_of_a_dockerfile_that_does_not_parse_carries_the_error(tmp_path):
    plan = _plan(tmp_path, "RUN echo no FROM\n", None)
    assert plan.error and plan.steps == ()


def test_progress_starts_queued_with_skipped_stages_skipped(tmp_path):
    progress = BuildProgress(_plan(tmp_path))
    assert [step.state for step in progress.steps] == [StepState.SKIPPED] * 2 + [StepState.QUEUED] * 3
    assert progress.steps_expected == 2  # FROM busybox and COPY b: the skipped stage runs nothing


def test_step_events_move_the_step_of_their_dockerfile_line(tmp_path):
    progress = BuildProgress(_plan(tmp_path))
    progress.apply(_event(EventKind.STEP_STARTED, 6, "COPY b /b"))
    assert progress.step(6).state is StepState.RUNNING
    progress.apply(_event(EventKind.STEP_CACHED, 4, "FROM busybox", 0.25))
    progress.apply(_event(EventKind.STEP_FINISHED, 6, "COPY b /b", 1.5))
    assert (progress.step(6).state, progress.step(6).duration_s) == (StepState.DONE, 1.5)
    assert progress.step(4).state is StepState.CACHED
    assert progress.steps_finished == 2


def test_a_step_the_plan_does_not_list_gets_a_row_at_the_end(tmp_path):
    progress = BuildProgress(_plan(tmp_path))
    progress.apply(_event(EventKind.STEP_STARTED, None, "[internal] load metadata"))
    assert progress.steps[-1].instruction == "[internal] load metadata"
    assert progress.steps[-1].state is StepState.RUNNING


def test_logs_notices_and_queueing_are_kept_apart_from_steps(tmp_path):
    progress = BuildProgress(_plan(tmp_path))
    progress.apply(BuildEvent(EventKind.QUEUED, text="waiting for 1 build(s) ahead"))
    assert progress.waiting == "waiting for 1 build(s) ahead"
    progress.apply(BuildEvent(EventKind.NOTICE, text="limits lowered"))
    progress.apply(BuildEvent(EventKind.LOG, text="hello"))
    assert list(progress.log) == ["[notice] limits lowered", "hello"]
    progress.apply(_event(EventKind.STEP_STARTED, 6, "COPY b /b"))
    assert progress.waiting == ""


def test_finish_with_an_image_marks_config_only_instructions_done(tmp_path):
    progress = BuildProgress(_plan(tmp_path))
    progress.finish(built=True)
    assert progress.step(5).state is StepState.DONE
    assert progress.step(1).state is StepState.SKIPPED


def test_finish_without_an_image_cancels_the_running_step_and_leaves_the_rest_queued(tmp_path):
    progress = BuildProgress(_plan(tmp_path))
    progress.apply(_event(EventKind.STEP_STARTED, 4, "FROM busybox"))
    progress.finish(built=False)
    assert progress.step(4).state is StepState.CANCELLED
    assert progress.step(6).state is StepState.QUEUED
