"""Builds through BuildKit (``docker buildx build --progress=rawjson``), as typed events.

Usage::

    build = Build("labs/02-node-multistage/app", dockerfile="Dockerfile", target="runtime")
    for event in build.events():      # step started / finished / cached / failed, log lines
        ...
    result = build.result             # image id, time, cached steps, skipped stages

``Build.cancel()`` (from any thread) ends the build process group; nothing keeps running.
A failure raises :class:`BuildFailed` with the failing instruction, its line and the
last log lines. Without buildx the SDK's classic builder is used, with a notice.

Every build runs within a budget (:class:`stagelab.engine.limits.BuildLimits`):
processes, memory and CPU through a cgroup of ours that the engine puts every RUN
step under (where the engine allows it, see :func:`stagelab.engine.limits.support`),
the largest file a step may write (``--ulimit fsize``), wall time and output size.
A step that runs into one fails with the limit named: "RUN at line 4 was stopped:
it started more than 2048 processes". ``network=False`` builds with
``--network=none``: RUN steps get no network at all.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

from .. import labels as stagelab_labels
from ..analysis import rawjson
from ..dockerfile import Dockerfile, DockerfileSyntaxError, Instruction
from ..dockerfile import load as load_dockerfile
from ..errors import BuildContextError, StagelabError
from ..units import format_size
from . import cleanup, frontend, slots
from . import limits as build_limits
from .client import buildx_version, client, docker_binary, engine_errors, translate

#: Log lines kept per step and for the failure report.
LOG_TAIL_LINES = 40
#: A build that prints more than this is stopped (a RUN that prints without end).
DEFAULT_MAX_OUTPUT_BYTES = int(build_limits.BuildLimits().log_mb * build_limits.MB)
#: How often the build's cgroup counters are read while it runs.
LIMIT_POLL_S = 0.25
#: The running steps' new layers are measured every this many polls (once a second).
DISK_POLL_TICKS = 4


class EventKind(str, Enum):
    QUEUED = "queued"
    STEP_STARTED = "step-started"
    STEP_FINISHED = "step-finished"
    STEP_CACHED = "step-cached"
    STEP_FAILED = "step-failed"
    LOG = "log"
    NOTICE = "notice"


class StepState(str, Enum):
    #: Steps a build went through end in one of these.
    RUNNING = "running"
    DONE = "done"
    CACHED = "cached"
    FAILED = "failed"
    #: Only while following a build (:class:`BuildProgress`): not started yet, in a stage the
    #: target does not need, or stopped by a failure elsewhere or a cancel.
    QUEUED = "queued"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


#: The state a step event puts its step in.
EVENT_STATES = {
    EventKind.STEP_STARTED: StepState.RUNNING,
    EventKind.STEP_FINISHED: StepState.DONE,
    EventKind.STEP_CACHED: StepState.CACHED,
    EventKind.STEP_FAILED: StepState.FAILED,
}
#: States a step does not leave.
FINAL_STATES = frozenset({StepState.DONE, StepState.CACHED, StepState.FAILED, StepState.CANCELLED})


@dataclass(frozen=True)
class BuildStep:
    """A step of the build as BuildKit names it, tied to its Dockerfile line when known."""

    id: str
    stage: str | None
    position: int | None
    total: int | None
    instruction: str
    line: int | None = None

    @property
    def keyword(self) -> str:
        return self.instruction.split(" ", 1)[0].upper() if self.instruction else ""


@dataclass(frozen=True)
class BuildEvent:
    """Something that happened during a build, in the order it happened."""

    kind: EventKind
    step: BuildStep | None = None
    duration_s: float | None = None
    text: str | None = None


@dataclass(frozen=True)
class StepRecord:
    """How one step ended."""

    step: BuildStep
    state: StepState
    duration_s: float | None
    log_tail: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    """A finished build."""

    image_id: str
    tag: str | None
    duration_s: float
    steps: tuple[StepRecord, ...]
    stages_built: tuple[str, ...]
    stages_skipped: tuple[str, ...]
    builder: str = "buildx"
    notices: tuple[str, ...] = ()
    #: Whether processes, memory and CPU were held to the budget by the engine (cgroups).
    limits_enforced: bool = False
    #: The image's size as ``docker images`` counts it (uncompressed); None if the engine did not say.
    size_bytes: int | None = None

    @property
    def steps_total(self) -> int:
        return len(self.steps)

    @property
    def steps_cached(self) -> int:
        return sum(1 for record in self.steps if record.state is StepState.CACHED)

    def steps_matching(self, pattern: str) -> list[StepRecord]:
        """Steps whose instruction matches a regular expression (e.g. ``r"npm (ci|install)"``)."""
        regex = re.compile(pattern)
        return [record for record in self.steps if regex.search(record.step.instruction)]


@dataclass(frozen=True)
class PlannedStage:
    """A stage of the Dockerfile; ``skipped`` when the target does not need it (BuildKit skips it)."""

    ref: str
    base: str
    skipped: bool


@dataclass(frozen=True)
class PlannedStep:
    """An instruction the build goes through, before it runs.

    ``makes_step`` when BuildKit runs it as a step of its own (``RUN``, ``COPY``, ``ADD``,
    ``WORKDIR``, and ``FROM`` an image); other instructions only set the image's config.
    """

    stage: str
    line: int
    instruction: str
    makes_step: bool
    skipped: bool


@dataclass(frozen=True)
class BuildPlan:
    """The stages and instructions a build of a Dockerfile for a target will go through.

    ``error`` says why there is no plan (the Dockerfile does not parse): the build still
    runs, and BuildKit's own message about the file is the lesson.
    """

    stages: tuple[PlannedStage, ...] = ()
    steps: tuple[PlannedStep, ...] = ()
    error: str | None = None

    @classmethod
    def of(cls, model: Dockerfile, target: str | None = None) -> BuildPlan:
        """The plan of a parsed Dockerfile (raises ``DockerfileSyntaxError`` for an unknown target)."""
        skipped = {stage.index for stage in model.skipped_stages(target)}
        stage_refs = {stage.ref.lower() for stage in model.stages}
        stages, steps = [], []
        for stage in model.stages:
            is_skipped = stage.index in skipped
            stages.append(PlannedStage(stage.ref, stage.base, is_skipped))
            from_makes_step = stage.base != "scratch" and stage.base.lower() not in stage_refs
            for instruction in (stage.from_instruction, *stage.instructions):
                makes_step = (
                    from_makes_step if instruction.keyword == "FROM" else instruction.keyword in _VERTEX_KEYWORDS
                )
                steps.append(PlannedStep(stage.ref, instruction.start_line, instruction.text, makes_step, is_skipped))
        return cls(tuple(stages), tuple(steps))

    @classmethod
    def read(cls, dockerfile: str | os.PathLike[str], target: str | None = None) -> BuildPlan:
        """The plan of the Dockerfile at ``dockerfile``; one with ``error`` set if it cannot be read."""
        try:
            return cls.of(load_dockerfile(Path(dockerfile)), target)
        except DockerfileSyntaxError as error:
            return cls(error=str(error))


@dataclass(frozen=True)
class TrackedStep:
    """A step as a build is followed: planned (or first seen in an event), and its state so far."""

    key: str
    stage: str
    line: int | None
    instruction: str
    makes_step: bool
    state: StepState = StepState.QUEUED
    duration_s: float | None = None


class BuildProgress:
    """The one fold of :class:`BuildEvent` s into per-step state, for whatever shows a build live.

    Start it from a :class:`BuildPlan` (every instruction queued, skipped stages skipped),
    :meth:`apply` each event, then :meth:`finish`. Events are tied to planned instructions by
    their Dockerfile line; a step the plan does not list gets a row of its own at the end.
    """

    def __init__(self, plan: BuildPlan | None = None, log_lines: int = LOG_TAIL_LINES):
        self.plan = plan or BuildPlan()
        self._planned = [
            TrackedStep(
                key=f"line-{step.line}",
                stage=step.stage,
                line=step.line,
                instruction=step.instruction,
                makes_step=step.makes_step and not step.skipped,
                state=StepState.SKIPPED if step.skipped else StepState.QUEUED,
            )
            for step in self.plan.steps
        ]
        self._by_line = {step.line: index for index, step in enumerate(self._planned)}
        self._extra: dict[str, TrackedStep] = {}
        #: The last log lines (notices prefixed ``[notice]``), and what the build waits for, if anything.
        self.log: deque[str] = deque(maxlen=log_lines)
        self.waiting = ""

    @property
    def steps(self) -> tuple[TrackedStep, ...]:
        """Planned steps in Dockerfile order, then steps only the events named."""
        return (*self._planned, *self._extra.values())

    @property
    def steps_expected(self) -> int:
        """Steps BuildKit will run (or did) for this target."""
        return sum(1 for step in self.steps if step.makes_step)

    @property
    def steps_finished(self) -> int:
        """Steps that ended (done, from cache, failed or cancelled)."""
        return sum(1 for step in self.steps if step.makes_step and step.state in FINAL_STATES)

    def step(self, line: int) -> TrackedStep | None:
        """The step of the instruction at Dockerfile line ``line``."""
        index = self._by_line.get(line)
        return self._planned[index] if index is not None else None

    def apply(self, event: BuildEvent) -> TrackedStep | None:
        """Take in one event; returns the step it changed (None for logs, notices and queueing)."""
        if event.kind is EventKind.QUEUED:
            self.waiting = event.text or ""
            return None
        if event.kind is EventKind.NOTICE:
            self.log.append(f"[notice] {event.text}")
            return None
        if event.kind is EventKind.LOG:
            self.log.append(event.text or "")
            return None
        self.waiting = ""
        step = event.step
        if step is None:
            return None
        index = self._by_line.get(step.line) if step.line is not None else None
        if index is not None:
            self._planned[index] = updated = _moved(self._planned[index], event)
            return updated
        current = self._extra.get(step.id) or TrackedStep(
            key=step.id, stage=step.stage or "", line=step.line, instruction=step.instruction, makes_step=True
        )
        self._extra[step.id] = updated = _moved(current, event)
        return updated

    def finish(self, built: bool) -> None:
        """The build ended. With an image, config-only instructions are done too; without one,
        a step still running was cancelled, and the steps not reached stay queued."""
        self._planned = [_finished(step, built) for step in self._planned]
        self._extra = {key: _finished(step, built) for key, step in self._extra.items()}
        self.waiting = ""


def _moved(step: TrackedStep, event: BuildEvent) -> TrackedStep:
    duration = event.duration_s if event.duration_s is not None else step.duration_s
    return replace(step, state=EVENT_STATES[event.kind], duration_s=duration)


def _finished(step: TrackedStep, built: bool) -> TrackedStep:
    if built and step.state is StepState.QUEUED:
        return replace(step, state=StepState.DONE)
    if not built and step.makes_step and step.state is StepState.RUNNING:
        return replace(step, state=StepState.CANCELLED)
    return step


class FailureCause(str, Enum):
    COMMAND = "command"  # a RUN exited non-zero
    MISSING_FILE = "missing-file"  # COPY/ADD source not in the context
    SYNTAX = "syntax"  # BuildKit could not parse the Dockerfile
    NETWORK = "network"  # a package registry or mirror was unreachable
    BASE_IMAGE = "base-image"  # FROM names an image that is not there
    TIMEOUT = "timeout"
    OUTPUT_LIMIT = "output-limit"
    CANCELLED = "cancelled"
    ENGINE = "engine"  # the engine went away or refused
    FRONTEND = "frontend"  # a `# syntax=` frontend that cannot be had here
    PROCESS_LIMIT = "process-limit"  # a step started more processes than the budget allows
    MEMORY_LIMIT = "memory-limit"  # a step used more memory than the budget allows
    FILE_LIMIT = "file-size-limit"  # a step wrote a file larger than the budget allows
    CONTEXT_LIMIT = "context-limit"  # the build context is larger than the budget allows
    DISK_LIMIT = "disk-limit"  # the RUN steps wrote more to disk than the budget allows
    NOT_ALLOWED = "not-allowed"  # the Dockerfile asks for something the grader never grants


#: Failures where the submission ran into its budget: the learner's to fix, named with the limit.
LIMIT_CAUSES = {
    FailureCause.TIMEOUT: build_limits.Limit.TIME,
    FailureCause.OUTPUT_LIMIT: build_limits.Limit.OUTPUT,
    FailureCause.PROCESS_LIMIT: build_limits.Limit.PROCESSES,
    FailureCause.MEMORY_LIMIT: build_limits.Limit.MEMORY,
    FailureCause.FILE_LIMIT: build_limits.Limit.FILE_SIZE,
    FailureCause.CONTEXT_LIMIT: build_limits.Limit.CONTEXT,
    FailureCause.DISK_LIMIT: build_limits.Limit.DISK,
}


_HINTS = {
    FailureCause.COMMAND: "A RUN command failed: read the last log lines above for its own error message.",
    FailureCause.MISSING_FILE: (
        "A file named in COPY/ADD is not in the build context. Check the path, that it is relative "
        "to the context, and that .dockerignore does not exclude it."
    ),
    FailureCause.SYNTAX: (
        "The Dockerfile does not parse. A common cause: a comment after an instruction on the same line — "
        "Dockerfiles only allow comments on lines of their own."
    ),
    FailureCause.NETWORK: (
        "A network step failed: a host name did not resolve or a package registry or mirror could not be "
        "reached from inside the build. Check the address in your RUN command, then the connection "
        "(or the proxy and its CA certificate), and build again."
    ),
    FailureCause.BASE_IMAGE: "The base image is not in the engine and no registry answers. Run `stagelab images prepare`.",
    FailureCause.TIMEOUT: "The build ran past its time limit. Look for a RUN that never ends (a server, a prompt waiting for input).",
    FailureCause.OUTPUT_LIMIT: "The build printed far too much output and was stopped. Look for a RUN that loops.",
    FailureCause.CANCELLED: "The build was cancelled.",
    FailureCause.ENGINE: "The Docker engine stopped or refused during the build. Check it with `stagelab doctor`, then build again.",
    FailureCause.FRONTEND: (
        "The `# syntax=` line on top of the Dockerfile asks for a Dockerfile frontend that must be downloaded. "
        "Delete that line: the engine's built-in frontend builds the usual Dockerfile features."
    ),
    FailureCause.PROCESS_LIMIT: (
        "Look for a command that starts processes without end: a function that calls itself in the background "
        "(a fork bomb), `&` inside a loop, a tool told to use unlimited workers. Start a bounded number."
    ),
    FailureCause.MEMORY_LIMIT: (
        "Look for a command that holds a whole large file or an endless string in memory, or runs too many jobs "
        "at once (`make -j`, `npm` with many workers). Stream the data, or lower the parallelism."
    ),
    FailureCause.FILE_LIMIT: (
        "A build step may not write one huge file. Look for a `dd`, `fallocate` or a download without an end; "
        "an image should carry only what the app needs."
    ),
    FailureCause.CONTEXT_LIMIT: (
        "Everything in the build folder is sent to the engine before the first step runs. Add a "
        "`.dockerignore` that leaves out what the image does not need (node_modules, .git, data files, "
        "build output), or build from a smaller folder."
    ),
    FailureCause.DISK_LIMIT: (
        "Look for a step that writes without end or downloads far more than the app needs: `dd`, a loop "
        "that writes files, a cache or a data set the image does not use. Write only what the image ships."
    ),
    FailureCause.NOT_ALLOWED: (
        "The grader builds every submission without extra privileges: no `RUN --network=host`, no "
        "`RUN --security=insecure`, no secrets it did not provide, and, in labs built without network, no "
        "`ADD` of a URL. Remove that option; the lab can be solved without it."
    ),
}

_NETWORK_PATTERNS = re.compile(
    r"Temporary failure (in name resolution|resolving)|Could not resolve|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|"
    r"ETIMEDOUT|ECONNRESET|Network is unreachable|Connection timed out|getaddrinfo|"
    r"Failed to fetch http|Unable to connect to|self[- ]signed certificate|unable to get local issuer|"
    r"CERTIFICATE_VERIFY_FAILED|NewConnectionError|Max retries exceeded|dial tcp|i/o timeout|TLS handshake timeout|"
    r"server can't find|NXDOMAIN|bad address|Name or service not known|Name does not resolve|no such host",
    re.IGNORECASE,
)


class BuildFailed(StagelabError):
    """A build that did not produce an image, with what a learner needs to fix it."""

    exit_code = 1

    def __init__(
        self,
        reason: str,
        *,
        cause: FailureCause,
        instruction: str | None = None,
        line: int | None = None,
        stage: str | None = None,
        log_tail: tuple[str, ...] = (),
        excerpt: str | None = None,
        steps: tuple[StepRecord, ...] = (),
        stopped: str | None = None,
    ):
        self.reason = reason
        self.cause = cause
        #: For a step that ran into its budget: "RUN at line 4 was stopped: it started more than 2048 processes".
        self.stopped = stopped
        self.instruction = instruction
        self.line = line
        self.stage = stage
        self.log_tail = log_tail
        self.excerpt = excerpt
        self.steps = steps
        where = f" (Dockerfile line {line})" if line else ""
        what = f": {instruction}" if instruction else ""
        said = f"{stopped}\n" if stopped else ""
        super().__init__(f"Build failed{where}{what}\n{said}{reason}\nHint: {self.hint}")

    @property
    def hint(self) -> str:
        return _HINTS[self.cause]


#: What BuildKit prints once a step's output passed the engine's log limit (``[output clipped, log limit 2MiB reached]``).
_CLIPPED = re.compile(r"\[output clipped, log limit \S+ reached\]")
_STEP_NAME = re.compile(r"^\[(?:(?P<stage>[^\]\s]+) )?(?P<position>\d+)/(?P<total>\d+)\] (?P<instruction>.*)$", re.S)
_TRAILER_LOCATION = re.compile(r"^(?P<file>\S+):(?P<line>\d+)$")
#: BuildKit makes a build step (a "vertex") only for these; the rest only set image config.
_VERTEX_KEYWORDS = {"RUN", "COPY", "ADD", "WORKDIR"}


def _squash(text: str) -> str:
    return " ".join(text.split())


class _StepMapper:
    """Ties BuildKit's step names back to Dockerfile instructions (and lines)."""

    def __init__(self, model: Dockerfile | None):
        self.model = model

    def step(self, digest: str, name: str) -> BuildStep | None:
        match = _STEP_NAME.match(name)
        if not match:
            return None
        stage_label = match.group("stage")
        position, total = int(match.group("position")), int(match.group("total"))
        instruction = _squash(match.group("instruction"))
        line = self._line(stage_label, position, instruction)
        return BuildStep(digest, stage_label, position, total, instruction, line)

    def _line(self, stage_label: str | None, position: int, instruction: str) -> int | None:
        if self.model is None:
            return None
        stages = self.model.stages
        stage = None
        if stage_label is None:
            stage = stages[-1] if len(stages) == 1 else None
        else:
            stage = next((s for s in stages if s.buildkit_name == stage_label or s.ref == stage_label), None)
        if stage is None:
            return None
        keyword = instruction.split(" ", 1)[0].upper()
        if keyword == "FROM":
            return stage.from_instruction.start_line
        candidates: list[Instruction] = [i for i in stage.instructions if i.keyword in _VERTEX_KEYWORDS]
        wanted = instruction[len(keyword) :].strip()
        for candidate in candidates:
            first_line = _squash(candidate.original.splitlines()[0] if candidate.original else "")
            if candidate.keyword == keyword and (
                _squash(candidate.original) == instruction or first_line[len(keyword) :].strip() == wanted
            ):
                return candidate.start_line
        # Fall back on position: BuildKit counts FROM as step 1 unless the base is scratch.
        offset = 0 if stage.base == "scratch" else 1
        index = position - 1 - offset
        if 0 <= index < len(candidates):
            return candidates[index].start_line
        return None


def _parse_build_args(build_args: dict[str, str] | None) -> list[str]:
    args: list[str] = []
    for name, value in (build_args or {}).items():
        args += ["--build-arg", f"{name}={value}"]
    return args


class Build:
    """One build: iterate :meth:`events`, then read :attr:`result`."""

    def __init__(
        self,
        context: str | os.PathLike[str],
        dockerfile: str | os.PathLike[str] | None = None,
        *,
        target: str | None = None,
        build_args: dict[str, str] | None = None,
        tag: str | None = None,
        no_cache: bool = False,
        labels: dict[str, str] | None = None,
        kind: str = "build",
        timeout_s: float | None = None,
        max_output_bytes: int | None = None,
        run_id: str | None = None,
        use_slots: bool = True,
        limits: build_limits.BuildLimits | None = None,
        network: bool = True,
        slot: int | None = None,
    ):
        self.context = Path(context)
        if not self.context.is_dir():
            raise BuildContextError(
                f"Build context {self.context} is not a folder. Give the folder that holds your app and Dockerfile."
            )
        self.dockerfile = Path(dockerfile) if dockerfile else self.context / "Dockerfile"
        if not self.dockerfile.is_absolute() and not self.dockerfile.exists():
            self.dockerfile = self.context / self.dockerfile
        if not self.dockerfile.is_file():
            raise BuildContextError(
                f"Dockerfile {self.dockerfile} not found. Create it, or point to it with -f/--dockerfile."
            )
        self.target = target
        self.build_args = dict(build_args or {})
        self.tag = tag
        self.no_cache = no_cache
        self.run_id = run_id or stagelab_labels.new_run_id("build")
        self.labels = {**stagelab_labels.labels_for(self.run_id, kind), **(labels or {})}
        self.use_slots = use_slots
        #: The build slot to wait for (the one an earlier build used), then the one it ran in.
        self.slot = slot
        self.network = network
        self.result: BuildResult | None = None
        self.notices: list[str] = []
        # The budget: the lab's (or the defaults), within the room's maxima. An explicit
        # timeout_s / max_output_bytes is the caller's own, tighter (or, without lab limits, its only) say.
        budget = limits or build_limits.BuildLimits()
        if timeout_s:
            budget = replace(budget, time_s=min(timeout_s, budget.time_s) if limits else timeout_s)
        if max_output_bytes:
            budget = replace(budget, log_mb=max_output_bytes / build_limits.MB)
        self.limits, lowered = build_limits.within_maxima(budget)
        self.notices += lowered
        self.timeout_s = self.limits.time_s
        self.max_output_bytes = max_output_bytes or int(self.limits.log_mb * build_limits.MB)
        self.limits_enforced = False
        self._cgroup: build_limits.StepCgroup | None = None
        self._process: subprocess.Popen[str] | None = None
        self._frontend: frontend.FrontendPlan | None = None
        self._cancel_reason: FailureCause | None = None
        self._lock = threading.Lock()
        self._model_error: str | None = None
        try:
            self.model: Dockerfile | None = load_dockerfile(self.dockerfile)
        except DockerfileSyntaxError as error:
            # BuildKit will report the error in its own words; that message is the lesson.
            self.model = None
            self._model_error = str(error)

    @property
    def plan(self) -> BuildPlan:
        """The stages and instructions this build goes through, and the stages its target skips."""
        if self.model is None:
            return BuildPlan(error=self._model_error)
        try:
            return BuildPlan.of(self.model, self.target)
        except DockerfileSyntaxError as error:  # e.g. a target no stage is named
            return BuildPlan(error=str(error))

    # -- control -------------------------------------------------------------------------

    def cancel(self, cause: FailureCause = FailureCause.CANCELLED) -> None:
        """End the build from any thread; returns at once.

        buildx gets SIGINT, cancels the solve (BuildKit stops the running step) and
        exits; :meth:`events` then raises :class:`BuildFailed`. Whatever does not end
        within the grace time is killed.
        """
        with self._lock:
            if self._cancel_reason is None:
                self._cancel_reason = cause
            process = self._process
        if process is not None and process.poll() is None:
            _interrupt_process_group(process)

    @property
    def cancelled(self) -> bool:
        return self._cancel_reason is not None

    # -- running -------------------------------------------------------------------------

    def run(self, on_event: Callable[[BuildEvent], None] | None = None) -> BuildResult:
        """Run to the end; ``on_event`` sees every event. Returns the result or raises."""
        for event in self.events():
            if on_event is not None:
                on_event(event)
        assert self.result is not None
        return self.result

    def events(self) -> Iterator[BuildEvent]:
        """Start the build and yield its events; sets :attr:`result` or raises :class:`BuildFailed`."""
        if self.cancelled:
            raise BuildFailed("Cancelled before it started.", cause=FailureCause.CANCELLED)
        # Ask the engine first: "not running" is clearer as EngineUnavailable than as a failed build.
        client()
        slot = slots.BuildSlot(enabled=self.use_slots, wanted=self.slot)
        try:
            for ahead in slot.wait():
                if self.cancelled:
                    raise BuildFailed("Cancelled while waiting for a build slot.", cause=FailureCause.CANCELLED)
                yield BuildEvent(EventKind.QUEUED, text=f"waiting for {ahead} build(s) ahead")
            if buildx_version() is None:
                yield from self._classic_events()
            else:
                self._plan_frontend()
                if self._frontend is not None:
                    self.notices.append(self._frontend.notice)
                self._refuse_what_is_not_allowed()
                for notice in self.notices:  # a lab's limits lowered to the room's maxima, a served `# syntax=`
                    yield BuildEvent(EventKind.NOTICE, text=notice)
                self.slot = slot.index
                with build_limits.BuildCgroup.open(self.limits, slot.cgroup_name()) as cgroup:
                    self._cgroup = cgroup
                    self.limits_enforced = cgroup is not None
                    if isinstance(cgroup, build_limits.EngineSideCgroup):
                        # The engine's own budget is the one a step runs into: name its numbers.
                        engine = cgroup.budget
                        self.limits = replace(
                            self.limits, processes=engine.processes, memory_mb=engine.memory_mb, cpus=engine.cpus
                        )
                    try:
                        yield from self._buildx_events()
                    finally:
                        self._cgroup = None
            if self.result is not None:
                self.result = replace(self.result, size_bytes=_image_size(self.result.image_id))
        finally:
            slot.release()

    def _plan_frontend(self) -> None:
        """Serve a `# syntax=` directive with the engine's built-in frontend, or fail saying why."""
        try:
            text = self.dockerfile.read_text(encoding="utf-8", errors="replace")
            self._frontend = frontend.plan(text, frontend.engine_builtin_version())
        except frontend.FrontendUnavailable as error:
            raise BuildFailed(
                str(error), cause=FailureCause.FRONTEND, instruction=f"# syntax={error.directive}", line=error.line
            ) from None

    def _refuse_what_is_not_allowed(self) -> None:
        """Without network, an ``ADD`` of a URL would still be fetched (by BuildKit, not by RUN): refuse it."""
        if self.network or self.model is None:
            return
        for instruction in self.model.instructions:
            if instruction.keyword != "ADD":
                continue
            sources = re.findall(r"(?:https?|git)://\S+|git@\S+", instruction.original)
            if sources:
                raise BuildFailed(
                    f"ADD {sources[0]} fetches from the network, and this lab builds without network.",
                    cause=FailureCause.NOT_ALLOWED,
                    instruction=_squash(instruction.original.splitlines()[0]),
                    line=instruction.start_line,
                )

    def _command(self, iidfile: str) -> list[str]:
        command = [docker_binary(), "buildx", "build", "--progress=rawjson", "--iidfile", iidfile]
        dockerfile = self.dockerfile
        if self._frontend is not None:
            dockerfile = frontend.write_for_build(self._frontend, self.dockerfile, Path(iidfile).parent)
        command += ["-f", str(dockerfile)]
        if self.target:
            command += ["--target", self.target]
        if self.tag:
            command += ["-t", self.tag]
        if self.no_cache:
            command.append("--no-cache")
        if not self.network:
            command.append("--network=none")
        # The kernel's file-size limit (bytes) for every RUN process: one step cannot fill the disk with one file.
        command += ["--ulimit", f"fsize={int(self.limits.file_mb * build_limits.MB)}"]
        if self._cgroup is not None:
            command += self._cgroup.buildx_args()
        command += _parse_build_args(self.build_args)
        for key, value in self.labels.items():
            command += ["--label", f"{key}={value}"]
        # With the docker driver the image lands in the engine's store; --load makes
        # that explicit and also works for a docker-container builder.
        command += ["--load", str(self.context)]
        return command

    def _buildx_events(self) -> Iterator[BuildEvent]:
        mapper = _StepMapper(self.model)
        started_at = time.monotonic()
        wall_started = datetime.now(timezone.utc)
        steps: dict[str, BuildStep] = {}
        states: dict[str, StepState] = {}
        durations: dict[str, float | None] = {}
        logs: dict[str, deque[str]] = {}
        partial: dict[str, str] = {}
        plain: list[str] = []
        output_bytes = 0
        order: dict[str, int] = {}  # steps in the order they started (or came from cache)

        with tempfile.TemporaryDirectory(prefix="stagelab-build-") as scratch:
            iidfile = os.path.join(scratch, "iid")
            env = dict(os.environ, BUILDX_NO_DEFAULT_ATTESTATIONS="1")
            with self._lock:
                if self._cancel_reason is not None:
                    raise BuildFailed("Cancelled before it started.", cause=FailureCause.CANCELLED)
                try:
                    self._process = subprocess.Popen(
                        self._command(iidfile),
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                        stdin=subprocess.DEVNULL,
                        text=True,
                        encoding="utf-8",
                        errors="replace",
                        env=env,
                        start_new_session=True,
                    )
                except OSError as error:
                    raise translate(error) from None
            process = self._process
            watchdog = None
            if self.timeout_s:
                watchdog = threading.Timer(self.timeout_s, self.cancel, args=(FailureCause.TIMEOUT,))
                watchdog.daemon = True
                watchdog.start()
            counters_done = threading.Event()
            if self._cgroup is not None:
                threading.Thread(target=self._watch_counters, args=(self._cgroup, counters_done), daemon=True).start()
            try:
                assert process.stderr is not None
                for item in rawjson.read(process.stderr):
                    if isinstance(item, rawjson.PlainLine):
                        plain.append(item.text)
                        continue
                    if isinstance(item, rawjson.Transfer):
                        if (
                            item.what.startswith("transferring context")
                            and item.current > self.limits.context_mb * build_limits.MB
                        ):
                            self.cancel(FailureCause.CONTEXT_LIMIT)
                        continue
                    if isinstance(item, rawjson.LogChunk):
                        if self.cancelled:
                            continue  # keep draining the pipe so buildx can exit; the output no longer matters
                        step = steps.get(item.vertex)
                        output_bytes += len(item.text)
                        if output_bytes > self.max_output_bytes or _CLIPPED.search(item.text):
                            # BuildKit keeps at most its own log limit of a step (2 MiB by default) and
                            # drops the rest: a step printing past it would print unseen until the time limit.
                            self.cancel(FailureCause.OUTPUT_LIMIT)
                        text = partial.pop(item.vertex, "") + item.text
                        *complete, rest = text.split("\n")
                        if rest:
                            partial[item.vertex] = rest
                        for line in complete:
                            line = line.rstrip("\r")
                            logs.setdefault(item.vertex, deque(maxlen=LOG_TAIL_LINES)).append(line)
                            yield BuildEvent(EventKind.LOG, step=step, text=line)
                        continue
                    vertex = item
                    step = steps.get(vertex.digest) or mapper.step(vertex.digest, vertex.name)
                    if step is None:
                        continue
                    steps[vertex.digest] = step
                    previous = states.get(vertex.digest)
                    duration = (
                        (vertex.completed - vertex.started).total_seconds()
                        if vertex.started and vertex.completed
                        else None
                    )
                    if previous is None and vertex.started and not vertex.cached:
                        # A quick step can arrive already finished: announce its start first, so a
                        # consumer always sees started before finished/failed.
                        states[vertex.digest] = previous = StepState.RUNNING
                        yield BuildEvent(EventKind.STEP_STARTED, step=step)
                    if vertex.error:
                        if previous is not StepState.FAILED:
                            states[vertex.digest] = StepState.FAILED
                            durations[vertex.digest] = duration
                            yield BuildEvent(EventKind.STEP_FAILED, step=step, duration_s=duration, text=vertex.error)
                    elif vertex.cached and vertex.completed:
                        if previous not in (StepState.CACHED, StepState.DONE):
                            states[vertex.digest] = StepState.CACHED
                            durations[vertex.digest] = duration
                            yield BuildEvent(EventKind.STEP_CACHED, step=step, duration_s=duration)
                    elif vertex.completed:
                        if previous not in (StepState.DONE, StepState.CACHED, StepState.FAILED):
                            states[vertex.digest] = StepState.DONE
                            durations[vertex.digest] = duration
                            yield BuildEvent(EventKind.STEP_FINISHED, step=step, duration_s=duration)
                    if vertex.digest in states:
                        order.setdefault(vertex.digest, len(order))
                returncode = process.wait()
            except GeneratorExit:
                # The consumer stopped listening (e.g. a kernel interrupt): leave nothing running.
                self.cancel()
                raise
            finally:
                counters_done.set()
                if watchdog is not None:
                    watchdog.cancel()
                if process.poll() is None:
                    # Nobody reads the pipe any more: close it so a writing buildx cannot block.
                    process.stderr.close()
                    _stop_process_group(process)
                with self._lock:
                    self._process = None
            for vertex, rest in partial.items():
                logs.setdefault(vertex, deque(maxlen=LOG_TAIL_LINES)).append(rest)

            records = tuple(
                StepRecord(
                    step=steps[digest],
                    state=states.get(digest, StepState.RUNNING),
                    duration_s=durations.get(digest),
                    log_tail=tuple(logs.get(digest, ())),
                )
                for digest in sorted(steps, key=lambda digest: order.get(digest, len(steps)))
            )
            elapsed = time.monotonic() - started_at

            if returncode != 0 or self.cancelled:
                failure = self._failure(records, plain, logs)
                if failure.cause in LIMIT_CAUSES:
                    # What a runaway step kept in BuildKit's cache (a filled `RUN --mount=type=cache`
                    # folder; for an oversized context, its partial copy) is not to be kept.
                    kinds = (
                        ("exec.cachemount", "source.local")
                        if failure.cause is FailureCause.CONTEXT_LIMIT
                        else ("exec.cachemount",)
                    )
                    cleanup.prune_build_cache_since(wall_started, kinds)
                raise failure
            image_id = Path(iidfile).read_text().strip() if os.path.exists(iidfile) else ""
        if not image_id:
            raise BuildFailed(
                "BuildKit finished without an image id.\n" + "\n".join(plain[-10:]),
                cause=FailureCause.ENGINE,
                steps=records,
            )
        self.result = BuildResult(
            image_id=image_id,
            tag=self.tag,
            duration_s=elapsed,
            steps=records,
            stages_built=self._stages_built(records),
            stages_skipped=self._stages_skipped(),
            builder="buildx",
            notices=tuple(self.notices),
            limits_enforced=self.limits_enforced,
        )

    def _watch_counters(self, cgroup: build_limits.StepCgroup, done: threading.Event) -> None:
        """Stop the build as soon as the kernel refuses a fork or kills for memory: the step cannot recover."""
        causes = {
            build_limits.Limit.PROCESSES: FailureCause.PROCESS_LIMIT,
            build_limits.Limit.MEMORY: FailureCause.MEMORY_LIMIT,
            build_limits.Limit.DISK: FailureCause.DISK_LIMIT,
        }
        ticks = 0
        while not done.wait(LIMIT_POLL_S):
            ticks += 1
            try:
                if ticks % DISK_POLL_TICKS == 0:  # walking a layer costs more than reading counters
                    cgroup.measure_disk()
                reached = cgroup.limit_reached()
            except OSError:
                continue
            if reached is not None:
                self.cancel(causes[reached])
                return

    def _stages_built(self, records: tuple[StepRecord, ...]) -> tuple[str, ...]:
        if self.model is None:
            return tuple(dict.fromkeys(r.step.stage for r in records if r.step.stage))
        try:
            return tuple(s.ref for s in self.model.needed_stages(self.target))
        except DockerfileSyntaxError:
            return ()

    def _stages_skipped(self) -> tuple[str, ...]:
        if self.model is None:
            return ()
        try:
            return tuple(s.ref for s in self.model.skipped_stages(self.target))
        except DockerfileSyntaxError:
            return ()

    def _failure(self, records: tuple[StepRecord, ...], plain: list[str], logs: dict[str, deque[str]]) -> BuildFailed:
        failed = next((r for r in records if r.state is StepState.FAILED), None)
        error_lines = [line for line in plain if line.startswith("ERROR:")]
        reason = error_lines[-1][len("ERROR:") :].strip() if error_lines else ""
        if not reason and failed is not None:
            reason = failed.step.instruction
        excerpt_lines: list[str] = []
        line_number: int | None = None
        for index, text in enumerate(plain):
            match = _TRAILER_LOCATION.match(text.strip())
            if match and index + 1 < len(plain) and plain[index + 1].startswith("-----"):
                line_number = int(match.group("line"))
                excerpt_lines = plain[index : index + 12]
        log_tail = failed.log_tail if failed else tuple(plain[-LOG_TAIL_LINES:])
        if self._cancel_reason is not None:
            cause = self._cancel_reason
            reason = {
                FailureCause.TIMEOUT: f"Stopped after {self.timeout_s:.0f} s.",
                FailureCause.OUTPUT_LIMIT: f"Stopped after printing more than {format_size(self.max_output_bytes)}.",
                FailureCause.PROCESS_LIMIT: f"Stopped: the kernel refused to start more than {self.limits.processes} processes.",
                FailureCause.MEMORY_LIMIT: f"Stopped: the kernel killed a process at the {build_limits.memory_words(self.limits.memory_mb)} memory limit.",
            }.get(cause, "Cancelled.")
        else:
            cause = self._limit_cause(reason, log_tail) or _classify(reason, log_tail)
        if line_number is None and failed is not None:
            line_number = failed.step.line
        if line_number is None and cause is FailureCause.SYNTAX:
            match = re.search(r"line (\d+)", reason)
            line_number = int(match.group(1)) if match else None
        instruction = failed.step.instruction if failed else None
        if instruction is None and line_number is not None and self.model is not None:
            for candidate in self.model.instructions:
                if candidate.start_line <= line_number <= candidate.end_line:
                    instruction = _squash(candidate.original.splitlines()[0])
        stopped = None
        if cause in LIMIT_CAUSES:
            culprit = _culprit(records)
            step = culprit.step if culprit is not None else (failed.step if failed else None)
            if step is not None:
                instruction, line_number = step.instruction, step.line or line_number
            what = step.keyword if step is not None and step.keyword else "The build"
            where = f" at line {line_number}" if line_number and step is not None else ""
            stopped = f"{what}{where} was stopped: {build_limits.stopped_because(LIMIT_CAUSES[cause], self.limits)}"
        return BuildFailed(
            reason or "The build failed.",
            cause=cause,
            instruction=instruction,
            line=line_number,
            stage=failed.step.stage if failed else None,
            log_tail=tuple(log_tail),
            excerpt="\n".join(excerpt_lines) or None,
            steps=records,
            stopped=stopped,
        )

    def _limit_cause(self, reason: str, log_tail: tuple[str, ...] | list[str]) -> FailureCause | None:
        """A budget the failed build ran into, read from the kernel's counters and the log; None if none."""
        text = reason + "\n" + "\n".join(log_tail)
        if build_limits.FILE_TOO_LARGE.search(text):
            return FailureCause.FILE_LIMIT
        if self._cgroup is None:
            return None
        killed = "exit code: 137" in reason or "signal: killed" in reason.lower()
        try:
            reached = self._cgroup.hit(killed=killed, log_text=text)
        except OSError:
            return None
        return {
            build_limits.Limit.PROCESSES: FailureCause.PROCESS_LIMIT,
            build_limits.Limit.MEMORY: FailureCause.MEMORY_LIMIT,
        }.get(reached)

    # -- classic builder fallback ------------------------------------------------------------

    def _classic_events(self) -> Iterator[BuildEvent]:
        notice = (
            "buildx is not installed: using the classic builder. It cannot run heredocs, "
            "RUN --mount, COPY --chmod/--link, and it builds every stage, even ones the target "
            "does not need. Install the buildx plugin for the real thing."
        )
        self.notices.append(notice)
        yield BuildEvent(EventKind.NOTICE, text=notice)
        sdk = client()
        started_at = time.monotonic()
        records: list[StepRecord] = []
        current: BuildStep | None = None
        current_state = StepState.DONE
        current_started = 0.0
        tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
        image_id = ""

        def finish() -> Iterator[BuildEvent]:
            if current is None or current.instruction.startswith(_OUR_LABEL_STEP):
                return
            took = time.monotonic() - current_started
            records.append(StepRecord(current, current_state, took, tuple(tail)))
            kind = EventKind.STEP_CACHED if current_state is StepState.CACHED else EventKind.STEP_FINISHED
            yield BuildEvent(kind, step=current, duration_s=took)

        with engine_errors():
            stream = sdk.api.build(
                path=str(self.context),
                dockerfile=str(self.dockerfile.resolve()),
                tag=self.tag,
                target=self.target,
                buildargs=self.build_args or None,
                nocache=self.no_cache,
                labels=self.labels,
                rm=True,
                forcerm=True,
                decode=True,
            )
            for chunk in stream:
                if self.cancelled:
                    raise BuildFailed("Cancelled.", cause=self._cancel_reason or FailureCause.CANCELLED)
                if "error" in chunk:
                    failed = current or BuildStep("classic", None, None, None, "")
                    records.append(StepRecord(failed, StepState.FAILED, None, tuple(tail)))
                    yield BuildEvent(EventKind.STEP_FAILED, step=failed, text=chunk["error"])
                    raise BuildFailed(
                        chunk["error"].strip(),
                        cause=_classify(chunk["error"], tuple(tail)),
                        instruction=failed.instruction or None,
                        line=failed.line,
                        log_tail=tuple(tail),
                        steps=tuple(records),
                    )
                if "aux" in chunk and "ID" in chunk["aux"]:
                    image_id = chunk["aux"]["ID"]
                for raw in (chunk.get("stream") or "").splitlines():
                    match = _CLASSIC_STEP.match(raw)
                    if match:
                        yield from finish()
                        current = self._classic_step(int(match.group(1)), int(match.group(2)), match.group(3))
                        current_state, current_started = StepState.DONE, time.monotonic()
                        tail.clear()
                        if not current.instruction.startswith(_OUR_LABEL_STEP):
                            yield BuildEvent(EventKind.STEP_STARTED, step=current)
                    elif raw.strip() == "---> Using cache":
                        current_state = StepState.CACHED
                    elif raw.strip() and not _CLASSIC_CHATTER.match(raw):
                        tail.append(raw)
                        yield BuildEvent(EventKind.LOG, step=current, text=raw)
        yield from finish()
        self.result = BuildResult(
            image_id=image_id,
            tag=self.tag,
            duration_s=time.monotonic() - started_at,
            steps=tuple(records),
            stages_built=tuple(s.ref for s in self.model.stages) if self.model else (),
            stages_skipped=(),
            builder="classic",
            notices=tuple(self.notices),
        )

    def _classic_step(self, position: int, total: int, instruction: str) -> BuildStep:
        """The classic builder numbers every instruction of the file: the Nth is the Nth in the model."""
        line = stage = None
        if self.model is not None and position <= len(self.model.instructions):
            written = self.model.instructions[position - 1]
            line = written.start_line
            stage = next((s.ref for s in self.model.stages if written in (s.from_instruction, *s.instructions)), None)
        return BuildStep(f"classic-{position}", stage, position, total, _squash(instruction), line)


def _culprit(records: tuple[StepRecord, ...]) -> StepRecord | None:
    """The step a budget stopped: the failed RUN, else the RUN that was still running (latest first)."""
    runs = [r for r in records if r.step.keyword == "RUN"]
    for state in (StepState.FAILED, StepState.RUNNING):
        matching = [r for r in runs if r.state is state]
        if matching:
            return matching[-1]
    return next((r for r in records if r.state is StepState.FAILED), None)


#: The classic builder turns the labels we pass into extra LABEL steps at the end; they are ours, not the learner's.
_OUR_LABEL_STEP = "LABEL org.stagelab."
_CLASSIC_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
#: The classic builder's own bookkeeping lines, not the step's output.
_CLASSIC_CHATTER = re.compile(r"^\s*---> |^Successfully (built|tagged) ")


# What BuildKit says when the engine under it stops: a RUN "fails", but not because of
# the learner's command.
_ENGINE_GONE = re.compile(
    r"database not open|daemon is shutting down|transport is closing|code = Unavailable|"
    r"error reading from server|Cannot connect to the Docker daemon|closed network connection|"
    r"connection reset by peer|EOF$",
    re.IGNORECASE,
)


def _classify(reason: str, log_tail: tuple[str, ...] | list[str]) -> FailureCause:
    text = reason + "\n" + "\n".join(log_tail)
    if "dockerfile parse error" in reason or "unknown instruction" in reason or "failed to parse" in reason.lower():
        return FailureCause.SYNTAX
    if re.search(r"is not allowed|entitlement|secret \S+: not found", reason):
        return FailureCause.NOT_ALLOWED
    if "no space left on device" in text:
        return FailureCause.ENGINE
    if _ENGINE_GONE.search(reason) or not _engine_answers():
        return FailureCause.ENGINE
    if re.search(
        r"pull access denied|failed to resolve source metadata|not found: manifest unknown|failed to do request", reason
    ):
        return FailureCause.BASE_IMAGE
    if _NETWORK_PATTERNS.search(text):
        return FailureCause.NETWORK
    if re.search(r"failed to calculate checksum|failed to compute cache key|not found$", reason):
        return FailureCause.MISSING_FILE
    if "did not complete successfully" in reason or "exit code" in reason:
        return FailureCause.COMMAND
    return FailureCause.COMMAND


def _image_size(image_id: str) -> int | None:
    """The image's size as the engine reports it (what ``docker images`` shows); None if unknown."""
    from . import image_store  # the image store is not needed to build, only to measure

    try:
        facts = image_store.inspect(image_id) if image_id else None
    except StagelabError:
        return None
    return facts.size_bytes if facts is not None else None


def _engine_answers() -> bool:
    """Whether the engine still answers right after a failure (it may have stopped under the build)."""
    try:
        client()
    except StagelabError:
        return False
    return True


#: How long buildx gets to end the solve after SIGINT before it is killed.
CANCEL_GRACE_S = 10


def _interrupt_process_group(process: subprocess.Popen[str]) -> None:
    """SIGINT now (buildx cancels the solve); SIGKILL later if the group is still there."""
    try:
        os.killpg(process.pid, signal.SIGINT)
    except ProcessLookupError:
        return

    def kill_if_alive() -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    timer = threading.Timer(CANCEL_GRACE_S, kill_if_alive)
    timer.daemon = True
    timer.start()


def _stop_process_group(process: subprocess.Popen[str]) -> None:
    """SIGINT lets buildx cancel the solve cleanly; SIGKILL if it does not go."""
    try:
        os.killpg(process.pid, signal.SIGINT)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def build(
    context: str | os.PathLike[str],
    dockerfile: str | os.PathLike[str] | None = None,
    *,
    on_event: Callable[[BuildEvent], None] | None = None,
    **options,
) -> BuildResult:
    """Build and wait for the result (see :class:`Build` for the options)."""
    return Build(context, dockerfile, **options).run(on_event)
