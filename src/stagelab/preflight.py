"""Before anything is installed: can this host run the course's set-up?

Standard library only, so it runs on a bare machine with nothing but Debian's
``python3`` (``python3 -m stagelab.preflight`` with ``src`` on ``PYTHONPATH``), and
``stagelab doctor`` shows the same findings. It reads the one list of host packages
the set-up installs (``scripts/host-packages.txt``) and says, per program, whether it
is there and which package the set-up will install for it.

Exit status: 0 when nothing blocks the set-up, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from .units import format_size  # standard library only, like this module

MIN_PYTHON = (3, 11)
#: The course's images and the venv need this much on the disk that holds the repository.
MIN_FREE_BYTES = 15 * 1024**3
PACKAGES_FILE = Path(__file__).resolve().parents[2] / "scripts" / "host-packages.txt"


@dataclass(frozen=True)
class HostTool:
    """One line of scripts/host-packages.txt."""

    role: str
    package: str
    programs: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class PreflightFinding:
    item: str
    ok: bool
    blocking: bool
    detail: str
    fix: str = ""


def host_tools(path: Path = PACKAGES_FILE) -> list[HostTool]:
    """The host packages the set-up installs, by role (setup, engine, browser)."""
    tools = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        role, package, programs, *why = line.split()
        tools.append(
            HostTool(role, package.split("@")[0], tuple(p for p in programs.split(",") if p != "-"), " ".join(why))
        )
    return tools


def _python() -> PreflightFinding:
    found = sys.version_info[:2]
    text = f"Python {platform.python_version()} at {sys.executable}"
    if found < MIN_PYTHON:
        return PreflightFinding(
            "Python",
            False,
            True,
            text,
            f"The course needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer (Debian 12 and 13 have it: apt-get install python3).",
        )
    return PreflightFinding("Python", True, False, text)


def _venv() -> PreflightFinding:
    try:
        import ensurepip  # noqa: F401  (Debian splits it into python3-venv)
    except ImportError:
        return PreflightFinding(
            "Python venv",
            False,
            False,
            "ensurepip is missing, so `python3 -m venv` cannot make the course's venv",
            "`make lab` installs python3-venv (scripts/host-tools.sh, as root); or: apt-get install python3-venv",
        )
    return PreflightFinding("Python venv", True, False, "python3 -m venv works")


def _installer() -> PreflightFinding:
    apt = shutil.which("apt-get")
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if apt and root:
        return PreflightFinding("Installer", True, False, "root with apt-get: the set-up installs what is missing")
    if apt:
        return PreflightFinding(
            "Installer",
            True,
            False,
            "apt-get, but not root",
            "Run `sudo make lab`, or install the missing packages below yourself.",
        )
    return PreflightFinding(
        "Installer",
        True,
        False,
        f"no apt-get ({platform.system()})",
        "Install Docker Desktop (it has the engine and buildx); stand-ins need Linux, so import the instructor's image kit.",
    )


def _tool(tool: HostTool) -> PreflightFinding:
    missing = [p for p in tool.programs if shutil.which(p) is None]
    name = f"{', '.join(tool.programs)} ({tool.role})"
    if not missing:
        return PreflightFinding(name, True, False, f"found ({tool.why})")
    can_install = shutil.which("apt-get") is not None
    return PreflightFinding(
        name,
        False,
        not can_install and tool.role == "engine",
        f"missing: {', '.join(missing)} ({tool.why})",
        f"the set-up installs Debian's `{tool.package}`"
        if can_install
        else f"install `{tool.package}` or its equivalent",
    )


def _disk(where: Path) -> PreflightFinding:
    free = shutil.disk_usage(where).free
    text = f"{format_size(free)} free on {where}"
    if free < MIN_FREE_BYTES:
        return PreflightFinding(
            "Free disk", False, free < 5 * 1024**3, text, "The course needs about 15 GB: free some space."
        )
    return PreflightFinding("Free disk", True, False, text)


def preflight(
    roles: tuple[str, ...] = ("setup", "engine", "browser"), where: Path | None = None
) -> list[PreflightFinding]:
    """Every preflight finding, in the order a reader fixes them."""
    findings = [_python(), _venv(), _installer()]
    findings += [_tool(tool) for tool in host_tools() if tool.role in roles and tool.programs]
    findings.append(_disk(where or PACKAGES_FILE.parents[1]))
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m stagelab.preflight", description=__doc__.splitlines()[0])
    parser.add_argument("--role", action="append", choices=["setup", "engine", "browser"], help="only these roles")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    findings = preflight(tuple(args.role) if args.role else ("setup", "engine", "browser"))
    if args.json:
        print(json.dumps([asdict(f) for f in findings], indent=2))
    else:
        for finding in findings:
            mark = "ok  " if finding.ok else ("FAIL" if finding.blocking else "todo")
            print(
                f"{mark}  {finding.item}: {finding.detail}"
                + (f"\n      -> {finding.fix}" if finding.fix and not finding.ok else "")
            )
    return 1 if any(f.blocking for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
