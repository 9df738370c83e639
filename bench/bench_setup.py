"""Set-up time: from nothing to JupyterLab ready, and a second start.

Cold, as far as one run can redo it on a machine that already has the course:
a new virtual environment installed from requirements.txt (pip's download cache
may be warm), the engine started (stopped first, when scripts/engine.sh owns it),
the base images (made from scratch only with BENCH_COLD_IMAGES=1, which rebuilds
every stand-in and takes minutes), and JupyterLab started until its API answers.
Warm is the second `make lab`: everything present, only the checks and JupyterLab.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import REPO, table, timed

ENGINE = ["bash", str(REPO / "scripts" / "engine.sh")]
PID_FILE = Path(os.environ.get("STAGELAB_ENGINE_STATE", "/var/lib/stagelab")) / "dockerd.pid"


def run(command: list[str], **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-1000:]}\n{done.stderr[-1000:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_ready(python: Path) -> float:
    """Seconds from starting JupyterLab until its API answers."""
    port, token = free_port(), secrets.token_hex(8)
    with tempfile.TemporaryDirectory() as runtime:
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": runtime}
        started = time.perf_counter()
        server = subprocess.Popen(
            [
                str(python),
                "-m",
                "jupyterlab",
                "--no-browser",
                f"--port={port}",
                "--ip=127.0.0.1",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={REPO}",
                "--allow-root",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=1):
                        return time.perf_counter() - started
                except OSError:
                    if server.poll() is not None or time.perf_counter() - started > 120:
                        raise RuntimeError("JupyterLab did not start") from None
                    time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(30)


def main() -> int:
    rows = []
    venv_python = Path(sys.executable)
    with tempfile.TemporaryDirectory() as temp:
        venv = Path(temp) / "venv"

        def install() -> None:
            run([sys.executable, "-m", "venv", str(venv)])
            run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(REPO / "requirements.txt")])
            run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "-e", str(REPO)])

        seconds, _ = timed(install)
        rows.append(["virtual environment + pip install (pip cache warm)", f"{seconds:.0f} s", "—"])
        fresh_python = venv / "bin" / "python"

        if PID_FILE.exists():
            run(ENGINE + ["stop"])
            seconds, _ = timed(lambda: run(ENGINE))
            engine_cold = f"{seconds:.1f} s (start; install not redone)"
        else:
            engine_cold = "not measured (engine not started by scripts/engine.sh)"
        seconds, _ = timed(lambda: run(ENGINE))
        rows.append(["Docker engine", engine_cold, f"{seconds:.2f} s (already up)"])

        if os.environ.get("BENCH_COLD_IMAGES") == "1":
            seconds, _ = timed(
                lambda: run([str(fresh_python), "-m", "stagelab.cli", "images", "prepare", "--rebuild"], timeout=3600)
            )
            images_cold = f"{seconds:.0f} s (every stand-in rebuilt)"
        else:
            images_cold = "not measured in this run (BENCH_COLD_IMAGES=1 rebuilds every stand-in)"
        seconds, _ = timed(lambda: run([str(fresh_python), "-m", "stagelab.cli", "images", "prepare"]))
        rows.append(["base images", images_cold, f"{seconds:.1f} s (all present)"])

        cold_jupyter = jupyter_ready(fresh_python)
        warm_jupyter = jupyter_ready(venv_python)
        rows.append(["JupyterLab until its API answers", f"{cold_jupyter:.1f} s (new venv)", f"{warm_jupyter:.1f} s"])

        seconds, _ = timed(lambda: run(["make", "-C", str(REPO), "setup", "engine", "images"]))
        rows.append(["`make lab` before JupyterLab, second time", "—", f"{seconds:.1f} s"])
    print("## Set-up time\n")
    print(table(["step", "cold", "warm"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
