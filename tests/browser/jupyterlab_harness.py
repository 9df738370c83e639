"""Start and stop JupyterLab for the browser tests.

JupyterLab runs on 127.0.0.1 with its own config, runtime, settings and workspace
folders under the test's temporary folder, so it neither reads nor changes the
user's Jupyter setup. It is stopped through its API (which stops its kernels),
then by its process group if it does not go.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JupyterLab:
    url: str
    token: str
    root: Path
    process: subprocess.Popen

    def page_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}&reset"

    def start_kernel(self, notebook: str, kernel: str = "python3") -> str:
        """Start the notebook's kernel through the API, so the page opens with it (no kernel dialog)."""
        body = json.dumps({"path": notebook, "type": "notebook", "name": notebook, "kernel": {"name": kernel}})
        request = urllib.request.Request(
            f"{self.url}/api/sessions?token={self.token}",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)["kernel"]["id"]


def _settings(folder: Path) -> None:
    """No news or update checks: they would call the internet and pop up over the notebook."""
    notification = folder / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def start_jupyterlab(root: Path, home: Path) -> JupyterLab:
    """Start JupyterLab serving ``root`` and wait until its API answers."""
    port, token = _free_port(), secrets.token_hex(16)
    for name in ("config", "data", "runtime", "settings", "workspaces"):
        (home / name).mkdir(parents=True, exist_ok=True)
    _settings(home / "settings")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--ServerApp.port_retries=0",
        # The extension manager would ask PyPI for extensions: nothing a test needs.
        "--LabApp.extension_manager=readonly",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # course machines and CI containers run as root
    log = open(home / "jupyterlab.log", "w")
    process = subprocess.Popen(
        command,
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited: {(home / 'jupyterlab.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as answer:
                if answer.status == 200:
                    return JupyterLab(url, token, root, process)
        except OSError:
            time.sleep(0.5)
    stop_jupyterlab(JupyterLab(url, token, root, process))
    raise RuntimeError("JupyterLab did not answer within 90 s")


def stop_jupyterlab(lab: JupyterLab) -> None:
    """Shut the server down through its API (it stops its kernels), then make sure it is gone."""
    try:
        request = urllib.request.Request(f"{lab.url}/api/shutdown?token={lab.token}", method="POST")
        urllib.request.urlopen(request, timeout=10).close()
        lab.process.wait(timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if lab.process.poll() is not None:
            break
        try:
            os.killpg(lab.process.pid, sig)
            lab.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
