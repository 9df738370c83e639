"""Stop and start the engine that scripts/engine.sh owns; find leftover build processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
PID_FILE = Path(os.environ.get("STAGELAB_ENGINE_STATE", "/var/lib/stagelab")) / "dockerd.pid"


def engine_script(action: str = "up") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REPO / "scripts" / "engine.sh"), action], capture_output=True, text=True, timeout=180
    )


def we_started_the_engine() -> bool:
    return PID_FILE.exists() and psutil.pid_exists(int(PID_FILE.read_text().strip() or 0))


def build_processes(run_ids: set[str]) -> list[psutil.Process]:
    """`docker buildx build` client processes of these builds (by their run label) still alive."""
    wanted = {f"org.stagelab.run={run_id}" for run_id in run_ids}
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if "buildx" in cmdline and wanted.intersection(cmdline):
            found.append(process)
    return found
