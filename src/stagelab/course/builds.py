"""Building the course's images: the examples, builds that may fail on purpose, and what a build did.

A failed build is often the lesson, so :func:`try_build` hands the failure back instead of
raising it; :func:`steps` and :func:`failure` show what BuildKit did and said.
"""

from __future__ import annotations

import os
import re

from ..engine import Build, BuildFailed, BuildResult, StepState
from .display import Table, table
from .places import TAG_PREFIX, context, dockerfile_variant, example_dockerfile, tag


def build_example(app: str, variant: str, *, folder: str | os.PathLike[str] | None = None, **options) -> BuildResult:
    """Build ``examples/<app>`` with ``Dockerfile.<variant>`` and tag it :func:`tag` (app, variant).

    ``folder`` builds another context (e.g. a :func:`workspace` copy) with the same Dockerfile.
    Other options go to :class:`stagelab.engine.Build` (``target``, ``build_args``, ``no_cache``).
    """
    options.setdefault("tag", tag(app, variant))
    options.setdefault("kind", "course")
    return Build(folder or context(app), example_dockerfile(app, variant), **options).run()


def try_build(
    folder: str | os.PathLike[str], dockerfile: str | os.PathLike[str] | None = None, **options
) -> BuildResult | BuildFailed:
    """Build, and hand back the :class:`BuildFailed` instead of raising it: here the error is the lesson."""
    options.setdefault("kind", "course")
    try:
        return Build(folder, dockerfile, **options).run()
    except BuildFailed as failure:
        return failure


def ensure(image: str) -> None:
    """Build a course image (``stagelab-course/<app>:<variant>``) that is not there yet, e.g. when a chapter is skipped."""
    from ..engine import Images as image_store

    if image_store.exists(image) or not image.startswith(TAG_PREFIX + "/"):
        return
    app, _, variant = image.removeprefix(TAG_PREFIX + "/").partition(":")
    if example_dockerfile(app, variant).is_file():
        build_example(app, variant)


#: How a step of a finished build ended, in the chapters' words.
_OUTCOMES = {
    StepState.DONE: "ran",
    StepState.CACHED: "from cache",
    StepState.FAILED: "FAILED",
    StepState.RUNNING: "cut short",
}


def steps(result: BuildResult | BuildFailed) -> Table:
    """The steps of a build: instruction, how it ended (ran / from cache / failed), time."""
    records = result.steps
    return table(
        ("step", "instruction", "outcome", "time"),
        (
            (
                f"{r.step.stage + ' ' if r.step.stage else ''}{r.step.position}/{r.step.total}",
                r.step.instruction[:70] + ("…" if len(r.step.instruction) > 70 else ""),
                "base image" if r.step.keyword == "FROM" and r.state is not StepState.FAILED else _OUTCOMES[r.state],
                "" if r.duration_s is None else f"{r.duration_s:.1f} s",
            )
            for r in records
        ),
    )


def failure(error: BuildFailed) -> Table:
    """A failed build as a learner should read it: where, what BuildKit said, what to do."""
    return table(
        ("", ""),
        (
            ("line", error.line or "?"),
            ("instruction", error.instruction or "?"),
            ("BuildKit said", error.reason),
            ("cause", error.cause.value),
            ("hint", error.hint),
        ),
    )


def cache_mount_timings(app: str, step: str) -> Table:
    """Time ``step`` when it must run again, without and with the cache mount of ``Dockerfile.cachemount``.

    The Dockerfile declares ``ARG CHANGE`` just before the step: a new value re-runs the step
    as a changed source or lockfile would. Without the mount the step starts from nothing;
    with it, the tool finds its cache from the build before.
    """
    import uuid

    with_mount = example_dockerfile(app, "cachemount")
    mount = re.search(r"--mount=type=cache,\S+ ", with_mount.read_text())
    if mount is None:
        raise ValueError(f"{with_mount} has no cache mount")
    without = dockerfile_variant(app, "cachemount", mount.group(0), "")
    rows = []
    for label, dockerfile, warm_up in (
        ("without a cache mount", without, False),
        ("with a cache mount", with_mount, True),
    ):
        if warm_up:  # fill the cache (it may be warm already from an earlier run)
            Build(context(app), dockerfile, build_args={"CHANGE": uuid.uuid4().hex}, kind="course").run()
        result = Build(context(app), dockerfile, build_args={"CHANGE": uuid.uuid4().hex}, kind="course").run()
        record = result.steps_matching(step)[0]
        took = "" if record.duration_s is None else f"{record.duration_s:.1f} s"
        rows.append((label, record.step.instruction[:70], took))
    return table(("", "step", "time on a rebuild"), rows)
