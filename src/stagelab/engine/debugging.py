"""Debugging a container that has no shell: a sidecar in its namespaces, ``docker cp``, logs.

Usage::

    with running("app:distroless", port=3000) as app:
        sidecar(app, ["ps"])                       # a busybox that sees the app's processes
        sidecar(app, ["wget", "-qO-", "localhost:3000/"])   # ...and shares its network
        copy_out(app, "/app/package.json")         # docker cp, no shell needed
        app.logs()

Containers made here carry our labels, run with the probes' safe defaults, and are
removed when the ``with`` block ends (also on errors).
"""

from __future__ import annotations

import io
import tarfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import docker.errors

from .. import labels as stagelab_labels
from ..errors import ProbeError
from . import containers
from .client import client, engine_errors
from .containers import Container, require_image

#: The sidecar's image: busybox from the course catalogue (a static binary, no libc needed).
DEFAULT_SIDECAR = "busybox:1.37"


@dataclass(frozen=True)
class CommandOutput:
    """What a command printed and how it exited."""

    command: tuple[str, ...]
    exit_code: int | None
    output: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class RunningContainer:
    """A container started by :func:`running`; valid inside the ``with`` block."""

    def __init__(self, container: Container, image: str, run_id: str):
        self._container = container
        self.image = image
        self.run_id = run_id
        self.id: str = container.id
        self.name: str = container.name

    def logs(self, tail: int = 50) -> str:
        """The container's output so far (``docker logs``)."""
        with engine_errors():
            return self._container.logs(stdout=True, stderr=True, tail=tail).decode("utf-8", "replace")

    def processes(self) -> list[str]:
        """The processes in the container as the engine sees them (``docker top``): works without a shell."""
        with engine_errors():
            top = self._container.top()
        return [" ".join(row) for row in top.get("Processes") or []]

    @property
    def running(self) -> bool:
        with engine_errors():
            self._container.reload()
            return bool(self._container.attrs.get("State", {}).get("Running"))


@contextmanager
def running(
    image: str,
    *,
    command: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    settle_s: float = 1.0,
    memory_mb: int = 256,
) -> Iterator[RunningContainer]:
    """Start ``image`` (detached, safe defaults, our labels) and remove it when the block ends."""
    run_id = stagelab_labels.new_run_id("debug")
    require_image(image)
    with ExitStack() as stack:
        with engine_errors():
            started = stack.enter_context(
                containers.container(
                    image,
                    run_id=run_id,
                    kind="debug",
                    command=command or None,
                    env=env,
                    memory_mb=memory_mb,
                    pids=128,
                    start=True,
                )
            )
            time.sleep(settle_s)
        yield RunningContainer(started, image, run_id)


def sidecar(
    target: RunningContainer,
    command: Sequence[str],
    *,
    image: str = DEFAULT_SIDECAR,
    user: str | None = None,
    timeout_s: float = 30,
) -> CommandOutput:
    """Run ``command`` in a throw-away container sharing ``target``'s PID and network namespaces.

    Like ``docker run --rm --pid=container:APP --network=container:APP busybox ps``: the
    tools come from the sidecar's image, the processes and ports are the app's. The
    app's files are visible at ``/proc/1/root``: as the app's own ``user`` the sidecar has
    exactly the app's rights; as root (the default) it gets ``SYS_PTRACE`` to read them.
    """
    require_image(image)
    run_id = stagelab_labels.new_run_id("sidecar")
    with engine_errors():
        with containers.container(
            image,
            run_id=run_id,
            kind="sidecar",
            command=command,
            pid_mode=f"container:{target.id}",
            network_mode=f"container:{target.id}",
            user=user,
            # Root reading another user's /proc/<pid>/root needs ptrace rights over it.
            cap_add=["SYS_PTRACE"] if user is None else None,
            memory_mb=64,
            pids=64,
            start=True,
        ) as helper:
            try:
                status = helper.wait(timeout=timeout_s)
            except Exception:  # requests' ReadTimeout: the command did not finish
                return CommandOutput(tuple(command), None, f"still running after {timeout_s:g} s")
            output = helper.logs(stdout=True, stderr=True).decode("utf-8", "replace")
            return CommandOutput(tuple(command), status.get("StatusCode"), output)


def copy_out(target: RunningContainer, path: str, limit_bytes: int = 1_000_000) -> dict[str, bytes]:
    """The files under ``path`` in the container (``docker cp CONTAINER:PATH -``): name → content.

    Works on any container, shell or not: the engine reads its filesystem.
    """
    sdk = client()
    with engine_errors():
        try:
            container = sdk.containers.get(target.id)
            stream, _ = container.get_archive(path)
        except docker.errors.NotFound:
            raise ProbeError(f"{path} does not exist in the container.") from None
        data = b"".join(stream)
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive:
            if member.isfile():
                extracted = archive.extractfile(member)
                files[member.name] = extracted.read(limit_bytes) if extracted else b""
    return files
