"""The hub's settings, from the environment (``stagelab hub start`` and ``make hub`` pass them on).

=================================  ==========================================================  ===========
Variable                           Meaning                                                     Default
=================================  ==========================================================  ===========
``STAGELAB_HUB_INSTANCE``          names and labels this hub's containers, networks, volumes   ``workshop``
``STAGELAB_HUB_STATE_DIR``         database, secrets, learner tokens, logs                      ``.stagelab/hub/<instance>``
``STAGELAB_HUB_IP`` / ``_PORT``    where learners open the hub                                  ``0.0.0.0`` / ``8000``
``STAGELAB_HUB_API_PORT``          the hub's API port on the hub network's gateway              ``8081``
``STAGELAB_HUB_ENGINE_MEMORY``     memory of each learner's engine (all they build and run)     ``3g``
``STAGELAB_HUB_ENGINE_CPUS``       CPUs of each learner's engine                                ``1``
``STAGELAB_HUB_ENGINE_PIDS``       processes of each learner's engine                           ``4096``
``STAGELAB_HUB_BUILD_PROCESSES``   processes all of a learner's builds and containers share     ``2048``
``STAGELAB_HUB_BUILD_MEMORY_MB``   memory (MiB) they share, below the engine's (dockerd's room) ``2048``
``STAGELAB_HUB_LAB_MEMORY``        memory of each learner's JupyterLab                          ``1g``
``STAGELAB_HUB_SEED``              ``kit``, ``registry`` or ``none``                            ``kit`` if the kit exists
``STAGELAB_HUB_KIT``               the workshop kit (``stagelab images export``)                ``.stagelab/hub/course-images.tar``
``STAGELAB_HUB_SEED_IMAGES``       references pulled in ``registry`` mode (space-separated)    all course images
``STAGELAB_HUB_IDLE_TIMEOUT``      seconds before an idle server (and its engine) is stopped    ``3600``
=================================  ==========================================================  ===========
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..engine import EngineLimits, Hub, Seeding

#: Bump when hub/images/* change in a way that needs a rebuild.
IMAGE_TAG = "1"
HUB_ROOT_ENV = "STAGELAB_HUB_ROOT"


def repo_root() -> Path:
    """The checkout holding ``hub/`` (the hub runs from a clone of the course)."""
    if os.environ.get(HUB_ROOT_ENV):
        return Path(os.environ[HUB_ROOT_ENV]).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "hub" / "jupyterhub_config.py").is_file():
            return parent
    return Path.cwd()


@dataclass(frozen=True)
class HubSettings:
    """Everything ``stagelab hub`` and ``hub/jupyterhub_config.py`` need to agree on."""

    hub: Hub
    state_dir: Path
    ip: str
    port: int
    api_port: int
    lab_memory: str
    idle_timeout_s: int

    @property
    def learners_file(self) -> Path:
        return self.state_dir / "learners.tsv"

    @property
    def instructor_token_file(self) -> Path:
        return self.state_dir / "instructor-token"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "jupyterhub.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "jupyterhub.log"

    @property
    def proxy_dir(self) -> Path:
        """Where configurable-http-proxy is installed (shared by every instance)."""
        return self.state_dir.parent / "chp"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.ip in ("0.0.0.0", "") else self.ip
        return f"http://{host}:{self.port}"


def from_env(env: dict[str, str] | None = None) -> HubSettings:
    """Read the settings from ``env`` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    instance = env.get("STAGELAB_HUB_INSTANCE", "workshop")
    root = repo_root()
    state_dir = Path(env.get("STAGELAB_HUB_STATE_DIR") or root / ".stagelab" / "hub" / instance).resolve()
    kit = Path(env.get("STAGELAB_HUB_KIT") or root / ".stagelab" / "hub" / "course-images.tar")
    mode = env.get("STAGELAB_HUB_SEED") or ("kit" if kit.is_file() else "none")
    images = tuple(env.get("STAGELAB_HUB_SEED_IMAGES", "").split())
    if mode == "registry" and not images:
        from ..images import catalogue

        images = tuple(entry.reference for entry in catalogue.entries())
    hub = Hub(
        instance=instance,
        engine_image=f"stagelab/hub-engine:{IMAGE_TAG}",
        lab_image=f"stagelab/hub-singleuser:{IMAGE_TAG}",
        limits=EngineLimits(
            memory=env.get("STAGELAB_HUB_ENGINE_MEMORY", "3g"),
            cpus=float(env.get("STAGELAB_HUB_ENGINE_CPUS", "1")),
            pids=int(env.get("STAGELAB_HUB_ENGINE_PIDS", "4096")),
            build_processes=int(env.get("STAGELAB_HUB_BUILD_PROCESSES", "2048")),
            build_memory_mb=int(env.get("STAGELAB_HUB_BUILD_MEMORY_MB", "2048")),
        ).checked(),
        seeding=Seeding(
            mode=mode,
            kit_path=kit if mode == "kit" else None,
            registry=env.get("STAGELAB_HUB_REGISTRY", ""),
            images=images,
        ),  # fmt: skip
    )
    return HubSettings(
        hub=hub,
        state_dir=state_dir,
        ip=env.get("STAGELAB_HUB_IP", "0.0.0.0"),
        port=int(env.get("STAGELAB_HUB_PORT", "8000")),
        api_port=int(env.get("STAGELAB_HUB_API_PORT", "8081")),
        lab_memory=env.get("STAGELAB_HUB_LAB_MEMORY", "1g"),
        idle_timeout_s=int(env.get("STAGELAB_HUB_IDLE_TIMEOUT", "3600")),
    )
