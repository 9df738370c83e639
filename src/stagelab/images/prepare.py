"""``prepare``: make every course image available — keep, pull, or build a stand-in.

For each catalogued reference, in dependency order: an image already in the engine is
kept; else a registry is tried; else a stand-in is made (see :mod:`.stand_ins`).
Everything intermediate is cached (rootfs tarball, wheels, unpacked toolchains,
BuildKit's layer and apt caches), so a second run takes seconds and an interrupted
run resumes where it stopped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from .. import labels
from ..engine import Engine, ImageFacts
from ..errors import StagelabError
from . import catalogue, site_certs
from .catalogue import Availability, Entry
from .stand_ins import Workshop, is_stand_in


class Source(str, Enum):
    """Where a course image in the engine came from, or why it is not there."""

    STAND_IN = "stand-in"  # made locally by stagelab
    UPSTREAM = "present"  # the real image (pulled earlier, loaded from a kit, …)
    PULLED = "pulled"  # pulled by this prepare
    MISSING = "missing"  # not there yet; prepare can make it
    UNAVAILABLE = "unavailable"  # registry only, and no registry answers


class Action(str, Enum):
    KEPT = "kept"
    PULLED = "pulled"
    BUILT = "built"
    TAGGED = "tagged"  # an alias given to an image already made
    UNAVAILABLE = "unavailable"
    FAILED = "failed"


@dataclass(frozen=True)
class Progress:
    """One update for a progress display: which image, how far, doing what."""

    reference: str
    completed: int
    total: int
    message: str
    finished: bool = False
    action: Action | None = None


@dataclass(frozen=True)
class Outcome:
    """What prepare did for one reference."""

    reference: str
    action: Action
    duration_s: float
    message: str = ""
    image_id: str = ""
    size_bytes: int = 0


@dataclass(frozen=True)
class PrepareReport:
    """Everything one prepare did, and how long it took."""

    outcomes: tuple[Outcome, ...]
    duration_s: float

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.action is Action.FAILED)

    @property
    def built(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.action is Action.BUILT)

    @property
    def ok(self) -> bool:
        return not self.failed


def _select(refs: Iterable[str] | None) -> tuple[list[Entry], set[str]]:
    """The requested entries plus every catalogue image they are made from, dependencies first.

    Also returns the references asked for (``--rebuild`` remakes those, not their bases).
    """
    if refs is None:
        wanted = list(catalogue.entries())
    else:
        wanted = []
        for ref in refs:
            entry = catalogue.lookup(ref)
            if entry is None:
                raise StagelabError(
                    f"{ref} is not in the course's image catalogue. `stagelab images list` shows the references it knows."
                )
            wanted.append(entry)
    ordered: list[Entry] = []
    seen: set[str] = set()

    def visit(entry: Entry) -> None:
        if entry.reference in seen:
            return
        seen.add(entry.reference)
        for dependency in entry.depends_on:
            found = catalogue.lookup(dependency)
            if found is not None:
                visit(found)
        ordered.append(entry)

    for entry in wanted:
        visit(entry)
    return ordered, {entry.reference for entry in wanted}


def _registry_host(reference: str) -> str:
    first = reference.split("/", 1)[0]
    return first if "/" in reference and ("." in first or ":" in first) else "docker.io"


class _Preparer:
    def __init__(self, rebuild: set[str], pull: bool, workshop: Workshop, notify: Callable[[Progress], None]):
        self.rebuild = rebuild
        self.pull = pull
        self.workshop = workshop
        self.notify = notify
        self.dead_registries: set[str] = set()
        self.failed: set[str] = set()

    def _try_pull(self, reference: str) -> bool:
        host = _registry_host(reference)
        if not self.pull or host in self.dead_registries:
            return False
        if Engine().images.try_pull(reference):
            return True
        # One failed pull per registry is enough to know it does not answer.
        self.dead_registries.add(host)
        return False

    def one(self, entry: Entry) -> Outcome:
        started = time.monotonic()
        reference = entry.reference

        def done(action: Action, message: str = "", facts: ImageFacts | None = None) -> Outcome:
            self.notify(Progress(reference, 1, 1, message or action.value, finished=True, action=action))
            return Outcome(
                reference,
                action,
                time.monotonic() - started,
                message,
                facts.id if facts else "",
                facts.size_bytes if facts else 0,
            )

        self.notify(Progress(reference, 0, 1, "checking"))
        present = Engine().images.inspect(reference)
        # --rebuild remakes our stand-ins (and re-points aliases); a real upstream image is always kept.
        rebuild = reference in self.rebuild
        if present is not None and not (rebuild and (is_stand_in(present) or entry.is_alias)):
            return done(Action.KEPT, "stand-in present" if is_stand_in(present) else "present", present)
        blocked = [d for d in entry.depends_on if d in self.failed]
        if entry.is_alias:
            assert entry.alias_of is not None
            target = Engine().images.inspect(entry.alias_of)
            if target is None:
                self.failed.add(reference)
                return done(Action.FAILED, f"{entry.alias_of} is not available")
            Engine().images.tag(target.id, reference)
            return done(Action.TAGGED, f"same image as {entry.alias_of}", Engine().images.inspect(reference))
        if entry.availability is Availability.REGISTRY_ONLY:
            self.notify(Progress(reference, 0, 1, "trying a registry"))
            if self._try_pull(reference):
                return done(Action.PULLED, "pulled", Engine().images.inspect(reference))
            return done(Action.UNAVAILABLE, entry.unavailable_reason)
        if self._try_pull(reference):
            return done(Action.PULLED, "pulled", Engine().images.inspect(reference))
        if blocked:
            self.failed.add(reference)
            return done(Action.FAILED, f"needs {', '.join(blocked)}, which could not be made")
        try:
            facts = self.workshop.make(
                entry, lambda step: self.notify(Progress(reference, step.completed, step.total, step.message))
            )
        except StagelabError as error:
            self.failed.add(reference)
            return done(Action.FAILED, str(error))
        if present is not None and present.id != facts.id:
            # Aliases follow the new image; the stand-in it replaces is then removed, not left dangling.
            for alias in catalogue.entries():
                if alias.alias_of == reference and Engine().images.exists(alias.reference):
                    Engine().images.tag(facts.id, alias.reference)
            Engine().images.remove_if_dangling(present.id)
        return done(Action.BUILT, entry.content, facts)


def prepare(
    refs: Iterable[str] | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    ca_certs: Iterable[str | os.PathLike[str]] = (),
    rebuild: bool = False,
    pull: bool = True,
    no_cache: bool = False,
) -> PrepareReport:
    """Make the course images available (all of them, or ``refs`` and what they are made from).

    ``on_progress`` receives :class:`Progress` updates; ``ca_certs`` adds CA files to the
    host's /usr/local/share/ca-certificates/*.crt; ``rebuild`` remakes the requested
    stand-ins even when they exist (the images they are built from are kept); ``no_cache``
    builds without BuildKit's layer cache (downloads still come from the caches).
    Failures are reported per image in the returned :class:`PrepareReport`, not raised.
    """
    started = time.monotonic()
    entries, requested = _select(refs)
    workshop = Workshop(site_certs.find(ca_certs), no_cache=no_cache)
    preparer = _Preparer(
        requested if rebuild else set(), pull and not rebuild, workshop, on_progress or (lambda progress: None)
    )
    outcomes = [preparer.one(entry) for entry in entries]
    return PrepareReport(tuple(outcomes), time.monotonic() - started)


@dataclass(frozen=True)
class ImageStatus:
    """A catalogued reference and what the engine holds for it."""

    reference: str
    source: Source
    content: str
    size_bytes: int
    upstream_size_bytes: int | None
    image_id: str = ""
    note: str = ""


def status(refs: Iterable[str] | None = None) -> list[ImageStatus]:
    """Each catalogued reference: stand-in, real image, missing or unavailable; content and size."""
    entries = list(catalogue.entries()) if refs is None else [e for e in (catalogue.lookup(r) for r in refs) if e]
    found: list[ImageStatus] = []
    for entry in entries:
        if entry.alias_of and entry.upstream_size_bytes is None:
            target = catalogue.lookup(entry.alias_of)
            upstream = target.upstream_size_bytes if target else None
        else:
            upstream = entry.upstream_size_bytes
        facts = Engine().images.inspect(entry.reference)
        if facts is None:
            source = Source.UNAVAILABLE if entry.availability is Availability.REGISTRY_ONLY else Source.MISSING
            note = entry.unavailable_reason if source is Source.UNAVAILABLE else "run `stagelab images prepare`"
            found.append(ImageStatus(entry.reference, source, "", 0, upstream, note=note))
            continue
        ours = is_stand_in(facts)
        content = facts.labels.get(labels.STAND_IN_CONTENT, "") if ours else "upstream image"
        found.append(
            ImageStatus(
                entry.reference,
                Source.STAND_IN if ours else Source.UPSTREAM,
                content,
                facts.size_bytes,
                upstream,
                facts.id,
                facts.labels.get("org.stagelab.stand-in.size-note", "") if ours else "",
            )
        )
    return found


def missing_images(refs: Iterable[str] | None = None) -> list[str]:
    """Catalogued references a stand-in could be made for that the engine does not have (for `doctor`)."""
    return [s.reference for s in status(refs) if s.source is Source.MISSING]
