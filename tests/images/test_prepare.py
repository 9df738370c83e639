"""prepare(): idempotent, reports what it did per image, and site CAs make HTTPS work in builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagelab.engine import Build, image_store
from stagelab.images import Action, missing_images, prepare, status
from stagelab.images.prepare import Source

pytestmark = pytest.mark.engine

SMALL_SET = [
    "debian:trixie-slim",
    "gcr.io/distroless/static-debian13:latest",
    "gcr.io/distroless/static-debian13:nonroot",
    "node:24-slim",
]


def test_prepare_twice_builds_nothing_the_second_time(course_images):
    course_images(*SMALL_SET)
    events = []
    report = prepare(SMALL_SET, on_progress=events.append)
    assert report.ok
    assert not report.built
    assert {o.reference for o in report.outcomes} >= set(SMALL_SET)
    assert all(o.action in (Action.KEPT, Action.TAGGED) for o in report.outcomes)
    assert any(event.finished for event in events)
    assert report.duration_s < 30


def test_registry_only_references_are_reported_unavailable_not_failed(engine):
    report = prepare(["ubuntu:22.04"])
    assert report.ok
    (outcome,) = report.outcomes
    if outcome.action is not Action.KEPT:  # a machine that has it (pulled, imported) keeps it
        assert outcome.action is Action.UNAVAILABLE and "debian:trixie-slim" in outcome.message


def test_an_unknown_reference_is_refused_with_a_pointer_to_the_list(engine):
    with pytest.raises(Exception, match="not in the course's image catalogue"):
        prepare(["alpine:3.20"])


def test_status_names_the_source_of_each_reference(course_images):
    course_images("debian:trixie-slim")
    rows = {row.reference: row for row in status()}
    assert rows["debian:trixie-slim"].source in (Source.STAND_IN, Source.UPSTREAM)
    assert rows["debian:trixie-slim"].size_bytes > 0
    assert rows["node:18"].source in (Source.UNAVAILABLE, Source.UPSTREAM)
    assert set(missing_images()) == {r for r, row in rows.items() if row.source is Source.MISSING}


def test_a_node_image_can_npm_ci_an_app_with_a_lockfile_inside_a_build(course_images, make_context):
    course_images("node:24-trixie-slim")
    context = make_context(
        {
            "package.json": (Path(__file__).parent / "tiny-app" / "package.json").read_text(),
            "package-lock.json": (Path(__file__).parent / "tiny-app" / "package-lock.json").read_text(),
            "Dockerfile": (
                "FROM node:24-trixie-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\n"
                "RUN npm ci --no-audit --no-fund && node -e \"console.log(require('ms')(60000))\"\n"
            ),
        }
    )
    result = Build(context, kind="test-npm-ci", no_cache=True).run()
    facts = image_store.inspect(result.image_id)
    assert facts is not None
    found = image_store.stat_paths(result.image_id, ["/app/node_modules/ms/package.json"])
    assert found["/app/node_modules/ms/package.json"] is not None
    image_store.remove(result.image_id, force=True)
