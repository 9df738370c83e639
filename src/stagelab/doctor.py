"""``stagelab doctor``: is this machine ready for the course, and if not, what to do.

Each finding is a :class:`Finding` with a status, what was seen, and the fix.
A finding with status ``FAIL`` blocks the course (non-zero exit); ``WARN`` does not.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

from .engine import EngineInfo, engine_info
from .errors import StagelabError
from .units import format_size

#: Below this much free space on the engine's disk, builds start to fail.
MIN_FREE_BYTES = 10 * 1024**3
EXTRA_CA_DIR = Path("/usr/local/share/ca-certificates")
REGISTRY_URL = "https://registry-1.docker.io/v2/"


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's table."""

    item: str
    status: Status
    detail: str
    fix: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        return data


def _engine() -> tuple[list[Finding], EngineInfo | None]:
    try:
        info = engine_info()
    except StagelabError as error:
        return [Finding("Docker engine", Status.FAIL, "not reachable", str(error))], None
    findings = [
        Finding(
            "Docker engine", Status.OK, f"{info.server_version} ({info.os}, {info.architecture}, {info.storage_driver})"
        )
    ]
    if info.buildx_version:
        findings.append(Finding("BuildKit (buildx)", Status.OK, f"buildx {info.buildx_version}"))
    else:
        findings.append(
            Finding(
                "BuildKit (buildx)",
                Status.FAIL,
                "the buildx plugin is missing: heredocs, RUN --mount and skipped stages will not work",
                "Install the buildx plugin (Debian: docker-buildx; Docker Desktop has it), or run `make engine`.",
            )
        )
    return findings, info


def _disk(info: EngineInfo | None) -> Finding:
    root = Path(info.docker_root) if info else Path("/var/lib/docker")
    probe = root if root.exists() else Path.cwd()
    usage = shutil.disk_usage(probe)
    where = f"{format_size(usage.free)} free on {probe}"
    if info and not root.exists():
        where += " (the engine runs elsewhere, e.g. Docker Desktop's VM: check its disk setting)"
    if usage.free < MIN_FREE_BYTES:
        return Finding(
            "Free disk",
            Status.FAIL if usage.free < 3 * 1024**3 else Status.WARN,
            where,
            "The course's images need about 6 GB. Free space, or run `stagelab clean`.",
        )
    return Finding("Free disk", Status.OK, where)


def _images(engine_ok: bool) -> Finding:
    if not engine_ok:
        return Finding("Course base images", Status.FAIL, "unknown (no engine)", "Start the engine first.")
    from .images import missing_images

    missing = missing_images()
    if missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        return Finding(
            "Course base images",
            Status.FAIL,
            f"{len(missing)} missing: {shown}",
            "Run `stagelab images prepare` (or `stagelab images import FILE` with the instructor's kit).",
        )
    return Finding("Course base images", Status.OK, "all present")


def _registry(timeout_s: float = 4.0) -> Finding:
    request = urllib.request.Request(REGISTRY_URL, method="GET")
    try:
        urllib.request.urlopen(request, timeout=timeout_s)
        reachable = True
    except urllib.error.HTTPError:
        reachable = True  # 401 Unauthorized: the registry answered
    except (urllib.error.URLError, OSError):
        reachable = False
    if reachable:
        return Finding(
            "Container registry",
            Status.OK,
            "Docker Hub answers",
            "",
        )
    return Finding(
        "Container registry",
        Status.WARN,
        "Docker Hub does not answer: base images are made locally as stand-ins",
        "Nothing to do: `stagelab images prepare` builds stand-ins from Debian packages.",
    )


def _extra_cas() -> Finding:
    found = sorted(EXTRA_CA_DIR.glob("*.crt")) if EXTRA_CA_DIR.is_dir() else []
    if found:
        return Finding(
            "Extra CA certificates",
            Status.OK,
            f"{len(found)} found ({', '.join(p.name for p in found[:3])}); stand-in images trust them",
        )
    return Finding("Extra CA certificates", Status.OK, "none (no TLS-intercepting proxy to trust)")


def _build_limits(engine_ok: bool) -> Finding:
    """Whether the engine holds each build to its budget (processes, memory, CPU) through our cgroups."""
    from .engine import BuildLimits, Engine, duration_words, memory_words

    if not engine_ok:
        return Finding("Build limits", Status.WARN, "unknown (no engine)", "Start the engine first.")
    found = Engine().builds.limits_support()
    budget = BuildLimits()
    if found.engine_budget is not None:
        engine = found.engine_budget
        budget = BuildLimits(processes=engine.processes, memory_mb=engine.memory_mb, cpus=engine.cpus)
    if found.enforced:
        return Finding(
            "Build limits",
            Status.OK,
            f"in force ({found.detail}): each build at most {budget.describe()}",
        )
    return Finding(
        "Build limits",
        Status.WARN,
        f"not in force: {found.detail}. Builds still stop after {duration_words(budget.time_s)}, "
        f"{budget.log_mb:g} MB of output and files of {memory_words(budget.file_mb)}; grading goes on",
        "Only matters when grading untrusted submissions: grade on a Linux machine whose engine runs locally "
        "as root with the cgroupfs driver (`make engine`).",
    )


def diagnose(check_registry: bool = True) -> list[Finding]:
    """Run every check and return the findings, in the order a reader fixes them."""
    findings, info = _engine()
    findings.append(_disk(info))
    findings.append(_images(info is not None))
    findings.append(_build_limits(info is not None))
    if check_registry:
        findings.append(_registry())
    findings.append(_extra_cas())
    findings += _host_tools()
    return findings


def _host_tools() -> list[Finding]:
    """The preflight's host-program findings (from the set-up's own package list), as doctor lines."""
    from . import preflight

    if not preflight.PACKAGES_FILE.is_file():  # an installed wheel has no scripts/: nothing to say
        return []
    return [
        Finding(f.item, Status.OK if f.ok else (Status.FAIL if f.blocking else Status.WARN), f.detail, f.fix)
        for f in preflight.preflight(("setup", "engine"))
        if f.item.endswith(("(setup)", "(engine)")) or f.item == "Python venv"
    ]


def blocking(findings: list[Finding]) -> list[Finding]:
    """Findings that stop the course from working."""
    return [f for f in findings if f.status is Status.FAIL]
