"""The one door to the Docker engine: the SDK client, the CLI binary, and error translation.

Nothing outside :mod:`stagelab.engine` imports ``docker`` or runs the ``docker``
command. Errors from either are turned into :mod:`stagelab.errors` exceptions
whose message says what to do.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import docker
import docker.errors

from ..errors import DiskFull, EngineUnavailable, ImageNotFound, StagelabError

START_ENGINE_HINT = (
    "Start Docker Desktop (macOS/Windows), or run `make engine` (Linux, as root) to install and start it."
)
PREPARE_HINT = "Run `stagelab images prepare` to make the course's base images."


def _unreachable_message(detail: str) -> str:
    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if "ermission denied" in detail:
        return (
            f"Permission denied on the Docker socket ({where}). "
            "Add your user to the 'docker' group (`sudo usermod -aG docker $USER`, then log in again) or run as root."
        )
    return f"The Docker engine is not running (nothing answers at {where}). {START_ENGINE_HINT}"


def translate(error: Exception) -> StagelabError:
    """Turn an SDK, CLI or OS error into one of ours with an actionable message."""
    if isinstance(error, StagelabError):
        return error
    text = str(error)
    if isinstance(error, docker.errors.ImageNotFound) or "No such image" in text:
        name = text.split("No such image:")[-1].strip().rstrip('")') if "No such image" in text else ""
        return ImageNotFound(f"Image {name or ''} is not in the engine. {PREPARE_HINT}".replace("  ", " "))
    if "no space left on device" in text.lower():
        return DiskFull(
            "The Docker engine ran out of disk space. Free some with `stagelab clean` "
            "(course leftovers) or `docker system prune`, then try again."
        )
    if isinstance(error, (PermissionError,)) or "ermission denied" in text:
        return EngineUnavailable(_unreachable_message("Permission denied"))
    if isinstance(error, docker.errors.DockerException) and (
        "Error while fetching server API version" in text
        or "Connection aborted" in text
        or "Connection refused" in text
        or "No such file or directory" in text
    ):
        return EngineUnavailable(_unreachable_message(text))
    if isinstance(error, (ConnectionError, FileNotFoundError)):
        return EngineUnavailable(_unreachable_message(text))
    if isinstance(error, docker.errors.APIError):
        explanation = getattr(error, "explanation", None) or text
        return StagelabError(f"The Docker engine refused: {explanation}")
    return StagelabError(f"Docker error: {text}")


@contextlib.contextmanager
def engine_errors() -> Iterator[None]:
    """Re-raise anything the engine throws as a :class:`StagelabError`."""
    try:
        yield
    except StagelabError:
        raise
    except (docker.errors.DockerException, OSError, ConnectionError) as error:
        raise translate(error) from None
    except Exception as error:  # requests' exceptions are not DockerException
        if type(error).__module__.startswith(("requests", "urllib3")):
            raise translate(error) from None
        raise


@functools.cache
def _client_for(host: str | None) -> docker.DockerClient:
    # The pool is larger than the default 10 so that many concurrent probes and
    # gradings (a classroom on one engine) do not wait on connections.
    return docker.from_env(timeout=120, max_pool_size=32)


def client() -> docker.DockerClient:
    """The SDK client for the engine named by ``DOCKER_HOST`` (or the default socket).

    Made once per ``DOCKER_HOST``: making it asks the engine for its API version, so it
    raises :class:`EngineUnavailable` when nothing answers then. Later calls cost nothing
    (no ping each time); an engine that goes away afterwards shows in the next request,
    which :func:`engine_errors` turns into the same :class:`EngineUnavailable`.
    """
    with engine_errors():
        return _client_for(os.environ.get("DOCKER_HOST"))


def docker_binary() -> str:
    """Path of the ``docker`` command-line client."""
    found = shutil.which("docker")
    if not found:
        raise EngineUnavailable("The `docker` command is not installed. " + START_ENGINE_HINT)
    return found


@functools.cache
def _buildx_version_for(host: str | None) -> str | None:
    try:
        out = subprocess.run([docker_binary(), "buildx", "version"], capture_output=True, text=True, timeout=30)
    except (EngineUnavailable, OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    parts = out.stdout.split()
    return parts[1] if len(parts) > 1 else out.stdout.strip()


def buildx_version() -> str | None:
    """The buildx plugin's version, or None when it is not installed."""
    return _buildx_version_for(os.environ.get("DOCKER_HOST"))


@dataclass(frozen=True)
class EngineInfo:
    """What the engine says about itself."""

    server_version: str
    api_version: str
    os: str
    architecture: str
    storage_driver: str
    docker_root: str
    buildx_version: str | None
    cpus: int
    memory_bytes: int


def engine_info() -> EngineInfo:
    """Ask the engine for its version and setup (raises :class:`EngineUnavailable`)."""
    sdk = client()
    with engine_errors():
        info = sdk.info()
        version = sdk.version()
    return EngineInfo(
        server_version=version.get("Version", "?"),
        api_version=version.get("ApiVersion", "?"),
        os=info.get("OperatingSystem", "?"),
        architecture=info.get("Architecture", "?"),
        storage_driver=info.get("Driver", "?"),
        docker_root=info.get("DockerRootDir", "/var/lib/docker"),
        buildx_version=buildx_version(),
        cpus=int(info.get("NCPU", 0)),
        memory_bytes=int(info.get("MemTotal", 0)),
    )
