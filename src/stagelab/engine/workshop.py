"""The host engine's side of the workshop hub: one private engine container per learner.

Each learner gets, on the host's engine:

* ``<prefix>-engine-<learner>``: a privileged container running its own ``dockerd`` (the hub's
  engine image), with a private cgroup namespace and the learner's memory/CPU/PID limits, so
  everything the learner builds or runs counts against them. Its ``/var/lib/docker`` is the
  volume ``<prefix>-store-<learner>``. Its API listens on 127.0.0.1:2375 *inside its own network
  namespace* only, behind an authorization plugin that refuses privileged containers, bind
  mounts, devices and extra capabilities.
* ``<prefix>-lab-<learner>``: the learner's JupyterLab (made by the spawner, not here), not
  privileged, joined to that network namespace, so ``DOCKER_HOST=tcp://127.0.0.1:2375`` is its
  own engine and ports the grader publishes on 127.0.0.1 are reachable from it.
* ``<prefix>-home-<learner>``: the learner's home volume (their working copy of the course).

All engine containers sit on one bridge network with inter-container traffic disabled: the hub
(a host process) reaches each learner's JupyterLab, learners reach the hub's API on the
bridge's gateway, and no learner reaches another learner's containers. Everything carries the
owner label, the hub label (the instance) and, where it applies, the learner label.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import docker.errors

from .. import labels
from ..errors import StagelabError
from . import containers
from .client import client, docker_binary, engine_errors

#: The label naming the hub instance an object belongs to.
HUB = "org.stagelab.hub"
#: The label naming the learner an object belongs to.
LEARNER = "org.stagelab.hub.learner"
#: dockerd's API inside the shared network namespace of a learner's engine and JupyterLab.
ENGINE_API_PORT = 2375


@dataclass(frozen=True)
class EngineLimits:
    """What one learner's engine may use: everything they build or run counts against it."""

    memory: str = "3g"
    cpus: float = 1.0
    #: The engine container's processes: its builds' share plus room for dockerd and BuildKit.
    pids: int = 4096
    #: What everything the learner builds or runs shares, in a cgroup below dockerd's (so a fork
    #: bomb or a memory hog stops there and the learner's engine keeps answering): the course's
    #: per-build budget (stagelab.engine.limits.BuildLimits), set up by hub/images/engine/build-cgroup.sh.
    build_processes: int = 2048
    build_memory_mb: int = 2048

    @property
    def memory_bytes(self) -> int:
        return memory_bytes(self.memory)

    def checked(self) -> EngineLimits:
        """These limits, with the builds' share kept below the engine's own (dockerd must keep room to answer)."""
        room_mb = self.memory_bytes // (1024 * 1024)
        return replace(
            self,
            build_memory_mb=max(64, min(self.build_memory_mb, room_mb - 512)),
            build_processes=max(64, min(self.build_processes, self.pids - 256)),
        )


def memory_bytes(text: str) -> int:
    """``"3g"``, ``"512m"`` or a plain number of bytes, as Docker reads ``--memory``."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = text.strip().lower()
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


@dataclass(frozen=True)
class Seeding:
    """How a new learner engine gets the course's base images (see hub/images/engine/seed.sh)."""

    mode: str = "none"  # kit | registry | none
    kit_path: Path | None = None
    registry: str = ""
    images: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hub:
    """The names and labels of one hub instance on the host engine."""

    instance: str = "workshop"
    engine_image: str = "stagelab/hub-engine:1"
    lab_image: str = "stagelab/hub-singleuser:1"
    limits: EngineLimits = field(default_factory=EngineLimits)
    seeding: Seeding = field(default_factory=Seeding)

    @property
    def prefix(self) -> str:
        return f"stagelab-hub-{self.instance}"

    @property
    def network(self) -> str:
        return f"{self.prefix}-net"

    def engine_name(self, learner: str) -> str:
        return f"{self.prefix}-engine-{learner}"

    def lab_name(self, learner: str) -> str:
        return f"{self.prefix}-lab-{learner}"

    def home_volume(self, learner: str) -> str:
        return f"{self.prefix}-home-{learner}"

    def store_volume(self, learner: str) -> str:
        return f"{self.prefix}-store-{learner}"

    def labels(self, kind: str, learner: str | None = None) -> dict[str, str]:
        """The labels of an object of this hub (``kind``: engine, lab, home, store, network, grader)."""
        found = {labels.OWNER: labels.owner(), labels.KIND: f"hub-{kind}", HUB: self.instance}
        if learner is not None:
            found[LEARNER] = learner
        return found

    def filters(self, kind: str | None = None) -> dict[str, list[str]]:
        wanted = [f"{labels.OWNER}={labels.owner()}", f"{HUB}={self.instance}"]
        if kind:
            wanted.append(f"{labels.KIND}=hub-{kind}")
        return {"label": wanted}


@dataclass(frozen=True)
class LearnerEngine:
    """A learner's running engine container, as the host sees it."""

    learner: str
    container: str
    container_id: str
    ip: str
    privileged: bool


@dataclass(frozen=True)
class Removed:
    """What ``remove_hub`` took away."""

    containers: int
    volumes: int
    networks: int


def build_image(tag: str, dockerfile: Path, context: Path, build_contexts: dict[str, Path] | None = None,
                image_labels: dict[str, str] | None = None) -> str:  # fmt: skip
    """Build one of the hub's images with BuildKit; returns the image id. Raises with the build's tail."""
    command = [docker_binary(), "buildx", "build", "--load", "-q", "-f", str(dockerfile), "-t", tag]
    for name, path in (build_contexts or {}).items():
        command += ["--build-context", f"{name}={path}"]
    for key, value in (image_labels or {}).items():
        command += ["--label", f"{key}={value}"]
    done = subprocess.run([*command, str(context)], capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise StagelabError(f"Could not build the hub image {tag}:\n{tail}")
    return done.stdout.strip()


#: The label a hub image carries with the digest of the files it was built from.
SOURCE_LABEL = "org.stagelab.hub.source"


def image_present(reference: str, source: str | None = None) -> bool:
    """True when the host engine has ``reference`` (built from ``source``, when given)."""
    with engine_errors():
        try:
            image = client().images.get(reference)
        except docker.errors.ImageNotFound:
            return False
    if source is None:
        return True
    return (image.labels or {}).get(SOURCE_LABEL) == source


def ensure_network(hub: Hub) -> str:
    """Create the hub's bridge (inter-container traffic off) if missing; returns its gateway address."""
    sdk = client()
    with engine_errors():
        found = sdk.networks.list(names=[hub.network], filters=hub.filters("network"))
        network = next((n for n in found if n.name == hub.network), None)
        if network is None:
            network = sdk.networks.create(
                hub.network, driver="bridge", labels=hub.labels("network"),
                options={"com.docker.network.bridge.enable_icc": "false"},
            )  # fmt: skip
            network.reload()
        configs = (network.attrs.get("IPAM") or {}).get("Config") or []
    gateway = next((c.get("Gateway") for c in configs if c.get("Gateway")), None)
    if not gateway:
        raise StagelabError(f"The hub network {hub.network} has no gateway address.")
    return gateway


def ensure_volume(name: str, volume_labels: dict[str, str]) -> None:
    """Create a labelled named volume unless it exists."""
    sdk = client()
    with engine_errors():
        try:
            sdk.volumes.get(name)
        except docker.errors.NotFound:
            sdk.volumes.create(name, labels=volume_labels)


def _environment(hub: Hub) -> dict[str, str]:
    seeding = hub.seeding
    limits = hub.limits
    env = {
        "STAGELAB_SEED": seeding.mode,
        "STAGELAB_BUILD_PROCESSES": str(limits.build_processes),
        "STAGELAB_BUILD_MEMORY_MB": str(limits.build_memory_mb),
        "STAGELAB_BUILD_CPUS": f"{limits.cpus:g}",
    }
    if seeding.mode == "registry":
        env["STAGELAB_SEED_REGISTRY"] = seeding.registry
        env["STAGELAB_SEED_IMAGES"] = " ".join(seeding.images)
        env["STAGELAB_ENGINE_ARGS"] = f"--insecure-registry={seeding.registry}"
    return env


def start_learner_engine(hub: Hub, learner: str, ready_timeout_s: float = 60.0) -> LearnerEngine:
    """Start (or find running) the learner's engine container and wait until its dockerd answers."""
    sdk = client()
    name = hub.engine_name(learner)
    ensure_volume(hub.store_volume(learner), hub.labels("store", learner))
    with engine_errors():
        try:
            container = sdk.containers.get(name)
            if container.status != "running":
                container.remove(force=True)
                container = None
        except docker.errors.NotFound:
            container = None
        if container is None:
            volumes = {hub.store_volume(learner): {"bind": "/var/lib/docker", "mode": "rw"}}
            if hub.seeding.mode == "kit" and hub.seeding.kit_path:
                volumes[str(Path(hub.seeding.kit_path).resolve())] = {"bind": "/kit/images.tar", "mode": "ro"}
            limits = hub.limits
            container = containers.start_kept(
                hub.engine_image, name=name, init=True, privileged=True,
                cgroupns="private", mem_limit=limits.memory, memswap_limit=limits.memory,
                nano_cpus=int(limits.cpus * 1e9), pids_limit=limits.pids,
                network=hub.network, hostname=f"engine-{learner}", volumes=volumes,
                environment=_environment(hub), labels=hub.labels("engine", learner),
            )  # fmt: skip
    deadline = time.monotonic() + ready_timeout_s
    while True:
        with engine_errors():
            container.reload()
            if container.status != "running":
                logs = container.logs(tail=20).decode(errors="replace")
                raise StagelabError(f"The engine of {learner} stopped while starting:\n{logs}")
            code, _ = container.exec_run(["docker", "version", "--format", "{{.Server.Version}}"])
        if code == 0:
            break
        if time.monotonic() > deadline:
            raise StagelabError(f"The engine of {learner} did not answer within {ready_timeout_s:.0f} s.")
        time.sleep(0.2)
    return _describe(hub, container)


def _describe(hub: Hub, container) -> LearnerEngine:
    networks = container.attrs["NetworkSettings"]["Networks"]
    ip = (networks.get(hub.network) or {}).get("IPAddress", "")
    return LearnerEngine(
        learner=container.labels.get(LEARNER, ""), container=container.name, container_id=container.id,
        ip=ip, privileged=bool(container.attrs["HostConfig"].get("Privileged")),
    )  # fmt: skip


def stop_learner_engine(hub: Hub, learner: str) -> bool:
    """Stop and remove the learner's engine container (its store volume stays for a warm restart)."""
    sdk = client()
    with engine_errors():
        try:
            container = sdk.containers.get(hub.engine_name(learner))
        except docker.errors.NotFound:
            return False
        container.stop(timeout=20)
        container.remove(force=True)
    return True


def learner_engines(hub: Hub) -> list[LearnerEngine]:
    """The running learner engines of this hub, by learner."""
    sdk = client()
    with engine_errors():
        found = sdk.containers.list(filters=hub.filters("engine"))
    return sorted((_describe(hub, c) for c in found), key=lambda e: e.learner)


def exec_in(container: str, command: list[str], user: str | None = None) -> tuple[int, str]:
    """Run a command in a running container of the host engine; (exit code, output)."""
    with engine_errors():
        target = client().containers.get(container)
        code, output = target.exec_run(command, user=user or "")
    return code, output.decode(errors="replace")


@dataclass(frozen=True)
class ContainerFacts:
    """What isolation tests and the instructor need to know about a hub container."""

    name: str
    privileged: bool
    network_mode: str
    mounts: tuple[str, ...]  # "source -> destination"
    cap_add: tuple[str, ...]
    labels: dict[str, str]


def hub_containers(hub: Hub, kind: str | None = None) -> list[ContainerFacts]:
    """Every container of this hub (running or not), with its security-relevant settings."""
    sdk = client()
    with engine_errors():
        found = sdk.containers.list(all=True, filters=hub.filters(kind))
    facts = []
    for container in found:
        host = container.attrs["HostConfig"]
        mounts = tuple(
            f"{m.get('Name') or m.get('Source')} -> {m.get('Destination')}" for m in container.attrs.get("Mounts", [])
        )
        facts.append(ContainerFacts(container.name, bool(host.get("Privileged")), host.get("NetworkMode", ""),
                                    mounts, tuple(host.get("CapAdd") or ()), dict(container.labels)))  # fmt: skip
    return sorted(facts, key=lambda f: f.name)


def run_in_learner_netns(hub: Hub, learner: str, command: list[str], *, image: str | None = None,
                         home_read_only: bool = True, environment: dict[str, str] | None = None,
                         copy_in: dict[str, Path] | None = None, timeout_s: float = 900.0) -> tuple[int, str]:  # fmt: skip
    """Run ``command`` in a fresh, unprivileged container of the lab image, in the learner's engine's
    network namespace (so ``tcp://127.0.0.1:2375`` is *their* engine) with their home mounted.

    The instructor's gradings run this way: the grader's code comes from the image, not from the
    learner's home, and it builds and probes in the learner's own engine. Returns (exit code, stdout).
    """
    engine = hub.engine_name(learner)
    with engine_errors(), containers.unhardened(
        image or hub.lab_image, command=command, network_mode=f"container:{engine}", user="1000",
        volumes={hub.home_volume(learner): {"bind": "/home/learner", "mode": "ro" if home_read_only else "rw"}},
        environment=environment or {}, labels=hub.labels("grader", learner), mem_limit="1g",
    ) as container:  # fmt: skip
        for destination, source in (copy_in or {}).items():
            container.put_archive("/", _tar_of(Path(source), destination.strip("/")))
        container.start()
        result = container.wait(timeout=timeout_s)
        output = container.logs(stdout=True, stderr=False).decode(errors="replace")
    return int(result.get("StatusCode", 1)), output


def _tar_of(source: Path, arcname: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:

        def readable(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid = info.gid = 1000
            info.uname = info.gname = ""
            return info

        archive.add(source, arcname=arcname, filter=readable)
    return buffer.getvalue()


def remove_hub(hub: Hub, *, volumes: bool) -> Removed:
    """Remove this hub's containers and network, and with ``volumes`` its learners' homes and stores."""
    sdk = client()
    removed_containers = removed_volumes = removed_networks = 0
    with engine_errors():
        containers = sdk.containers.list(all=True, filters=hub.filters())
        # JupyterLab containers share their engine's network namespace: remove them first.
        containers.sort(key=lambda c: c.labels.get(labels.KIND) == "hub-engine")
        for container in containers:
            try:
                if container.status == "running" and container.labels.get(labels.KIND) == "hub-engine":
                    container.stop(timeout=20)
                container.remove(force=True, v=True)
                removed_containers += 1
            except docker.errors.NotFound:
                pass
        for network in sdk.networks.list(filters=hub.filters()):
            try:
                network.remove()
                removed_networks += 1
            except docker.errors.NotFound:
                pass
        if volumes:
            for volume in sdk.volumes.list(filters=hub.filters()):
                try:
                    volume.remove(force=True)
                    removed_volumes += 1
                except docker.errors.NotFound:
                    pass
    return Removed(removed_containers, removed_volumes, removed_networks)


def leftovers(hub: Hub) -> dict[str, list[str]]:
    """Names of this hub's containers, networks and volumes still in the host engine."""
    sdk = client()
    with engine_errors():
        return {
            "containers": [c.name for c in sdk.containers.list(all=True, filters=hub.filters())],
            "networks": [n.name for n in sdk.networks.list(filters=hub.filters())],
            "volumes": [v.name for v in sdk.volumes.list(filters=hub.filters())],
        }


def container_stats(names: Iterable[str]) -> dict[str, int]:
    """Memory in use (bytes, page cache excluded as ``docker stats`` does) of each running container."""
    sdk = client()
    usage: dict[str, int] = {}
    with engine_errors():
        for name in names:
            try:
                stats = sdk.containers.get(name).stats(stream=False)
            except docker.errors.NotFound:
                continue
            memory = stats.get("memory_stats") or {}
            cache = (memory.get("stats") or {}).get("total_inactive_file", (memory.get("stats") or {}).get("cache", 0))
            usage[name] = int(memory.get("usage", 0)) - int(cache)
    return usage


def volume_sizes(names: Iterable[str]) -> dict[str, int]:
    """Disk used by named volumes (bytes), as ``docker system df -v`` reports them."""
    sdk = client()
    with engine_errors():
        df = sdk.df()
    wanted = set(names)
    return {
        v["Name"]: int((v.get("UsageData") or {}).get("Size", 0))
        for v in df.get("Volumes") or []
        if v["Name"] in wanted
    }


def image_size(reference: str) -> int:
    """Size of an image in the host engine (bytes, uncompressed)."""
    with engine_errors():
        return int(client().images.get(reference).attrs.get("Size", 0))


def to_json(value) -> str:
    """Plain data of this module as JSON (for the CLI and the bench)."""
    return json.dumps(value, default=lambda o: o.__dict__, indent=2)
