"""The build panel, driven as a learner would (button clicks) against the real engine."""

from __future__ import annotations

import html
import re
import time
import uuid
from pathlib import Path

import pytest

from stagelab.engine import FailureCause
from stagelab.widgets import BuildPanel


def _wait_until(predicate, timeout: float = 60.0, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def _row_states(panel: BuildPanel) -> dict[str, str]:
    """Step text -> state, from the panel's state model."""
    return {text: state.value for text, state in panel.state.states().items()}


def _html_row_states(panel: BuildPanel) -> dict[str, str]:
    """Step text -> state badge, read back from the rendered steps table (HTML smoke checks only)."""
    found = re.findall(
        r'<tr class="stagelab-step" data-state="(\w+)"[^>]*><td[^>]*><code[^>]*>(.*?)</code>', panel.steps_view.value
    )
    return {html.unescape(text): state for state, text in found}


SCRATCH_COPY = {
    "Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\nCOPY data/ /data/\n",
    "hello.txt": "hello\n",
    "data/a.txt": "a" * 2000,
}


def test_panel_lists_every_stage_and_step_as_queued_before_building(make_context):
    context = make_context(
        {"Dockerfile": "FROM scratch AS one\nCOPY a /a\n\nFROM one AS two\nCOPY b /b\n", "a": "", "b": ""}
    )
    panel = BuildPanel(context)
    assert [stage.ref for stage in panel.state.stages] == ["one", "two"]
    assert "stage one" in panel.steps_view.value and "stage two" in panel.steps_view.value
    assert _html_row_states(panel) == _row_states(panel)
    assert _row_states(panel) == {
        "FROM scratch AS one": "queued",
        "COPY a /a": "queued",
        "FROM one AS two": "queued",
        "COPY b /b": "queued",
    }
    assert panel.build_button.disabled is False and panel.cancel_button.disabled is True


def test_stage_the_target_does_not_need_is_shown_as_skipped(make_context):
    context = make_context(
        {"Dockerfile": "FROM scratch AS test\nCOPY a /a\n\nFROM scratch AS runtime\nCOPY b /b\n", "a": "", "b": ""}
    )
    panel = BuildPanel(context, target="runtime")
    assert panel.state.skipped_stages == ("test",)
    assert "skipped stage" in panel.steps_view.value
    assert _row_states(panel) == {
        "FROM scratch AS test": "skipped",
        "COPY a /a": "skipped",
        "FROM scratch AS runtime": "queued",
        "COPY b /b": "queued",
    }


@pytest.mark.engine
def test_build_button_runs_the_build_and_marks_every_step_done(engine, make_context):
    context = make_context({**SCRATCH_COPY, "hello.txt": f"hello {uuid.uuid4()}\n"})
    panel = BuildPanel(context)
    panel.build_button.click()
    result = panel.wait(120)
    assert result is not None, panel.error
    states = _row_states(panel)
    assert states["COPY hello.txt /hello.txt"] == "done"
    assert set(states.values()) <= {"done", "cached"}
    assert panel.state.status.startswith("Built in")
    assert panel.status.value.count("Built in") == 1
    assert _html_row_states(panel) == states
    assert panel.progress.value == panel.progress.max
    assert panel.build_button.disabled is False and panel.cancel_button.disabled is True


@pytest.mark.engine
def test_final_status_shows_the_image_size_as_the_engine_reports_it(engine, make_context):
    panel = BuildPanel(make_context(SCRATCH_COPY))
    panel.start()
    assert panel.wait(120) is not None, panel.error
    # 6 bytes + 2000 bytes of files: docker counts the image at 2.01 kB.
    assert panel.state.result.size_bytes == panel.size_bytes == 2006
    assert "2.01 kB" in panel.state.status
    assert "2.01 kB" in panel.status.value


@pytest.mark.engine
def test_second_build_shows_steps_from_cache(engine, make_context):
    panel = BuildPanel(make_context({**SCRATCH_COPY, "hello.txt": f"hello {uuid.uuid4()}\n"}))
    panel.start()
    panel.wait(120)
    panel.start()
    assert panel.wait(120) is not None, panel.error
    assert _row_states(panel)["COPY hello.txt /hello.txt"] == "cached"
    assert "2 of 2 steps from cache" in panel.state.status


@pytest.mark.engine
def test_failure_shows_the_failing_instruction_its_line_and_the_hint(engine, make_context, widget_base_image):
    context = make_context(
        {
            "Dockerfile": f"FROM {widget_base_image}\nRUN echo preparing\n"
            f"RUN echo about to fail {uuid.uuid4().hex[:6]} && exit 3\nCOPY a /a\n",
            "a": "",
        }
    )
    panel = BuildPanel(context)
    panel.build_button.click()
    assert panel.wait(120) is None
    assert panel.state.error.line == 3 and "about to fail" in panel.state.error.instruction
    failure = panel.failure_view.value
    assert "Build failed</b> at line 3" in failure
    assert "RUN echo about to fail" in failure
    assert "Hint:</b> A RUN command failed" in failure
    states = _row_states(panel)
    assert [state for text, state in states.items() if text.startswith("RUN echo about")] == ["failed"]
    assert states["COPY a /a"] == "queued"
    assert panel.state.status.startswith("Failed after")
    assert any("about to fail" in line for line in panel.state.log)
    assert "about to fail" in panel.log_view.value


@pytest.mark.engine
def test_log_tail_shows_what_a_run_step_printed(engine, make_context, widget_base_image):
    marker = uuid.uuid4().hex
    context = make_context(
        {"Dockerfile": f"FROM {widget_base_image}\nRUN echo line-one-{marker} && echo line-two-{marker}\n"}
    )
    panel = BuildPanel(context)
    panel.start()
    assert panel.wait(120) is not None, panel.error
    assert {f"line-one-{marker}", f"line-two-{marker}"} <= set(panel.state.log)
    assert f"line-one-{marker}" in panel.log_view.value


def _processes_with(text: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


@pytest.mark.engine
def test_cancel_stops_a_long_run_and_leaves_no_process_or_container(
    engine, make_context, widget_base_image, leak_check
):
    seconds = 3000 + int(uuid.uuid4().int % 900)  # a number no other process on the machine sleeps for
    context = make_context({"Dockerfile": f"FROM {widget_base_image}\nRUN echo started && sleep {seconds}\n"})
    panel = BuildPanel(context)
    panel.build_button.click()
    _wait_until(lambda: _processes_with(f"sleep {seconds}"), timeout=60)
    assert _row_states(panel).get(f"RUN echo started && sleep {seconds}") == "running" or panel.running
    panel.cancel_button.click()
    assert panel.wait(60) is None
    assert panel.error.cause is FailureCause.CANCELLED
    assert panel.state.status.startswith("Cancelled after")
    _wait_until(lambda: not _processes_with(f"sleep {seconds}"), timeout=20)
    assert panel.build is not None and panel.build._process is None  # the buildx process group is gone


@pytest.mark.engine
def test_repeated_clicks_while_building_do_not_start_a_second_build(engine, make_context, widget_base_image):
    context = make_context({"Dockerfile": f"FROM {widget_base_image}\nRUN sleep 2 && echo {uuid.uuid4().hex}\n"})
    panel = BuildPanel(context)
    panel.build_button.click()
    panel.build_button.click()
    assert panel.start() is False
    assert panel.build_button.disabled is True
    assert panel.wait(120) is not None, panel.error
    assert panel.builds_started == 1


@pytest.mark.engine
def test_waiting_for_a_build_slot_is_shown_as_builds_ahead(engine, make_context, monkeypatch, tmp_path):
    from stagelab.engine import slots

    monkeypatch.setenv("STAGELAB_MAX_BUILDS", "1")
    monkeypatch.setenv("STAGELAB_STATE_DIR", str(tmp_path / "state"))
    holder = slots.BuildSlot()
    for _ahead in holder.wait():
        pass
    try:
        panel = BuildPanel(make_context(SCRATCH_COPY))
        panel.start()
        _wait_until(lambda: "waiting for 1 build(s) ahead" in panel.state.status, timeout=30)
        assert panel.running
    finally:
        holder.release()
    assert panel.wait(120) is not None, panel.error


@pytest.mark.engine
def test_display_bundle_carries_the_build_transcript_once_there_is_a_result(engine, make_context):
    panel = BuildPanel(make_context(SCRATCH_COPY))
    before = panel._repr_mimebundle_()
    assert "text/html" not in before and "application/vnd.jupyter.widget-view+json" in before
    panel.start()
    assert panel.wait(120) is not None, panel.error
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "stagelab-build-transcript" in bundle["text/html"]
    assert "COPY hello.txt /hello.txt" in bundle["text/html"] and "Built in" in bundle["text/html"]


def test_missing_context_is_reported_in_the_panel_not_raised(tmp_path):
    panel = BuildPanel(tmp_path / "nowhere")
    panel.start()
    assert panel.wait(30) is None
    assert "is not a folder" in str(panel.state.error)
    assert "is not a folder" in panel.failure_view.value
