"""Making one stand-in: a Debian rootfs import, or a recipe Dockerfile built with the library's build.

Stand-ins are tagged with the upstream reference and labelled so nobody mistakes
them for the real thing: :data:`stagelab.labels.STAND_IN` = ``"true"`` and
:data:`stagelab.labels.STAND_IN_CONTENT` saying what really is inside.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import labels
from ..engine import Build, BuildProgress, Engine, ImageFacts, StepState
from ..errors import StagelabError
from . import rootfs, site_certs, toolchains
from .catalogue import GO_VERSION, NODE_VERSION, Entry, Method

#: The upstream reference a stand-in was made for (its tag may be an alias too).
REFERENCE_LABEL = "org.stagelab.stand-in.reference"
#: "true" when the stand-in trusts the site's extra CA certificates.
SITE_CA_LABEL = "org.stagelab.stand-in.site-ca"
STAND_IN_KIND = labels.STAND_IN_KIND
RECIPES = Path(__file__).parent / "recipes"
SUITE = "trixie"


def cache_dir() -> Path:
    """Where downloads and intermediate results live (``STAGELAB_CACHE_DIR``, else ~/.cache/stagelab)."""
    return Path(os.environ.get("STAGELAB_CACHE_DIR", Path.home() / ".cache" / "stagelab"))


def is_stand_in(facts: ImageFacts) -> bool:
    """True for an image made by :func:`make` (not an image merely built FROM one).

    Labels are inherited, so a learner's image built on a stand-in carries STAND_IN too;
    the kind label (overwritten by every build) tells the two apart.
    """
    return labels.is_stand_in(facts.labels)


@dataclass(frozen=True)
class StepProgress:
    """How far the making of one stand-in is (steps of its build, or phases of an import)."""

    completed: int
    total: int
    message: str


def stand_in_labels(entry: Entry, run_id: str, with_site_ca: bool) -> dict[str, str]:
    """The labels every stand-in carries."""
    return {
        **labels.labels_for(run_id, STAND_IN_KIND),
        # Stand-ins are shared course images, whoever made them: a test session (with its
        # own STAGELAB_OWNER) that prepares one must not have it removed at its end.
        labels.OWNER: labels.DEFAULT_OWNER,
        labels.STAND_IN: "true",
        labels.STAND_IN_CONTENT: entry.content,
        REFERENCE_LABEL: entry.reference,
        SITE_CA_LABEL: "true" if with_site_ca else "false",
        "org.opencontainers.image.description": f"Stand-in for {entry.reference} made by stagelab: {entry.content}",
        **({"org.stagelab.stand-in.size-note": entry.size_note} if entry.size_note else {}),
    }


class Workshop:
    """Makes stand-ins; holds the build context (recipes, toolchains) and the site CAs for one prepare."""

    def __init__(
        self,
        certificates: tuple[site_certs.SiteCertificate, ...] = (),
        cache: Path | None = None,
        no_cache: bool = False,
    ):
        self.certificates = certificates
        self.no_cache = no_cache
        self.cache = cache or cache_dir()
        self.context = self.cache / "context"
        self._context_ready = False

    def _prepare_context(self) -> None:
        if self._context_ready:
            return
        target = self.context / "recipes"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(RECIPES, target)
        self._context_ready = True

    def make(self, entry: Entry, on_step: Callable[[StepProgress], None] | None = None) -> ImageFacts:
        """Make the stand-in for one catalogue entry and tag it with its reference."""
        report = on_step or (lambda progress: None)
        run_id = labels.new_run_id("stand-in")
        if entry.recipe.method is Method.ROOTFS:
            return self._import_rootfs(entry, run_id, report)
        if entry.recipe.method is Method.DOCKERFILE:
            return self._build(entry, run_id, report)
        raise StagelabError(
            f"{entry.reference} has no stand-in recipe ({entry.unavailable_reason or 'registry only'})."
        )

    def _import_rootfs(self, entry: Entry, run_id: str, report: Callable[[StepProgress], None]) -> ImageFacts:
        report(StepProgress(0, 3, f"mmdebstrap {SUITE} (minbase)"))
        minbase = rootfs.ensure_minbase(SUITE, self.cache / "rootfs")
        report(StepProgress(1, 3, "writing the image tarball"))
        with tempfile.TemporaryDirectory(prefix="stagelab-rootfs-", dir=self.cache) as scratch:
            tarball = rootfs.write_image_tar(
                minbase,
                Path(scratch) / "rootfs.tar",
                suite=SUITE,
                slim=entry.recipe.slim,
                certificates=self.certificates,
            )
            report(StepProgress(2, 3, "docker import"))
            facts = Engine().images.import_tarball(
                tarball,
                entry.reference,
                env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                cmd=["bash"],
                labels=stand_in_labels(entry, run_id, bool(self.certificates)),
            )
        report(StepProgress(3, 3, "imported"))
        return facts

    def _toolchains(self, entry: Entry) -> None:
        """Unpack the wheels a recipe COPYs from (cached; seconds when already done)."""
        args = entry.recipe.args()
        trees = self.context / "toolchains"
        wheels = self.cache / "wheels"
        if "NODE_VERSION" in args:
            toolchains.node_tree(args.get("NODE_VERSION", NODE_VERSION), wheels, trees)
        if "GO_VERSION" in args:
            toolchains.go_tree(args.get("GO_VERSION", GO_VERSION), wheels, trees)

    def _build(self, entry: Entry, run_id: str, report: Callable[[StepProgress], None]) -> ImageFacts:
        self._prepare_context()
        report(StepProgress(0, 1, "toolchains"))
        self._toolchains(entry)
        recipe = entry.recipe
        target = recipe.site_ca_target if (self.certificates and recipe.site_ca_target) else recipe.target
        assert recipe.dockerfile is not None
        build = Build(
            self.context,
            self.context / "recipes" / recipe.dockerfile,
            target=target,
            build_args=recipe.args(),
            tag=entry.reference,
            labels=stand_in_labels(entry, run_id, bool(self.certificates)),
            kind=STAND_IN_KIND,
            run_id=run_id,
            no_cache=self.no_cache,
            timeout_s=1800,
        )
        progress = BuildProgress(build.plan)
        for event in build.events():
            step = progress.apply(event)
            if step is not None:
                # Steps of all stages the target needs (BuildKit only numbers steps within a stage).
                done = progress.steps_finished
                total = max(progress.steps_expected, done + (step.state is StepState.RUNNING))
                report(StepProgress(done, total, step.instruction[:60]))
        return Engine().images.require(entry.reference)
