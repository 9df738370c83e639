"""A limit on simultaneous builds per engine, shared by every process on the machine.

Twenty learners pressing "Check my work" at once on one engine would otherwise start
twenty BuildKit solves that fight for two cores. Each build takes one of
``STAGELAB_MAX_BUILDS`` slots (default: the machine's cores, at least 2); the others
wait in a first-come queue and can say how many builds are ahead of them.

Slots and queue places are ``flock``-ed files, so a process that dies frees its place.

A slot also names the cgroup its builds run under (:func:`cgroup_name`): BuildKit
counts the cgroup parent in a RUN step's cache key, so a name that stays the same
from build to build keeps the cache working, and one build at a time per slot keeps
the budget per build. A build may ask for the slot it used before (``wanted``): a
rebuild in the same slot finds its cache.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path


def cgroup_prefix(directory: Path | None = None) -> str:
    """What the cgroup names of the build slots in ``directory`` (default: this machine's) start with."""
    key = hashlib.sha1(str((directory or _directory()).resolve()).encode()).hexdigest()[:10]
    return f"stagelab-slot-{key}-"


def max_builds() -> int:
    """How many builds may run at once on this engine."""
    configured = os.environ.get("STAGELAB_MAX_BUILDS")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(2, os.cpu_count() or 2)


def _directory() -> Path:
    engine = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    key = hashlib.sha1(engine.encode()).hexdigest()[:10]
    base = Path(os.environ.get("STAGELAB_STATE_DIR", Path.home() / ".cache" / "stagelab"))
    directory = base / "slots" / key
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class BuildSlot:
    """Wait for, hold, and release one build slot."""

    def __init__(self, enabled: bool = True, poll_s: float = 0.25, wanted: int | None = None):
        self.enabled = enabled
        self.poll_s = poll_s
        #: Take this slot and no other (e.g. the rebuild of a grading: same slot, same cache keys).
        self.wanted = wanted if wanted is not None and 0 <= wanted < max_builds() else None
        #: The slot held (0…max_builds-1), and the folder of slots it belongs to.
        self.index: int | None = None
        self.directory: Path | None = None
        self._slot_fd: int | None = None
        self._ticket_fd: int | None = None
        self._ticket: Path | None = None

    def wait(self) -> Iterator[int]:
        """Yield the number of builds ahead while waiting; return once a slot is held."""
        if not self.enabled:
            return
        directory = self.directory = _directory()
        if self._take(directory):
            return
        queue = directory / "queue"
        queue.mkdir(exist_ok=True)
        self._ticket = queue / f"{time.time_ns():020d}-{os.getpid()}-{id(self)}"
        self._ticket_fd = _try_lock(self._ticket)
        last_reported = -1
        try:
            while not self._take(directory):
                ahead = self._ahead(queue)
                if ahead != last_reported:
                    last_reported = ahead
                    yield ahead
                time.sleep(self.poll_s)
        finally:
            self._leave_queue()

    def _take(self, directory: Path) -> bool:
        for index in range(max_builds()) if self.wanted is None else (self.wanted,):
            fd = _try_lock(directory / f"slot-{index}")
            if fd is not None:
                self._slot_fd, self.index = fd, index
                return True
        return False

    def cgroup_name(self) -> str | None:
        """The cgroup name this slot's builds use: the same for every build in it (None without a slot)."""
        if self.index is None or self.directory is None:
            return None
        return f"{cgroup_prefix(self.directory)}{self.index}"

    def _ahead(self, queue: Path) -> int:
        """Live waiters that came before us plus the running builds."""
        ahead = max_builds()
        for ticket in sorted(queue.iterdir()):
            if self._ticket is not None and ticket.name >= self._ticket.name:
                break
            fd = _try_lock(ticket)
            if fd is not None:  # its owner died: clear the stale place
                os.close(fd)
                ticket.unlink(missing_ok=True)
            else:
                ahead += 1
        return ahead

    def _leave_queue(self) -> None:
        if self._ticket_fd is not None:
            os.close(self._ticket_fd)
            self._ticket_fd = None
        if self._ticket is not None:
            self._ticket.unlink(missing_ok=True)
            self._ticket = None

    def release(self) -> None:
        """Free the slot (safe to call more than once, or without holding one)."""
        self._leave_queue()
        if self._slot_fd is not None:
            os.close(self._slot_fd)
            self._slot_fd = None
            self.index = None
