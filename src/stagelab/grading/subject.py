"""What is being graded: the Dockerfile, its context, and (lazily) the image and container.

A :class:`Subject` is made once per grading and handed to every check. The
Dockerfile is read and diagnosed at once (never raising); the engine work — the
build, the image report, the probes — happens on first use and is shared, so
``runtime.responds`` and ``runtime.stops-cleanly`` look at one run of the app.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..dockerfile import Dockerfile, DockerfileSyntaxError, Stage
from ..dockerfile import load as load_dockerfile
from ..dockerfile import parse as parse_dockerfile
from . import syntax
from .checks.base import SkipCheck

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:  # the engine and the lab spec load when first used: `stagelab lint` never loads them
    from typing import Any

    from ..engine import BuildEvent, BuildFailed, BuildResult, ContainerView, ExecAttempt, ImageReport, ProbeResult
    from .app_identity import Entry, Verdict
    from .spec import LabSpec, RunSpec

NONCE_PLACEHOLDER = "{nonce}"


class Subject:
    """One submission under grading (or one Dockerfile under lint)."""

    def __init__(
        self,
        dockerfile_path: Path | None,
        context_dir: Path | None = None,
        *,
        spec: LabSpec | None = None,
        lab_dir: Path | None = None,
        lab_context: Path | None = None,
        text: str | None = None,
        run_id: str | None = None,
        on_build_event: Callable[[BuildEvent], None] | None = None,
    ):
        self.dockerfile_path = dockerfile_path
        self.context_dir = context_dir
        self.spec = spec
        self.lab_dir = lab_dir
        #: The lab's own build context with its app filled in (default: the lab folder's).
        self.lab_context = lab_context
        # os.urandom, not uuid4 (the same random hex digits): uuid is slow to import, and lint makes a Subject.
        self.run_id = run_id or f"grade-{os.urandom(5).hex()}"
        self.on_build_event = on_build_event
        #: A fresh token per grading; `{nonce}` in run.http/run.command is replaced by it,
        #: so a canned response cannot know what to answer.
        self.nonce = os.urandom(6).hex()
        self.model: Dockerfile | None = None
        self.parse_error: DockerfileSyntaxError | None = None
        self.diagnoses: list[syntax.Diagnosis] = []
        self._read(text)
        # Engine state, filled in by the build check and the lazy helpers below.
        self.build_result: BuildResult | None = None
        self.build_failure: BuildFailed | None = None
        self.build_blocked: str | None = None
        self.image_ref: str | None = None
        #: Set once anything was asked of the engine, so the grader knows to clean up.
        self.engine_touched = False
        # One answer per question (the report, each probe, each rebuild…), of the type its method returns.
        self._cache: dict[str, Any] = {}

    # -- the Dockerfile -----------------------------------------------------------------

    def _read(self, text: str | None) -> None:
        try:
            if text is not None:
                self.model = parse_dockerfile(text, path=str(self.dockerfile_path) if self.dockerfile_path else None)
            elif self.dockerfile_path is not None:
                self.model = load_dockerfile(self.dockerfile_path)
            else:
                raise DockerfileSyntaxError("no Dockerfile given")
        except DockerfileSyntaxError as error:
            self.parse_error = _explained(error)
            return
        except Exception as error:  # the parser must never take grading down, whatever the input
            self.parse_error = DockerfileSyntaxError(f"could not be parsed ({type(error).__name__}: {error})")
            return
        try:
            self.diagnoses = syntax.diagnose(self.model)
        except Exception as error:  # a bug in a diagnosis must not hide the others
            self.diagnoses = [syntax.Diagnosis(None, f"internal error while checking syntax: {error}", "")]

    @property
    def parses(self) -> bool:
        return self.model is not None and not self.diagnoses

    def parse_problem(self) -> str | None:
        """One line saying why the Dockerfile does not parse, or None."""
        if self.parse_error is not None:
            return self.parse_error.reason + (f" (line {self.parse_error.line})" if self.parse_error.line else "")
        if self.diagnoses:
            return str(self.diagnoses[0])
        return None

    def require_model(self) -> Dockerfile:
        """The parsed Dockerfile, or skip the calling check (a misread Dockerfile would mislead it)."""
        if self.model is None or self.diagnoses:
            raise SkipCheck("the Dockerfile does not parse (see dockerfile.parses)")
        return self.model

    @property
    def target(self) -> str | None:
        return self.spec.build.target if self.spec else None

    @property
    def build_args(self) -> dict[str, str]:
        return dict(self.spec.build.build_args) if self.spec else {}

    def target_stage(self) -> Stage:
        """The stage the build produces, or skip when the target does not exist."""
        model = self.require_model()
        try:
            return model.target_stage(self.target)
        except DockerfileSyntaxError as error:
            raise SkipCheck(error.reason) from None

    def base_chain(self, stage: Stage) -> list[Stage]:
        """The stage, then the stages it is built FROM (``FROM builder``), nearest first."""
        model = self.require_model()
        chain = [stage]
        while True:
            parent = model.stage(model.resolved_base(chain[-1], self.build_args))
            if parent is None or parent.index >= chain[-1].index or parent in chain:
                return chain
            chain.append(parent)

    def final_base_image(self) -> str:
        """The image reference the final stage ultimately starts from (stage names followed)."""
        model = self.require_model()
        chain = self.base_chain(self.target_stage())
        return model.resolved_base(chain[-1], self.build_args)

    # -- the engine ------------------------------------------------------------------------

    def require_image(self) -> str:
        """The built image, or skip the calling check with the reason it is missing."""
        if self.image_ref is None:
            if self.build_blocked:
                raise SkipCheck(self.build_blocked)
            raise SkipCheck("the image was not built (see image.builds)")
        return self.image_ref

    def build(self, *, timeout_s: float | None = None, tag_suffix: str = "") -> BuildResult:
        """Build the image (once); records the result or the failure and returns the result."""
        from ..engine import Build

        assert self.context_dir is not None and self.dockerfile_path is not None
        lab = self.spec.id if self.spec else "lint"
        self.engine_touched = True
        tag = f"stagelab-grade/{_tag_part(lab)}:{self.run_id}{tag_suffix}"
        build = Build(
            self.context_dir,
            self.dockerfile_path,
            target=self.target,
            build_args=self.build_args,
            tag=tag,
            kind="grade",
            run_id=self.run_id,
            timeout_s=timeout_s,
            limits=self.spec.build.limits if self.spec else None,
            network=self.spec.build.network if self.spec else True,
            # The rebuild waits for the slot the first build ran in: the slot names the build's
            # cgroup, which BuildKit counts in the cache key of every RUN step.
            slot=self._cache.get("slot"),
        )
        try:
            return build.run(self.on_build_event)
        finally:
            if build.slot is not None:
                self._cache.setdefault("slot", build.slot)

    def image_report(self) -> ImageReport:
        """The engine's report on the built image (files, size, user, attack surface…)."""
        if "report" not in self._cache:
            from ..engine import Engine

            self._cache["report"] = Engine().reports.image(self.require_image())
        return self._cache["report"]

    def substitute(self, text: str | None) -> str | None:
        return text.replace(NONCE_PLACEHOLDER, self.nonce) if text is not None else None

    @property
    def language(self) -> str:
        """The lab's language (python, node, go, other): declared in lab.yaml, else detected."""
        if "language" not in self._cache:
            from . import hints

            self._cache["language"] = hints.language_of(self)
        return self._cache["language"]

    def app_entry(self) -> Entry | None:
        """The lab's app (entry script or Go module) from the lab's own files, or None when not checked."""
        if "entry" not in self._cache:
            from . import app_identity

            lab_context = self.lab_context
            if lab_context is None and self.spec is not None and self.lab_dir is not None:
                lab_context = Path(self.lab_dir) / self.spec.build.context
            self._cache["entry"] = app_identity.lab_entry(self.spec, lab_context, self.language)
        return self._cache["entry"]

    def _identify(self, view: ContainerView) -> Verdict:
        """Called by the probe while the app runs: is it the lab's app? (never raises)"""
        from ..errors import StagelabError
        from . import app_identity

        try:
            return app_identity.verify(view, self.app_entry())
        except StagelabError as error:
            return app_identity.Verdict(False, True, error=f"could not read the container's processes: {error}")

    def http_probe(self) -> ProbeResult:
        """One run of the app, probed over HTTP as ``run:`` says (shared by runtime checks)."""
        if "http" not in self._cache:
            from ..engine import Engine

            run = self._run_spec()
            if run.port is None:
                raise SkipCheck("the lab's run: section gives no port")
            http = run.http
            self._cache["http"] = Engine().probes.probe(
                self.require_image(),
                port=run.port,
                http_path=self.substitute(http.path if http else "/"),
                timeout_s=run.timeout_s,
                memory_mb=run.memory_mb,
                run_id=self.run_id,
                inspect=self._identify,
            )
        return self._cache["http"]

    def command_probe(self) -> ProbeResult:
        """One run of a CLI app with ``run.command``, to its exit."""
        if "command" not in self._cache:
            from ..engine import Engine

            run = self._run_spec()
            command = [self.substitute(c) for c in run.command] if run.command is not None else None
            self._cache["command"] = Engine().probes.probe(
                self.require_image(),
                command=command,
                timeout_s=run.timeout_s,
                memory_mb=run.memory_mb,
                expect_exit=True,
                run_id=self.run_id,
                inspect=self._identify,
            )
        return self._cache["command"]

    def shell_attempt(self, shell: str) -> ExecAttempt:
        """Try to open ``shell`` in a container of the image."""
        key = f"shell:{shell}"
        if key not in self._cache:
            from ..engine import Engine

            self._cache[key] = Engine().probes.try_exec(self.require_image(), [shell], run_id=self.run_id)
        return self._cache[key]

    def rebuild_after_touching(self, relative_path: str, timeout_s: float | None = None) -> BuildResult:
        """Change one source file in the (temporary) context and build again; returns the result."""
        key = f"rebuild:{relative_path}"
        if key not in self._cache:
            self.require_image()
            assert self.context_dir is not None
            target = (self.context_dir / relative_path).resolve()
            if not target.is_relative_to(self.context_dir.resolve()) or not target.is_file():
                raise SkipCheck(f"{relative_path} is not a file in the build context")
            with target.open("a", encoding="utf-8") as handle:
                handle.write(
                    f"\n// changed by stagelab grade {self.nonce}\n"
                    if target.suffix in (".js", ".go", ".ts", ".c")
                    else f"\n# changed by stagelab grade {self.nonce}\n"
                )
            self._cache[key] = self.build(timeout_s=timeout_s, tag_suffix="-rebuild")
        return self._cache[key]

    def _run_spec(self) -> RunSpec:
        if self.spec is None or self.spec.run is None:
            raise SkipCheck("the lab has no run: section")
        return self.spec.run


def _tag_part(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9._-]", "-", text.lower()) or "lab"


def _explained(error: DockerfileSyntaxError) -> DockerfileSyntaxError:
    """Add a "did you mean FROM?" to the parser's "no FROM" when the first word is a typo of it."""
    import difflib
    import re

    match = re.search(r"found (\S+) first", error.reason)
    if match and match.group(1).upper() not in syntax.KNOWN_INSTRUCTIONS:
        if difflib.get_close_matches(match.group(1).upper(), ["FROM"], n=1, cutoff=0.6):
            return DockerfileSyntaxError(f"{error.reason} — did you mean FROM?", line=error.line, path=error.path)
    return error
