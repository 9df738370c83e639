"""A budget for every build, enforced by the kernel through the engine's cgroups.

Usage::

    budget = BuildLimits(processes=2048, memory_mb=2048)        # or limits_for(lab's numbers)
    with BuildCgroup.open(budget) as cgroup:                  # None when limits cannot be enforced here
        command += cgroup.buildx_args()                       # --cgroup-parent=/stagelab-…
        ...                                                   # run the build
        cgroup.hit(exit_code_137=True)                        # which limit stopped it, if any

Every ``RUN`` container BuildKit starts for the build is made under a cgroup of
ours (``docker buildx build --cgroup-parent``), which carries the build's limits:
processes (``pids.max``), memory without swap (``memory.limit_in_bytes`` /
``memory.max``) and CPU time (``cpu.cfs_quota_us`` / ``cpu.max``). The kernel
enforces them: a fork bomb cannot fork past the limit, a memory hog is killed by
the OOM killer. Whatever the build leaves in the cgroup is killed at the end and
the cgroup removed (BuildKit's ``buildkit/`` child first).

This needs the engine's own ``/sys/fs/cgroup``: the engine must run on this
machine, in our mount and cgroup namespaces, with the cgroupfs driver, and we
must be allowed to write there. :func:`support` says whether that holds and, if
not, why (Docker Desktop, rootless, a remote engine, the systemd driver). Then
builds run without these limits, and grading goes on.

The wall-time limit and the log limit are kept by :class:`stagelab.engine.Build`
(it cancels the solve); the largest file a step may write is a kernel ``ulimit``
(``--ulimit fsize``) that works on every engine.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Protocol

CGROUP_ROOT = Path("/sys/fs/cgroup")
#: CPU weight of a build against everything else on the machine (the graders themselves, probes,
#: the engine): a quarter of the default (v1 ``cpu.shares`` 1024, v2 ``cpu.weight`` 100). Builds
#: still use idle cores freely, up to their quota; under contention the rest of the room goes first.
CPU_SHARES_V1 = 256
CPU_WEIGHT_V2 = 25
#: Every cgroup we make starts with this: ``stagelab-slot-<slots folder>-<index>`` for a build
#: holding a build slot, ``stagelab-p<pid>-<random>`` for one without.
NAME_PREFIX = "stagelab-"
MB = 1024 * 1024


class Limit(str, Enum):
    """A limit a build step can run into."""

    PROCESSES = "processes"
    MEMORY = "memory"
    TIME = "time"
    OUTPUT = "output"
    FILE_SIZE = "file-size"
    CONTEXT = "context"
    DISK = "disk"


@dataclass(frozen=True)
class BuildLimits:
    """One build's budget. ``cpus=None`` means a fair share: the machine's cores ÷ build slots."""

    processes: int = 2048
    memory_mb: int = 2048
    cpus: float | None = None
    time_s: float = 600
    #: BuildKit keeps at most 2 MiB of a step's log (the engine's default) and drops the rest, so a
    #: step that prints past that is stopped then, whatever this says.
    log_mb: float = 2
    file_mb: int = 1024
    #: The build context BuildKit is sent (after .dockerignore): a course app is a few MB.
    context_mb: int = 512
    #: What the build's RUN steps write to disk, all steps together (each step's new layer).
    disk_mb: int = 4096

    def describe(self) -> str:
        cpus = f"{self.cpus:g}" if self.cpus else f"{fair_cpu_share():g}"
        return (
            f"{self.processes} processes, {memory_words(self.memory_mb)} of memory, {cpus} CPU, "
            f"{duration_words(self.time_s)}, {self.log_mb:g} MB of output, files up to {memory_words(self.file_mb)}, "
            f"a build context up to {memory_words(self.context_mb)}, {memory_words(self.disk_mb)} written to disk"
        )


#: Hard ceilings a lab.yaml cannot go past on any machine (the room's maxima are at most these).
CEILINGS = BuildLimits(
    processes=32768,
    memory_mb=65536,
    cpus=64,
    time_s=3 * 3600,
    log_mb=1024,
    file_mb=65536,
    context_mb=65536,
    disk_mb=1048576,
)

#: The room's maxima come from these environment variables (set by the instructor who runs the room).
MAXIMA_ENV = {
    "processes": "STAGELAB_MAX_BUILD_PROCESSES",
    "memory_mb": "STAGELAB_MAX_BUILD_MEMORY_MB",
    "cpus": "STAGELAB_MAX_BUILD_CPUS",
    "time_s": "STAGELAB_MAX_BUILD_TIME_S",
    "log_mb": "STAGELAB_MAX_BUILD_LOG_MB",
    "file_mb": "STAGELAB_MAX_BUILD_FILE_MB",
    "context_mb": "STAGELAB_MAX_BUILD_CONTEXT_MB",
    "disk_mb": "STAGELAB_MAX_BUILD_DISK_MB",
}
#: The room's maxima when no variable is set.
DEFAULT_MAXIMA = BuildLimits(
    processes=4096, memory_mb=4096, cpus=None, time_s=1800, log_mb=100, file_mb=4096, context_mb=4096, disk_mb=16384
)


def maxima() -> BuildLimits:
    """The most any lab may ask for on this machine (``STAGELAB_MAX_BUILD_*``, else :data:`DEFAULT_MAXIMA`)."""
    values = {}
    for name, variable in MAXIMA_ENV.items():
        raw = os.environ.get(variable, "").strip()
        ceiling = getattr(CEILINGS, name)
        try:
            number = float(raw)
        except ValueError:
            continue
        if number > 0:
            number = min(number, ceiling)
            values[name] = (
                int(number) if name in ("processes", "memory_mb", "file_mb", "context_mb", "disk_mb") else number
            )
    return replace(DEFAULT_MAXIMA, **values)


def within_maxima(requested: BuildLimits) -> tuple[BuildLimits, list[str]]:
    """``requested`` lowered to the room's maxima, with a notice for each value that was lowered."""
    room = maxima()
    values, notices = {}, []
    for name in MAXIMA_ENV:
        wanted, most = getattr(requested, name), getattr(room, name)
        if name == "cpus" and most is None:
            most = float(os.cpu_count() or 1)
        if wanted is not None and most is not None and wanted > most:
            values[name] = most
            notices.append(
                f"the lab asks for {name}={wanted:g}; this machine allows at most {most:g} ({MAXIMA_ENV[name]})"
            )
    return replace(requested, **values), notices


def fair_cpu_share() -> float:
    """The cores one build gets when the lab does not say: all cores shared by the build slots, at least 1."""
    from . import slots

    return max(1.0, round((os.cpu_count() or 1) / slots.max_builds(), 2))


def memory_words(mb: float) -> str:
    """2048 → "2 GiB", 512 → "512 MiB"."""
    if mb >= 1024 and mb % 1024 == 0:
        return f"{mb // 1024:g} GiB"
    if mb >= 1024:
        return f"{mb / 1024:.1f} GiB"
    return f"{mb:g} MiB"


def duration_words(seconds: float) -> str:
    """600 → "10 min", 90 → "90 s"."""
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def stopped_because(limit: Limit, budget: BuildLimits) -> str:
    """The end of "RUN at line 4 was stopped: …", naming the limit and its value."""
    return {
        Limit.PROCESSES: f"it started more than {budget.processes} processes",
        Limit.MEMORY: f"it used more than {memory_words(budget.memory_mb)} of memory",
        Limit.TIME: f"it ran longer than {duration_words(budget.time_s)}",
        Limit.OUTPUT: f"it printed more than {budget.log_mb:g} MB of output",
        Limit.FILE_SIZE: f"it wrote a file larger than {memory_words(budget.file_mb)}",
        Limit.CONTEXT: f"its build context is larger than {memory_words(budget.context_mb)}",
        Limit.DISK: f"it wrote more than {memory_words(budget.disk_mb)} to disk",
    }[limit]


# -- can limits be enforced here? ---------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """Whether this engine's builds can be put under our cgroups, and if not, why."""

    enforced: bool
    detail: str
    version: int | None = None  # cgroup version: 1 or 2
    controllers: tuple[str, ...] = ()
    #: The engine itself puts every build and container under a budget it advertises (the hub's
    #: learner engines): we make no cgroup, and name a limit from the log and the exit status.
    engine_budget: BuildLimits | None = None


#: The engine label a learner engine of the hub advertises its build budget with
#: (``processes=2048,memory_mb=2048,cpus=1``; set by hub/images/engine/build-cgroup.sh).
ENGINE_BUDGET_LABEL = "org.stagelab.build-limits"


def engine_budget(labels: list[str] | None) -> BuildLimits | None:
    """The budget an engine advertises in its labels, or None."""
    for label in labels or []:
        key, _, value = label.partition("=")
        if key != ENGINE_BUDGET_LABEL:
            continue
        fields = dict(part.partition("=")[::2] for part in value.split(","))
        try:
            return BuildLimits(
                processes=int(fields["processes"]), memory_mb=int(fields["memory_mb"]), cpus=float(fields["cpus"])
            )
        except (KeyError, ValueError):
            return None
    return None


def _socket_path() -> str | None:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://"):
        return host[len("unix://") :]
    return None


def _engine_pid(path: str) -> int | None:
    """The pid of the process at the other end of the engine's socket (0/None when not visible from here)."""
    with contextlib.closing(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)) as connection:
        connection.settimeout(3)
        connection.connect(path)
        raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, _uid, _gid = struct.unpack("3i", raw)
    return pid or None


def _same_namespace(pid: int, kind: str) -> bool:
    return os.readlink(f"/proc/{pid}/ns/{kind}") == os.readlink(f"/proc/self/ns/{kind}")


def _v1_mounts() -> dict[str, Path]:
    """Controller (or ``name=…``) → mount point of each cgroup v1 hierarchy."""
    mounts: dict[str, Path] = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return mounts
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, rest = before.split(), after.split()
        if len(fields) < 5 or len(rest) < 3 or rest[0] != "cgroup":
            continue
        for option in rest[2].split(","):
            if option in ("pids", "memory", "cpu", "cpuacct", "cpuset", "blkio", "devices", "freezer", "net_cls",
                          "net_prio", "perf_event", "hugetlb", "rdma", "misc") or option.startswith("name="):  # fmt: skip
                mounts.setdefault(option, Path(fields[4]))
    return mounts


def _v2_root() -> Path | None:
    return CGROUP_ROOT if (CGROUP_ROOT / "cgroup.controllers").is_file() else None


def _v2_mounts() -> list[Path]:
    """Every cgroup2 mount (a hybrid host has one next to the v1 hierarchies; runc makes our path there too)."""
    found = []
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            before, _, after = line.partition(" - ")
            if after.split()[:1] == ["cgroup2"]:
                found.append(Path(before.split()[4]))
    except (OSError, IndexError):
        pass
    return found


@functools.cache
def _support_for(host: str | None) -> Support:
    from ..errors import StagelabError
    from .client import client

    try:
        info = client().info()
    except StagelabError as error:
        return Support(False, f"the engine does not answer ({error})")
    except Exception as error:  # the doctor reports it; a build must not fail on it
        return Support(False, f"the engine's setup could not be read ({error})")
    advertised = engine_budget(info.get("Labels"))
    if advertised is not None:
        return Support(
            True,
            f"by the engine itself: all it builds and runs shares {advertised.processes} processes, "
            f"{memory_words(advertised.memory_mb)} of memory and {advertised.cpus:g} CPU",
            engine_budget=advertised,
        )
    security = " ".join(info.get("SecurityOptions") or [])
    if "rootless" in security:
        return Support(False, "the engine runs rootless: it cannot put build steps under cgroups we make")
    driver = info.get("CgroupDriver", "")
    if driver != "cgroupfs":
        return Support(
            False, f"the engine uses the {driver or 'unknown'} cgroup driver; build limits need the cgroupfs driver"
        )
    path = _socket_path()
    if path is None:
        return Support(
            False, "the engine is remote (DOCKER_HOST is not a local socket): its cgroups are not on this machine"
        )
    try:
        pid = _engine_pid(path)
    except OSError as error:
        return Support(False, f"could not ask the engine's socket who answers ({error})")
    if pid is None:
        return Support(
            False,
            "the engine runs outside this machine's view (Docker Desktop's VM, another container): its cgroups are not here",
        )
    try:
        program = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        program = ""
    if program != "dockerd":
        # A relay in front of the engine (Docker Desktop's socket proxy, an SSH or socat tunnel):
        # the engine and its cgroups are somewhere else.
        return Support(
            False,
            f"the engine's socket is served by {program or 'an unknown process'}, not by dockerd itself: "
            "the engine runs elsewhere (Docker Desktop's VM, a tunnel)",
        )
    try:
        if not (_same_namespace(pid, "mnt") and _same_namespace(pid, "cgroup")):
            return Support(
                False, "the engine runs in another mount or cgroup namespace: its cgroups are not the ones here"
            )
    except OSError as error:
        return Support(False, f"could not compare namespaces with the engine (pid {pid}): {error.strerror}")
    if _v2_root() is not None:
        wanted = ("pids", "memory", "cpu")
        available = set((CGROUP_ROOT / "cgroup.subtree_control").read_text().split())
        missing = [c for c in wanted if c not in available]
        if missing:
            return Support(False, f"cgroup v2 without the {', '.join(missing)} controller(s) enabled at the root")
        if not os.access(CGROUP_ROOT, os.W_OK):
            return Support(False, f"no permission to make cgroups in {CGROUP_ROOT} (run the grader as root)")
        return Support(True, "cgroup v2, cgroupfs driver", 2, wanted)
    mounts = _v1_mounts()
    present = tuple(c for c in ("pids", "memory", "cpu") if c in mounts)
    if "pids" not in present or "memory" not in present:
        return Support(False, "the pids or memory cgroup controller is missing on this host")
    if not os.access(mounts["pids"], os.W_OK):
        return Support(False, f"no permission to make cgroups in {mounts['pids']} (run the grader as root)")
    return Support(True, "cgroup v1, cgroupfs driver", 1, present)


def support() -> Support:
    """Whether build limits can be enforced on the engine ``DOCKER_HOST`` names (cached per engine)."""
    return _support_for(os.environ.get("DOCKER_HOST"))


# -- one build's cgroup --------------------------------------------------------------------------


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _read_int(path: Path) -> int:
    text = _read(path).strip()
    return int(text) if text.lstrip("-").isdigit() else 0


def _keyed(path: Path) -> dict[str, int]:
    values = {}
    for line in _read(path).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            values[parts[0]] = int(parts[1])
    return values


@dataclass
class Counters:
    """What the kernel counted in the build's cgroup (read while it runs and at the end)."""

    pids_limit_hits: int = 0
    pids_peak: int = 0
    memory_limit_hits: int = 0
    memory_peak_bytes: int = 0
    oom_kills: int = 0
    seen: set[str] = field(default_factory=set)
    #: Bytes on disk in each RUN step's new layer (its overlay upper folder), last measured.
    layers: dict[str, int] = field(default_factory=dict)

    @property
    def disk_bytes(self) -> int:
        return sum(self.layers.values())


class StepCgroup(Protocol):
    """What a build asks of the cgroup its RUN steps run under, whoever keeps it: ours
    (:class:`BuildCgroup`) or an engine that holds its builds to its own budget (:class:`EngineSideCgroup`)."""

    budget: BuildLimits
    counters: Counters

    def buildx_args(self) -> list[str]:
        """The `docker buildx build` arguments that put the steps in it."""
        ...

    def sample(self) -> Counters:
        """The counters now (processes, memory, OOM kills) as far as they can be read."""
        ...

    def measure_disk(self) -> int:
        """Bytes the running steps have written to their new layers (0 where they cannot be seen)."""
        ...

    def limit_reached(self) -> Limit | None:
        """A limit the kernel has enforced already (a refused fork, an OOM kill), if any."""
        ...

    def hit(self, *, killed: bool, log_text: str = "") -> Limit | None:
        """Which limit stopped the build, from the counters, how it ended and what it printed."""
        ...

    def remove(self, wait_s: float = 15) -> bool:
        """Kill what is left and remove it; True when nothing is left."""
        ...


class BuildCgroup:
    """The cgroup one build's RUN steps run under; use :meth:`open` as a context manager."""

    def __init__(self, budget: BuildLimits, found: Support, name: str | None = None):
        self.budget = budget
        self.support = found
        self.name = name or f"{NAME_PREFIX}p{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.counters = Counters()
        self._lock = threading.Lock()
        if found.version == 2:
            self._dirs = {c: CGROUP_ROOT / self.name for c in ("pids", "memory", "cpu")}
        else:
            mounts = _v1_mounts()
            self._dirs = {c: mounts[c] / self.name for c in found.controllers}

    @classmethod
    @contextlib.contextmanager
    def open(cls, budget: BuildLimits, name: str | None = None) -> Iterator[StepCgroup | None]:
        """Make the cgroup with the budget's limits; yields None where limits cannot be enforced.

        ``name`` is the build slot's cgroup name (the caller holds the slot, so nobody else
        uses it now: whatever a crashed holder left there is removed first). The name is part
        of BuildKit's cache key for RUN steps, so it must stay the same from build to build.
        """
        found = support()
        if not found.enforced:
            yield None
            return
        if found.engine_budget is not None:
            yield EngineSideCgroup(found)
            return
        sweep_stale()
        cgroup = cls(budget, found, name)
        try:
            if name is not None:
                remove_tree(name, wait_s=5)
            cgroup._create()
        except OSError:
            cgroup.remove()
            yield None
            return
        try:
            yield cgroup
        finally:
            cgroup.remove()

    def buildx_args(self) -> list[str]:
        return [f"--cgroup-parent=/{self.name}"]

    def _create(self) -> None:
        budget = self.budget
        memory = budget.memory_mb * MB
        cpus = budget.cpus or fair_cpu_share()
        if self.support.version == 2:
            path = self._dirs["pids"]
            path.mkdir()
            _write(path / "cgroup.subtree_control", "+pids +memory +cpu")
            _write(path / "pids.max", str(budget.processes))
            _write(path / "memory.max", str(memory))
            with contextlib.suppress(OSError):
                _write(path / "memory.swap.max", "0")
            _write(path / "cpu.max", f"{int(cpus * 100_000)} 100000")
            _write(path / "cpu.weight", str(CPU_WEIGHT_V2))
            return
        for directory in self._dirs.values():
            directory.mkdir()
        _write(self._dirs["pids"] / "pids.max", str(budget.processes))
        _write(self._dirs["memory"] / "memory.limit_in_bytes", str(memory))
        if (self._dirs["memory"] / "memory.memsw.limit_in_bytes").exists():
            # Memory plus swap equal to memory: the limit cannot be dodged by swapping.
            with contextlib.suppress(OSError):
                _write(self._dirs["memory"] / "memory.memsw.limit_in_bytes", str(memory))
        if "cpu" in self._dirs:
            _write(self._dirs["cpu"] / "cpu.cfs_period_us", "100000")
            _write(self._dirs["cpu"] / "cpu.cfs_quota_us", str(int(cpus * 100_000)))
            _write(self._dirs["cpu"] / "cpu.shares", str(CPU_SHARES_V1))

    # -- reading the counters ---------------------------------------------------------------

    def sample(self) -> Counters:
        """Read the kernel's counters now (the per-step children exist only while a step runs)."""
        pids_dir, memory_dir = self._dirs["pids"], self._dirs["memory"]
        with self._lock:
            counters = self.counters
            if self.support.version == 2:
                events = _keyed(pids_dir / "pids.events")
                counters.pids_limit_hits = max(counters.pids_limit_hits, events.get("max", 0))
                counters.pids_peak = max(counters.pids_peak, _read_int(pids_dir / "pids.current"))
                memory_events = _keyed(memory_dir / "memory.events")
                counters.memory_limit_hits = max(counters.memory_limit_hits, memory_events.get("max", 0))
                counters.oom_kills = max(counters.oom_kills, memory_events.get("oom_kill", 0))
                counters.memory_peak_bytes = max(
                    counters.memory_peak_bytes,
                    _read_int(memory_dir / "memory.peak") or _read_int(memory_dir / "memory.current"),
                )
                return counters
            counters.pids_peak = max(counters.pids_peak, _read_int(pids_dir / "pids.current"))
            # With memory+swap limited too, a refused charge is counted in memsw.failcnt, not memory.failcnt.
            failures = _read_int(memory_dir / "memory.failcnt") + _read_int(memory_dir / "memory.memsw.failcnt")
            counters.memory_limit_hits = max(counters.memory_limit_hits, failures)
            counters.memory_peak_bytes = max(
                counters.memory_peak_bytes,
                _read_int(memory_dir / "memory.max_usage_in_bytes"),
                _read_int(memory_dir / "memory.memsw.max_usage_in_bytes"),
            )
            # On v1 the kernel counts a refused fork and an OOM kill in the step's own cgroup
            # (a child of ours), not in ours: read them while the step runs, and keep them.
            for child in _descendants(pids_dir):
                hits = _keyed(child / "pids.events").get("max", 0)
                if hits:
                    key = f"pids:{child}"
                    if key not in counters.seen:
                        counters.seen.add(key)
                        counters.pids_limit_hits += hits
            for child in _descendants(memory_dir):
                kills = _keyed(child / "memory.oom_control").get("oom_kill", 0)
                if kills:
                    key = f"oom:{child}"
                    if key not in counters.seen:
                        counters.seen.add(key)
                        counters.oom_kills += kills
            if counters.pids_peak >= self.budget.processes:
                counters.pids_limit_hits = max(counters.pids_limit_hits, 1)
            return counters

    def measure_disk(self) -> int:
        """Measure the new layers of the RUN steps running now; returns the build's bytes written so far.

        A step's writes land in its overlay upper folder, which the kernel shows in the mount table
        of every process of the step (found through our cgroup). A finished step keeps its last size.
        """
        uppers = set()
        for directory in [self._dirs["pids"], *_descendants(self._dirs["pids"])]:
            for pid in _read(directory / "cgroup.procs").split():
                upper = _upper_dir(pid)
                if upper:
                    uppers.add(upper)
        for upper in uppers:
            size = _disk_usage(Path(upper))
            with self._lock:
                self.counters.layers[upper] = max(self.counters.layers.get(upper, 0), size)
        return self.counters.disk_bytes

    def limit_reached(self) -> Limit | None:
        """A limit the build has run into so far (checked while it runs, to stop it at once)."""
        counters = self.sample()
        if counters.pids_limit_hits:
            return Limit.PROCESSES
        if counters.oom_kills:
            return Limit.MEMORY
        if counters.disk_bytes > self.budget.disk_mb * MB:
            return Limit.DISK
        return None

    def hit(self, *, killed: bool, log_text: str = "") -> Limit | None:
        """After a failed build: the limit that stopped it, from the counters and the log."""
        counters = self.sample()
        # A step's own cgroup (where v1 counts a refused fork) is gone by the time the build
        # has failed, so a quick failure is recognised by what the shell or runtime printed.
        if counters.pids_limit_hits or FORK_REFUSED.search(log_text):
            return Limit.PROCESSES
        near_limit = counters.memory_peak_bytes >= self.budget.memory_mb * MB * 0.95
        if counters.oom_kills or (killed and (counters.memory_limit_hits or near_limit)):
            return Limit.MEMORY
        return None

    # -- removal ------------------------------------------------------------------------------

    def remove(self, wait_s: float = 15) -> bool:
        """Kill what is left in the cgroup and remove it in every hierarchy (children first)."""
        return remove_tree(self.name, wait_s)


class EngineSideCgroup:
    """A build on an engine that holds its builds to its own budget (see :data:`ENGINE_BUDGET_LABEL`).

    Its cgroup is the engine's, out of our reach: there is nothing to make, read or remove, so a
    limit is named from what the step printed (a refused fork) or how it ended (killed: memory).
    """

    def __init__(self, found: Support):
        self.support = found
        self.budget = found.engine_budget or BuildLimits()
        self.counters = Counters()

    def buildx_args(self) -> list[str]:
        return []  # the engine puts every RUN step under its own cgroup

    def sample(self) -> Counters:
        return self.counters

    def measure_disk(self) -> int:
        return 0  # the engine's layers are not on this machine (the engine container's own disk bounds them)

    def limit_reached(self) -> Limit | None:
        return None

    def hit(self, *, killed: bool, log_text: str = "") -> Limit | None:
        if FORK_REFUSED.search(log_text):
            return Limit.PROCESSES
        return Limit.MEMORY if killed else None

    def remove(self, wait_s: float = 15) -> bool:
        return True


#: What a shell or a runtime prints when fork() is refused by the pids limit.
FORK_REFUSED = re.compile(
    r"can't fork|fork: retry|fork: Resource temporarily unavailable|Cannot fork|fork failed|"
    r"pthread_create failed|spawn \S+ EAGAIN|newosproc|failed to create new OS thread",
    re.IGNORECASE,
)
#: What a step prints when the file-size ulimit stops a write: EFBIG, or death by SIGXFSZ (status 128+25).
FILE_TOO_LARGE = re.compile(r"File size limit exceeded|File too large|exit code: 153\b", re.IGNORECASE)


def _upper_dir(pid: str) -> str | None:
    """The overlay upper folder of the root file system process ``pid`` sees (a RUN step's new layer)."""
    for line in _read(Path(f"/proc/{pid}/mountinfo")).splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[4] == "/" and " - overlay " in line:
            match = re.search(r"upperdir=([^,\s]+)", line)
            return match.group(1) if match else None
    return None


#: Entries a disk measure looks at, at most (a step making millions of files is stopped by time).
DISK_SCAN_ENTRIES = 200_000


def _disk_usage(top: Path) -> int:
    """Bytes ``top`` takes on disk (allocated blocks: a sparse file costs what it holds)."""
    total, seen, stack = 0, 0, [top]
    while stack and seen < DISK_SCAN_ENTRIES:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                seen += 1
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                total += info.st_blocks * 512
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
    return total


def _descendants(directory: Path) -> list[Path]:
    found = []
    try:
        for root, dirs, _files in os.walk(directory):
            found += [Path(root) / d for d in dirs]
    except OSError:
        pass
    return found


def _hierarchies() -> list[Path]:
    """Every place a cgroup of ours may exist: each v1 hierarchy and each cgroup2 mount."""
    if _v2_root() is not None:
        return [CGROUP_ROOT]
    return list(dict.fromkeys([*_v1_mounts().values(), *_v2_mounts()]))


def _kill_members(directory: Path) -> int:
    """SIGKILL every process left under ``directory``; returns how many were signalled."""
    killed = 0
    if (directory / "cgroup.kill").exists():
        with contextlib.suppress(OSError):
            _write(directory / "cgroup.kill", "1")
    for cgroup_dir in [directory, *_descendants(directory)]:
        for line in _read(cgroup_dir / "cgroup.procs").split():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                os.kill(int(line), signal.SIGKILL)
                killed += 1
    return killed


def remove_tree(name: str, wait_s: float = 15) -> bool:
    """Remove ``/name`` from every hierarchy, deepest first; True when nothing is left."""
    deadline = time.monotonic() + wait_s
    while True:
        left = []
        for hierarchy in _hierarchies():
            top = hierarchy / name
            if not top.is_dir():
                continue
            for directory in sorted([top, *_descendants(top)], key=lambda p: len(p.parts), reverse=True):
                try:
                    directory.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:
                    left.append(directory)
        if not left:
            return True
        if time.monotonic() >= deadline:
            return False
        for directory in left:
            _kill_members(directory)
        time.sleep(0.2)


def ours() -> list[str]:
    """Names of the cgroups this machine holds that Stagelab made (any process)."""
    names: set[str] = set()
    for hierarchy in _hierarchies():
        with contextlib.suppress(OSError):
            names.update(p.name for p in hierarchy.iterdir() if p.is_dir() and p.name.startswith(NAME_PREFIX))
    return sorted(names)


def _owner_alive(name: str) -> bool:
    match = re.match(rf"{NAME_PREFIX}p(\d+)-", name)
    if not match:
        return True  # a slot's cgroup (removed by the slot's next holder) or not ours: leave it
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned_slot(name: str, idle_s: float) -> bool:
    """A build slot's cgroup nobody has used for longer than any build may run: its slot folder is
    gone (a test's, a killed grader's), so no next holder will ever remove it."""
    if not name.startswith(f"{NAME_PREFIX}slot-"):
        return False
    newest = 0.0
    for hierarchy in _hierarchies():
        top = hierarchy / name
        for directory in [top, *_descendants(top)] if top.is_dir() else []:
            if _read(directory / "cgroup.procs").split():
                return False  # a build step runs in it now
            with contextlib.suppress(OSError):
                newest = max(newest, directory.stat().st_mtime)
    return newest > 0 and time.time() - newest > idle_s


def sweep_stale(slot_idle_s: float | None = None) -> int:
    """Remove cgroups left by Stagelab processes that died mid-build; returns how many went.

    A slot's cgroup is left to the slot's next holder, unless it has been empty for longer than
    the longest build the room allows (``slot_idle_s``, default: the room's time maximum plus a minute).
    """
    idle_s = maxima().time_s + 60 if slot_idle_s is None else slot_idle_s
    removed = 0
    for name in ours():
        if (not _owner_alive(name) or _abandoned_slot(name, idle_s)) and remove_tree(name, wait_s=2):
            removed += 1
    return removed
