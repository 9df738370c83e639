"""Builds through BuildKit against the real engine: events, cache, skipped stages, failures, cancel, slots."""

from __future__ import annotations

import random
import threading
import time
import uuid

import psutil
import pytest

from stagelab.engine import Build, BuildFailed, EventKind, FailureCause, StepState, builds

pytestmark = [pytest.mark.engine, pytest.mark.usefixtures("own_build_slots")]


def _collect(build: Build) -> list:
    return list(build.events())


def _failure(build: Build) -> BuildFailed:
    with pytest.raises(BuildFailed) as caught:
        build.run()
    return caught.value


def _processes_matching(predicate) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if process.info["status"] != psutil.STATUS_ZOMBIE and predicate(cmdline):
            found.append(process)
    return found


def _wait_until_gone(predicate, within_s: float = 10) -> list[psutil.Process]:
    deadline = time.monotonic() + within_s
    while (left := _processes_matching(predicate)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture
def multi_stage(make_context, busybox_image):
    """Four stages; the target `final` needs `base` only, so `unused` and `tests` are skipped."""
    marker = uuid.uuid4().hex  # new content each run: the first build cannot come from cache
    return make_context(
        {
            "Dockerfile": f"FROM {busybox_image} AS base\n"
            f"RUN echo {marker} > /marker\n"
            "\n"
            "FROM base AS unused\n"
            "RUN echo never > /never\n"
            "\n"
            "FROM base AS tests\n"
            "RUN cat /marker\n"
            "\n"
            f"FROM {busybox_image} AS final\n"
            "COPY --from=base /marker /marker\n"
            "RUN cat /marker\n",
        }
    )


def test_multi_stage_events_start_before_they_finish(multi_stage, leak_check):
    build = Build(multi_stage, target="final")
    events = _collect(build)
    seen_started: set[str] = set()
    for event in events:
        if event.kind is EventKind.STEP_STARTED:
            seen_started.add(event.step.id)
        elif event.kind is EventKind.STEP_FINISHED:
            assert event.step.id in seen_started, f"finished before started: {event.step.instruction}"
            assert event.duration_s is not None
    finished = [e.step.instruction for e in events if e.kind is EventKind.STEP_FINISHED]
    assert "RUN cat /marker" in finished
    assert build.result.image_id.startswith("sha256:")


def test_rebuild_comes_from_cache(multi_stage, leak_check):
    first = Build(multi_stage, target="final").run()
    assert first.steps_cached < first.steps_total
    second_build = Build(multi_stage, target="final")
    events = _collect(second_build)
    second = second_build.result
    # FROM steps only resolve the base image each time; every RUN and COPY comes from cache.
    assert second.steps_cached == len([r for r in second.steps if r.step.keyword != "FROM"]) == 3
    assert {e.step.keyword for e in events if e.kind is EventKind.STEP_FINISHED} == {"FROM"}


def test_stage_not_needed_by_target_is_skipped_and_silent(multi_stage, leak_check):
    build = Build(multi_stage, target="final")
    events = _collect(build)
    assert set(build.result.stages_skipped) == {"unused", "tests"}
    assert set(build.result.stages_built) == {"base", "final"}
    stages_in_events = {e.step.stage for e in events if e.step is not None}
    assert stages_in_events == {"base", "final"}, [e for e in events if e.step and e.step.stage is None]


def test_step_lines_map_back_to_the_dockerfile(multi_stage, leak_check):
    result = Build(multi_stage, target="final").run()
    lines = {(record.step.stage, record.step.instruction): record.step.line for record in result.steps}
    assert lines[("final", "COPY --from=base /marker /marker")] == 11
    assert lines[("final", "RUN cat /marker")] == 12


def test_log_lines_arrive_with_their_step(make_context, busybox_image, leak_check):
    marker = uuid.uuid4().hex
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN echo line-one-{marker} && echo line-two\n"})
    events = _collect(build := Build(context))
    logs = [e for e in events if e.kind is EventKind.LOG]
    assert [e.text for e in logs] == [f"line-one-{marker}", "line-two"]
    assert all(e.step.line == 2 for e in logs)
    assert build.result.steps_matching(r"echo line-one")[0].log_tail == (f"line-one-{marker}", "line-two")


def test_failing_run_reports_command_line_and_log_tail(make_context, busybox_image, leak_check):
    context = make_context(
        {
            "Dockerfile": f"FROM {busybox_image}\n"
            "RUN echo preparing\n"
            f"RUN echo about to fail {uuid.uuid4().hex[:6]} && ls /no/such/dir\n"
            "RUN echo never reached\n"
        }
    )
    failure = _failure(Build(context))
    assert failure.cause is FailureCause.COMMAND
    assert failure.line == 3
    assert failure.instruction.startswith("RUN echo about to fail") and failure.instruction.endswith("ls /no/such/dir")
    assert any(line.startswith("about to fail") for line in failure.log_tail)
    # stdout and stderr travel as separate streams, so their relative order may vary.
    assert any("No such file or directory" in line for line in failure.log_tail)
    assert "did not complete successfully: exit code: 1" in failure.reason
    assert "line 3" in str(failure)


def test_seed_inline_comment_is_a_syntax_error_on_its_line(make_context, leak_check):
    context = make_context(
        {
            "Dockerfile": "# Stage 1: build\n"
            "FROM node:18 AS builder               # Base image with Node.js + tools (Ubuntu by default)\n"
            "WORKDIR /app\n"
        }
    )
    failure = _failure(Build(context))
    assert failure.cause is FailureCause.SYNTAX
    assert failure.line == 2
    assert failure.instruction.startswith("FROM node:18 AS builder")
    assert "FROM requires either one or three arguments" in failure.reason
    assert "comment" in failure.hint


def test_missing_copy_source_is_missing_file(make_context, busybox_image, leak_check):
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nCOPY package.json /app/\n"})
    failure = _failure(Build(context))
    assert failure.cause is FailureCause.MISSING_FILE
    assert failure.line == 2
    assert '"/package.json": not found' in failure.reason


def test_missing_base_image_points_to_prepare(make_context, leak_check):
    context = make_context({"Dockerfile": "FROM stagelab-test/no-such-base:1\nRUN true\n"})
    failure = _failure(Build(context))
    assert failure.cause is FailureCause.BASE_IMAGE
    assert failure.line == 1
    assert "stagelab images prepare" in str(failure)


def test_unresolvable_host_is_a_network_failure(make_context, busybox_image, leak_check):
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN nslookup no-such-host.invalid\n"})
    failure = _failure(Build(context, no_cache=True))
    assert failure.cause is FailureCause.NETWORK
    assert failure.line == 2
    assert "network" in failure.hint.lower()


def test_cancel_from_another_thread_ends_build_and_its_processes(make_context, busybox_image, leak_check):
    seconds = str(random.randint(300, 399))  # a duration no other process is likely to sleep
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN echo start && sleep {seconds}\n"})
    build = Build(context, no_cache=True)
    cancelled_at: list[float] = []

    def cancel_when_running(event):
        if event.kind is EventKind.LOG and event.text == "start" and not cancelled_at:
            time.sleep(0.5)  # let `sleep` start
            timer = threading.Thread(target=lambda: (cancelled_at.append(time.monotonic()), build.cancel()))
            timer.start()

    with pytest.raises(BuildFailed) as caught:
        build.run(cancel_when_running)
    assert cancelled_at, "the build never reached its RUN step"
    assert time.monotonic() - cancelled_at[0] < 10
    assert caught.value.cause is FailureCause.CANCELLED
    assert caught.value.line == 2
    assert _wait_until_gone(lambda cmdline: cmdline == ["sleep", seconds]) == []
    assert _wait_until_gone(lambda cmdline: str(context) in cmdline) == []  # docker CLI and docker-buildx


def test_never_ending_run_times_out(make_context, busybox_image, leak_check):
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN sleep {random.randint(300, 399)}\n"})
    started = time.monotonic()
    failure = _failure(Build(context, no_cache=True, timeout_s=3))
    assert time.monotonic() - started < 15
    assert failure.cause is FailureCause.TIMEOUT
    assert failure.reason == "Stopped after 3 s."


def test_endless_output_hits_the_output_limit(make_context, busybox_image, leak_check):
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN yes still-printing\n"})
    started = time.monotonic()
    failure = _failure(Build(context, no_cache=True, max_output_bytes=64 * 1024))
    assert time.monotonic() - started < 15
    assert failure.cause is FailureCause.OUTPUT_LIMIT
    assert failure.line == 2
    assert failure.reason == "Stopped after printing more than 65.5 kB."  # 64 * 1024 bytes, in decimal units
    assert _wait_until_gone(lambda cmdline: cmdline[:2] == ["yes", "still-printing"]) == []


def test_second_build_queues_when_one_slot(make_context, busybox_image, monkeypatch, tmp_path, leak_check):
    monkeypatch.setenv("STAGELAB_MAX_BUILDS", "1")
    monkeypatch.setenv("STAGELAB_STATE_DIR", str(tmp_path / "state"))  # slots of this test only
    first_ctx = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN echo first && sleep 2\n"}, "first")
    second_ctx = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN echo second\n"}, "second")
    first, second = Build(first_ctx, no_cache=True), Build(second_ctx, no_cache=True)
    first_running = threading.Event()
    first_thread = threading.Thread(
        target=first.run, args=(lambda event: event.kind is EventKind.LOG and first_running.set(),)
    )
    first_thread.start()
    assert first_running.wait(30)
    second_events = _collect(second)
    first_thread.join(30)
    queued = [e for e in second_events if e.kind is EventKind.QUEUED]
    assert queued and queued[0].text == "waiting for 1 build(s) ahead"
    assert first.result is not None and second.result is not None


def test_classic_builder_is_used_only_without_buildx(make_context, busybox_image, engine, monkeypatch, leak_check):
    monkeypatch.setattr(builds, "buildx_version", lambda: None)
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN echo classic-{uuid.uuid4().hex[:6]}\n"})
    build = Build(context)
    events = _collect(build)
    assert events[0].kind is EventKind.NOTICE and "buildx is not installed" in events[0].text
    result = build.result
    assert result.builder == "classic"
    assert "classic builder" in result.notices[0]
    assert [r.state for r in result.steps] == [StepState.DONE, StepState.DONE]
    assert engine.images.get(result.image_id).labels["org.stagelab.owner"].startswith("stagelab-test-")


def test_buildx_is_the_builder_when_installed(make_context, busybox_image, leak_check):
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN true\n"})
    result = Build(context).run()
    assert result.builder == "buildx" and result.notices == ()


def test_result_carries_the_image_size_and_the_build_its_plan(make_context):
    context = make_context({"Dockerfile": "FROM scratch\nCOPY a.txt /a.txt\n", "a.txt": "a" * 2000})
    build = Build(context, no_cache=True)
    assert [step.instruction for step in build.plan.steps] == ["FROM scratch", "COPY a.txt /a.txt"]
    result = build.run()
    assert result.size_bytes == 2000
