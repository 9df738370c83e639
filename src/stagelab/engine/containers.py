"""The one place a container is made: :func:`container` creates it and always removes it.

Usage::

    with container("app:multi", run_id=run_id, kind="probe") as app:      # hardened, no network
        app.start()
    with container(image, run_id=run_id, kind="read-files", hardened=False,
                   command=["/nonexistent"], entrypoint=[]) as never_run:   # read through the archive API
        never_run.get_archive("/etc/os-release")

Every container carries our labels (owner, run, kind) and a name made from its run id,
so one that cannot be removed now (the engine went away) is found again later by
``stagelab clean`` or the next probe. Hardened containers (the default, for anything
that runs a learner's code) are non-privileged, drop all capabilities, set
``no-new-privileges``, have memory (no swap) and pids limits, and see no network but
their own loopback unless they join another container's namespaces.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import docker.errors
from docker.models.containers import Container

from .. import labels as stagelab_labels
from ..errors import ImageNotFound
from . import cleanup
from .client import PREPARE_HINT, client, engine_errors

__all__ = ["Container", "container", "container_name", "require_image"]


def container_name(run_id: str, suffix: str = "") -> str:
    """The name of the container a run makes (``stagelab-<run id>[-suffix]``)."""
    return f"stagelab-{run_id}" + (f"-{suffix}" if suffix else "")


def _hardening(memory_mb: int, pids: int) -> dict:
    memory = f"{memory_mb}m"
    return {
        "privileged": False,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        # Equal memory and memory+swap: the limit is a real limit, no swapping.
        "mem_limit": memory,
        "memswap_limit": memory,
        "pids_limit": pids,
        "detach": True,
    }


def require_image(image: str) -> None:
    """Raise :class:`ImageNotFound` (saying what to do) unless the engine has ``image``."""
    sdk = client()
    with engine_errors():
        try:
            sdk.images.get(image)
        except docker.errors.ImageNotFound:
            raise ImageNotFound(f"Image {image} is not in the engine. Build it first, or: {PREPARE_HINT}") from None


@contextmanager
def container(
    image: str,
    *,
    run_id: str,
    kind: str,
    name_suffix: str = "",
    command: Sequence[str] | str | None = None,
    entrypoint: Sequence[str] | str | None = None,
    env: dict[str, str] | None = None,
    user: str | None = None,
    hardened: bool = True,
    memory_mb: int = 256,
    pids: int = 128,
    network_mode: str | None = "none",
    pid_mode: str | None = None,
    cap_add: Sequence[str] | None = None,
    start: bool = False,
) -> Iterator[Container]:
    """Create a container of ``image`` (started when ``start``); remove it when the block ends.

    It is removed also on errors, time-outs and Ctrl-C, and also when ``create`` or
    ``start`` fails. Engine errors are not translated here, so that a caller can tell a
    container that cannot start (``docker.errors.APIError``) from one that ran; wrap
    the block in :func:`~stagelab.engine.client.engine_errors` for learner-facing errors.
    ``network_mode`` ``"none"`` (the default) gives a hardened container only its own
    loopback; ``container:<id>`` joins another one's; ``None`` keeps the engine's default.
    """
    sdk = client()
    name = container_name(run_id, name_suffix)
    options: dict = {"name": name, "labels": stagelab_labels.labels_for(run_id, kind)}
    if hardened:
        options.update(_hardening(memory_mb, pids))
    if network_mode is not None:
        options["network_mode"] = network_mode
    if pid_mode is not None:
        options["pid_mode"] = pid_mode
    if cap_add:
        options["cap_add"] = list(cap_add)
    created = None
    try:
        created = sdk.containers.create(
            image,
            command=list(command) if command is not None and not isinstance(command, str) else command,
            entrypoint=list(entrypoint) if entrypoint is not None and not isinstance(entrypoint, str) else entrypoint,
            environment=env,
            user=user,
            **options,
        )
        if start:
            created.start()
        yield created
    finally:
        _remove(sdk, created, name)


def _remove(sdk, created: Container | None, name: str) -> None:
    """Remove the container; then, by its name, one whose ``create`` we never saw return.

    If the engine cannot be reached (it stopped meanwhile), the name is noted so the next
    probe or ``stagelab clean`` removes it once the engine is back.
    """
    if created is not None:
        try:
            created.remove(force=True, v=True)
            return
        except docker.errors.NotFound:
            return
        except Exception:  # the fallback below tries again by name
            pass
    try:
        sdk.containers.get(name).remove(force=True, v=True)
    except docker.errors.NotFound:
        pass
    except Exception:  # clean-up must never hide the real outcome
        cleanup.remember_for_sweep(name)


def start_kept(image: str, **options) -> Container:
    """Start a container that outlives this call (the workshop hub's learner engines and servers).

    These run the course's own images with the hub's names and labels, and the hub removes
    them when it stops (``stagelab hub stop`` finds them by label); ``options`` go to the
    engine as given (``docker run -d``).
    """
    return client().containers.run(image, detach=True, **options)


@contextmanager
def unhardened(image: str, **options) -> Iterator[Container]:
    """Create a container exactly as ``options`` say (the hub's grader: the course's image,
    a learner's home mounted); remove it when the block ends, whatever happens."""
    sdk = client()
    created = None
    try:
        created = sdk.containers.create(image, **options)
        yield created
    finally:
        if created is not None:
            try:
                created.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
            except Exception:  # clean-up must never hide the real outcome
                cleanup.remember_for_sweep(created.name)
