"""Build checks: the image builds, and a rebuild after a source change reuses the dependency layer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...errors import EngineUnavailable, StagelabError
from .base import CouldNotGrade, Outcome, Param, Params, Phase, SkipCheck, chapter, check, failed, passed

if TYPE_CHECKING:
    from ..subject import Subject

#: Build failures caused by the machine, not by the Dockerfile: grading stops with "could not grade".
_NOT_THE_LEARNERS = {"network", "engine", "cancelled"}


@check(
    id="image.builds",
    title="The image builds",
    family="build",
    phase=Phase.BUILD,
    what="Builds the submission with BuildKit (`docker buildx build`), as the lab's spec says "
    "(context, Dockerfile, target, build args), within a time limit.",
    why="Every image and runtime check needs the image. The build error names the failing instruction and its "
    "line, and the last lines of its output say why.",
    fix="Read the failing step's output: a missing file in COPY (check the context and .dockerignore), a RUN "
    "that exits non-zero, a base image that is not there.",
    before="""
        COPY server.js package.json ./app/   # not a path in the context
        """,
    after="""
        COPY package.json server.js ./
        """,
    chapter=chapter("single", "a-first-dockerfile"),
    params=(Param("timeout_s", 300, "stop the build after this many seconds", (int, float)),),
)
def builds(subject: Subject, params: Params) -> Outcome:
    from ...engine import BuildFailed

    if subject.build_blocked:
        raise SkipCheck(subject.build_blocked)
    try:
        result = subject.build(timeout_s=float(params["timeout_s"]))
    except BuildFailed as failure:
        subject.build_failure = failure
        subject.build_blocked = "the image did not build (see image.builds)"
        cause = getattr(failure.cause, "value", str(failure.cause))
        if cause == "base-image":
            missing = _missing_base(subject, failure.reason)
            if missing is not None:
                reference, entry = missing
                if entry is not None and str(getattr(entry.availability, "value", "")) == "registry only":
                    return failed(
                        f"{reference} is not available on this machine: {entry.unavailable_reason}",
                        "Use one of the course's base images (`stagelab images list`), e.g. node:24-trixie "
                        "instead of node:18.",
                        cause=cause,
                    )
                if entry is not None:
                    raise CouldNotGrade(
                        f"the course's base image {reference} is not in the engine yet. "
                        "Run `stagelab images prepare`, then grade again."
                    ) from None
        if cause == "network" and subject.spec is not None and not subject.spec.build.network:
            # The lab builds without network on purpose: a step that needs it is the submission's problem.
            step = (
                f"{failure.instruction.split(' ', 1)[0]} at line {failure.line}"
                if failure.instruction and failure.line
                else "A step"
            )
            return failed(
                f"{step} needs the network, and this lab builds without network: {failure.reason}",
                "This lab's builds have no network (`build.network: false`): use only what is in the build "
                "context and the base image.",
                cause=cause,
                line=failure.line,
                log_tail=list(failure.log_tail[-15:]),
            )
        if cause in _NOT_THE_LEARNERS:
            raise CouldNotGrade(
                f"the build failed for a reason outside the Dockerfile: {failure.reason} {failure.hint}"
            ) from None
        if failure.stopped:
            # A step ran into the build's budget (processes, memory, time, output, file size): the learner's to fix.
            return failed(
                failure.stopped,
                failure.hint,
                cause=cause,
                line=failure.line,
                log_tail=list(failure.log_tail[-15:]),
                detail=failure.reason,
            )
        from ..build_failure import explain

        stages = tuple(s.name for s in subject.model.stages if s.name) if subject.model is not None else ()
        explained = explain(failure, stages)
        return failed(
            explained.message,
            explained.hint,
            cause=cause,
            instruction=failure.instruction,
            engine_error=explained.engine_error,
            line=failure.line,
            log_tail=list(failure.log_tail[-15:]),
            excerpt=failure.excerpt,
        )
    except EngineUnavailable as error:
        subject.build_blocked = "the engine is not available"
        raise CouldNotGrade(str(error)) from None
    except StagelabError as error:
        subject.build_blocked = "the image did not build (see image.builds)"
        raise CouldNotGrade(str(error)) from None
    subject.build_result = result
    subject.image_ref = result.image_id
    return passed(
        f"built in {result.duration_s:.1f} s ({result.steps_cached}/{result.steps_total} steps from cache)",
        image_id=result.image_id,
        duration_s=result.duration_s,
        steps_cached=result.steps_cached,
        steps_total=result.steps_total,
        stages_skipped=list(result.stages_skipped),
    )


def _missing_base(subject: Subject, reason: str) -> tuple[str, object] | None:
    """The FROM reference a base-image failure is about, with its catalogue entry (None if not catalogued)."""
    model = subject.model
    if model is None:
        return None
    try:
        from ...images import catalogue as images
    except ImportError:  # the images package is optional for grading
        images = None
    for stage in model.stages:
        reference = model.resolved_base(stage, subject.build_args)
        if model.stage(reference) is not None or reference == "scratch" or reference not in reason:
            continue
        return reference, images.lookup(reference) if images is not None else None
    return None


@check(
    id="build.dependency-layer-cached",
    title="A source change reuses the dependency layer",
    family="build",
    phase=Phase.REBUILD,
    what="Changes one application source file, rebuilds, and reads BuildKit's cache events: the dependency "
    "install step must come from the cache.",
    why="Measured, not guessed: installing dependencies is the slow step. If it re-runs on every code change, "
    "every edit costs a minute; ordered well, a rebuild takes a second.",
    fix="Copy the dependency manifests and install before copying the rest of the source.",
    before="""
        COPY . .
        RUN npm ci
        """,
    after="""
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        """,
    chapter=chapter("single", "layer-caching-and-instruction-order"),
    params=(
        Param("touch", "server.js", "source file (relative to the context) to change before the rebuild", (str,)),
        Param("step", r"npm (ci|install)", "regular expression naming the dependency step", (str,)),
    ),
)
def dependency_layer_cached(subject: Subject, params: Params) -> Outcome:
    from ...engine import BuildFailed

    subject.require_image()
    pattern = re.compile(params["step"])
    try:
        rebuild = subject.rebuild_after_touching(params["touch"])
    except BuildFailed as failure:
        from ..build_failure import explain

        explained = explain(failure)
        return failed(f"the rebuild after changing {params['touch']} failed: {explained.message}", explained.hint)
    steps = [r for r in rebuild.steps if pattern.search(r.step.instruction)]
    if not steps:
        return failed(
            f"no build step matches /{params['step']}/: the dependencies are not installed in a step of their own",
            None,
        )
    rerun = [r for r in steps if getattr(r.state, "value", r.state) != "cached"]
    if rerun:
        step = rerun[0].step
        took = f" ({rerun[0].duration_s:.1f} s)" if rerun[0].duration_s else ""
        return failed(
            f"after changing only {params['touch']}, `{step.instruction[:70]}` ran again{took} instead of coming from cache",
            None,
            line=step.line,
        )
    return passed(
        f"after changing {params['touch']}, `{steps[0].step.instruction[:60]}` came from cache "
        f"({rebuild.steps_cached}/{rebuild.steps_total} steps cached)",
        rebuild_s=rebuild.duration_s,
    )
