"""Many builds at once on one engine: all finish, the queue is visible, nothing leaks."""

from __future__ import annotations

import threading

import pytest
from engine_control import build_processes

from stagelab.engine import Build, EventKind, cleanup

pytestmark = pytest.mark.engine


def test_eight_simultaneous_builds_queue_behind_two_slots_and_all_finish(engine, make_context, monkeypatch, leak_check):
    monkeypatch.setenv("STAGELAB_MAX_BUILDS", "2")
    results: dict[int, object] = {}
    run_ids: set[str] = set()
    queued: dict[int, list[str]] = {}

    def run(index: int) -> None:
        context = make_context(
            {"Dockerfile": f"FROM debian:trixie-slim\nRUN echo build {index} > /which && sleep 1\n"}, name=f"c{index}"
        )
        build = Build(context, no_cache=True)
        run_ids.add(build.run_id)
        try:
            for event in build.events():
                if event.kind is EventKind.QUEUED:
                    queued.setdefault(index, []).append(event.text or "")
            results[index] = build.result
        except Exception as error:  # collected and asserted below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    failures = {i: r for i, r in results.items() if isinstance(r, Exception)}
    assert not failures, failures
    assert len(results) == 8
    assert len({r.image_id for r in results.values()}) == 8
    assert queued, "with 2 slots and 8 builds, some builds must have waited"
    assert any("ahead" in text for texts in queued.values() for text in texts)
    assert build_processes(run_ids) == []


def test_clean_removes_only_our_leftovers(engine, make_context):
    context = make_context({"Dockerfile": "FROM scratch\nCOPY a /a\n", "a": "ours"})
    Build(context, run_id="build-cleanme").run()
    before = cleanup.leftovers(run_id="build-cleanme")
    assert before.images == 1
    removed = cleanup.remove(run_id="build-cleanme")
    assert removed.images == 1
    assert cleanup.leftovers(run_id="build-cleanme").total == 0
