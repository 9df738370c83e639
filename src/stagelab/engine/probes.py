"""Run an image briefly, with safe defaults, and report what a learner would see.

Usage::

    result = probe("app:multi", port=3000)            # a server: wait for the port, GET /
    result.ready, result.http_status, result.startup_s, result.stopped_cleanly
    result = probe("tool:latest", expect_exit=True)    # a CLI app: wait for it to exit
    attempt = try_exec("app:distroless", ["sh"])       # "can I get a shell?" -> the real error

Every container runs non-privileged, with all capabilities dropped,
``no-new-privileges``, memory (no swap) and pids limits, our labels, a unique
name, and **no network but its own loopback** (``--network none``): a submission
cannot reach the internet, the host or other containers while it is probed. It is
always removed at the end, also on errors, time-outs and Ctrl-C (all containers are
made by :func:`stagelab.engine.containers.container`, which sees to that).

An HTTP probe asks the app from inside its own network namespace: a small sidecar
(busybox, from the course's images) joins the app's loopback and runs ``wget``
against ``127.0.0.1:PORT``; nothing is published on the host. That works the same
on Docker Desktop, and never touches container bridge addresses.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from .. import labels as stagelab_labels
from ..errors import ProbeError
from . import cleanup, containers
from .client import client, engine_errors
from .containers import Container, require_image
from .processes import ContainerView

#: How much of the HTTP body and of the logs a result keeps.
HTTP_BODY_LIMIT = 64 * 1024
LOGS_LIMIT = 16 * 1024
#: How often a probe looks at the container and knocks on its port.
POLL_S = 0.1
#: The exit code of a process ended by SIGKILL (the OOM killer, or ``docker stop`` after its grace time).
SIGKILL_EXIT = 137
#: The image whose ``wget`` asks the app over its loopback (one of the course's base images).
HTTP_SIDECAR_IMAGE = "busybox:1.37"


@dataclass(frozen=True)
class ProbeResult:
    """What happened when an image was run (see :func:`probe`)."""

    image: str
    run_id: str
    started: bool
    ready: bool
    startup_s: float | None
    http_status: int | None
    http_body: str
    exit_code: int | None
    oom_killed: bool
    timed_out: bool
    logs: str
    stopped_cleanly: bool | None
    stop_s: float | None
    error: str | None
    port: int | None = None
    host_port: int | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    memory_mb: int | None = None
    #: The engine's own words when the container could not start (for the curious).
    engine_message: str | None = None
    #: What the ``inspect`` callback of :func:`probe` returned (e.g. which program answered).
    inspection: Any = None
    #: The app answered, but only on its container's loopback (bound to 127.0.0.1/::1).
    loopback_only: bool = False

    @property
    def ok(self) -> bool:
        """The app did what was asked: answered on its port, or exited with 0."""
        if self.port is not None:
            return self.ready and self.http_status is not None and self.http_status < 500
        return self.started and self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True)
class ExecAttempt:
    """The outcome of trying to run a command in a container (see :func:`try_exec`)."""

    image: str
    command: tuple[str, ...]
    succeeded: bool
    exit_code: int | None
    output: str
    error: str | None
    #: "exec" (into a running container, like ``docker exec``) or "run" (as the
    #: container's entrypoint, like ``docker run --entrypoint``).
    method: str = "exec"


def _engine_words(error: docker.errors.APIError) -> str:
    explanation = error.explanation or str(error)
    if isinstance(explanation, bytes):
        explanation = explanation.decode("utf-8", "replace")
    return str(explanation)


def _start_failure(explanation: str) -> str:
    """The part of runc's long message a learner can act on (``exec: "node": executable file not found``)."""
    marker = explanation.find("exec: ")
    if marker >= 0:
        text = explanation[marker:]
    elif "unable to start container process: " in explanation:
        text = explanation.split("unable to start container process: ", 1)[1]
    else:
        return explanation
    return text.removesuffix(": unknown").strip()


def _state(container) -> dict:
    container.reload()
    return container.attrs.get("State", {})


def _logs(container) -> str:
    try:
        raw = container.logs(stdout=True, stderr=True, tail=400)
    except docker.errors.APIError:
        return ""
    text = raw.decode("utf-8", "replace")
    return text[-LOGS_LIMIT:]


@dataclass(frozen=True)
class _Answer:
    status: int
    body: str
    headers: dict[str, str]


def _exit_error(state: dict, memory_mb: int, port: int | None) -> str:
    if state.get("OOMKilled"):
        return f"killed: out of memory (limit {memory_mb} MB)"
    code = state.get("ExitCode")
    if port is not None:
        return f"The container exited with code {code} before opening port {port}"
    return f"The container exited with code {code}"


def probe(
    image: str,
    *,
    port: int | None = 3000,
    http_path: str = "/",
    command: Sequence[str] | str | None = None,
    entrypoint: Sequence[str] | str | None = None,
    env: dict[str, str] | None = None,
    user: str | None = None,
    timeout_s: float = 20,
    memory_mb: int = 256,
    pids: int = 128,
    stop_timeout_s: float = 5,
    expect_exit: bool = False,
    run_id: str | None = None,
    inspect: Callable[[ContainerView], Any] | None = None,
) -> ProbeResult:
    """Run ``image`` with safe defaults and report how it behaved.

    With a ``port`` (and ``expect_exit`` false): wait up to ``timeout_s`` for the app
    to answer HTTP on that port (published on 127.0.0.1), GET ``http_path``, then
    stop it with SIGTERM and see whether it exits within ``stop_timeout_s``.
    With ``expect_exit``: wait up to ``timeout_s`` for the container to exit.
    ``inspect`` is called with a :class:`~stagelab.engine.processes.ContainerView` of the
    container while the app still runs (right after it answered), or once a CLI app has
    exited; what it returns is kept as ``inspection``.
    The container is always removed. Raises :class:`ImageNotFound` for a missing image.
    """
    run_id = run_id or stagelab_labels.new_run_id("probe")
    if expect_exit:
        port = None
    client()
    cleanup.sweep_pending()
    require_image(image)
    if port is not None:
        require_image(HTTP_SIDECAR_IMAGE)
    outcome: dict = {
        "image": image,
        "run_id": run_id,
        "started": False,
        "ready": False,
        "startup_s": None,
        "http_status": None,
        "http_body": "",
        "exit_code": None,
        "oom_killed": False,
        "timed_out": False,
        "logs": "",
        "stopped_cleanly": None,
        "stop_s": None,
        "error": None,
        "port": port,
        "memory_mb": memory_mb,
    }
    with engine_errors():
        created_at = time.monotonic()
        with (
            containers.container(
                image,
                run_id=run_id,
                kind="probe",
                command=command,
                entrypoint=entrypoint,
                env=env,
                user=user,
                memory_mb=memory_mb,
                pids=pids,
            ) as app,
            ExitStack() as sidecars,
        ):
            try:
                app.start()
            except docker.errors.APIError as error:
                words = _engine_words(error)
                outcome.update(error=_start_failure(words), engine_message=words)
                return ProbeResult(**outcome)
            outcome["started"] = True
            if expect_exit:
                _wait_for_exit(app, timeout_s, outcome)
                if inspect is not None and not outcome["timed_out"]:
                    outcome["inspection"] = inspect(ContainerView(app))
            else:
                asker = _HttpSidecar(sidecars, app, run_id)
                _wait_for_answer(app, port, http_path, created_at, timeout_s, outcome, asker)
                if outcome["ready"]:
                    if inspect is not None:
                        outcome["inspection"] = inspect(ContainerView(app))
                    _stop(app, stop_timeout_s, outcome)
            state = _state(app)
            outcome["oom_killed"] = bool(state.get("OOMKilled"))
            if not state.get("Running"):
                outcome["exit_code"] = state.get("ExitCode")
            if outcome["oom_killed"]:
                outcome["error"] = f"killed: out of memory (limit {memory_mb} MB)"
            outcome["logs"] = _logs(app)
            return ProbeResult(**outcome)


def _wait_for_exit(container, timeout_s: float, outcome: dict) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = _state(container)
        if not state.get("Running"):
            if state.get("ExitCode"):
                outcome["error"] = _exit_error(state, outcome["memory_mb"], None)
            return
        time.sleep(POLL_S)
    outcome["timed_out"] = True
    outcome["error"] = f"The container was still running after {timeout_s:g} s (it was expected to exit)"


class _HttpSidecar:
    """A busybox container in the app's network namespace that GETs from the app's loopback."""

    def __init__(self, stack: ExitStack, app: Container, run_id: str):
        # The sidecar is made on the first knock and removed when ``stack`` closes (before the app).
        self.stack, self.app, self.run_id = stack, app, run_id
        self.container: Container | None = None

    def get(self, port: int, path: str, timeout_s: float) -> _Answer | None:
        """Status, headers and (up to HTTP_BODY_LIMIT of) the body; None while nothing answers."""
        if self.container is None:
            try:
                self.container = self.stack.enter_context(
                    containers.container(
                        HTTP_SIDECAR_IMAGE,
                        run_id=self.run_id,
                        kind="probe-sidecar",
                        name_suffix="http",
                        command=["sleep", "3600"],
                        network_mode=f"container:{self.app.id}",
                        memory_mb=32,
                        pids=32,
                        start=True,
                    )
                )
            except docker.errors.APIError:
                # The app stopped between our look and the join ("cannot join network of a non running
                # container"): nothing answers (the sidecar is already removed); the caller sees the
                # exit on its next look.
                return None
        url = f"http://127.0.0.1:{port}{path if path.startswith('/') else '/' + path}"
        script = 'wget -S -q -O - -T "$1" -U stagelab-probe "$2" | head -c "$3"'
        seconds = str(max(1, int(timeout_s)))
        result = self.container.exec_run(["sh", "-c", script, "sh", seconds, url, str(HTTP_BODY_LIMIT)], demux=True)
        body, said = result.output if isinstance(result.output, tuple) else (result.output, b"")
        return _parse_wget(body or b"", said or b"")

    def loopback_only(self, port: int) -> bool:
        """Whether every socket listening on ``port`` is bound to loopback (127.0.0.1, ::1).

        The sidecar shares the app's network namespace, so it reaches the app's loopback too: an app
        bound to 127.0.0.1 answers it, yet nothing outside its container could (``docker run -p``).
        The kernel's socket table, seen from the same namespace, tells the two apart.
        """
        if self.container is None:
            return False
        result = self.container.exec_run(["cat", "/proc/net/tcp", "/proc/net/tcp6"])
        bound = _listening_addresses(result.output.decode("ascii", "replace") if result.output else "", port)
        return bool(bound) and all(_is_loopback(address) for address in bound)


_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column


def _listening_addresses(table: str, port: int) -> list[str]:
    """The local addresses (kernel hex) of the sockets in ``table`` listening on ``port``."""
    found = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 4 or ":" not in fields[1] or fields[3] != _LISTEN:
            continue
        address, _, hex_port = fields[1].rpartition(":")
        if int(hex_port, 16) == port:
            found.append(address)
    return found


def _is_loopback(address: str) -> bool:
    """Kernel hex of an IPv4 (little-endian 127.x.x.x), IPv6 ::1 or IPv4-mapped ::ffff:127.x address."""
    if len(address) == 8:
        return address[6:8] == "7F"
    return address == "00000000000000000000000001000000" or (
        address[:16] == "0000000000000000" and address[16:24] == "FFFF0000" and address[30:32] == "7F"
    )


def _parse_wget(body: bytes, said: bytes) -> _Answer | None:
    """Read busybox wget's ``-S`` report (status line and headers on stderr) and the body."""
    status, headers = None, {}
    for raw in said.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        match = re.match(r"^HTTP/\d(?:\.\d)?\s+(\d{3})", line)
        if match:
            status, headers = int(match.group(1)), {}  # the last response counts (after redirects)
        elif status is not None and ":" in line and not line.startswith("wget:"):
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
    if status is None:
        return None
    return _Answer(status, body.decode("utf-8", "replace"), headers)


def _wait_for_answer(
    container, port: int, http_path: str, created_at: float, timeout_s: float, outcome: dict, asker: _HttpSidecar
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = _state(container)
        if not state.get("Running"):
            outcome["error"] = _exit_error(state, outcome["memory_mb"], port)
            return
        answer = asker.get(port, http_path, timeout_s=max(1.0, min(5.0, deadline - time.monotonic())))
        if answer is not None and asker.loopback_only(port):
            outcome["error"] = (
                f"the app listens on port {port} only on 127.0.0.1 (loopback, inside its own container), "
                f"so nothing outside the container can reach it, not even `docker run -p {port}:{port}`. "
                "Make it listen on 0.0.0.0, not 127.0.0.1/localhost."
            )
            outcome["loopback_only"] = True
            return
        if answer is not None:
            outcome.update(
                ready=True,
                startup_s=time.monotonic() - created_at,
                http_status=answer.status,
                http_body=answer.body,
                http_headers=answer.headers,
            )
            return
        time.sleep(POLL_S)
    outcome["timed_out"] = True
    outcome["error"] = (
        f"port {port} never opened within {timeout_s:g} s: the app runs but does not answer HTTP on {port}. "
        f"Check the port it listens on, and that it listens on 0.0.0.0 (not 127.0.0.1/localhost)."
    )


def _stop(container, stop_timeout_s: float, outcome: dict) -> None:
    """SIGTERM, like ``docker stop``; a process that ignores it is killed after the grace time."""
    asked_at = time.monotonic()
    try:
        container.kill(signal="SIGTERM")
    except docker.errors.APIError:
        pass  # already gone
    deadline = asked_at + stop_timeout_s
    while time.monotonic() < deadline:
        if not _state(container).get("Running"):
            outcome["stop_s"] = time.monotonic() - asked_at
            outcome["stopped_cleanly"] = True
            return
        time.sleep(POLL_S / 2)
    try:
        container.kill(signal="SIGKILL")
    except docker.errors.APIError:
        pass
    container.wait(timeout=30)
    outcome["stop_s"] = time.monotonic() - asked_at
    # A PID 1 without a SIGTERM handler ignores it (the kernel gives PID 1 no default action).
    outcome["stopped_cleanly"] = False
    outcome["error"] = (
        f"The app ignored SIGTERM and was killed after {stop_timeout_s:g} s. As PID 1 it needs its own "
        "SIGTERM handler, or run it with an init (`docker run --init`, tini)."
    )


def try_exec(
    image: str,
    command: Sequence[str],
    *,
    container: str | None = None,
    settle_s: float = 1.0,
    timeout_s: float = 15,
    memory_mb: int = 256,
    pids: int = 128,
    run_id: str | None = None,
) -> ExecAttempt:
    """Try to run ``command`` in ``image`` and report the real outcome, error included.

    With ``container`` (a running container's name or id) this is ``docker exec``.
    Otherwise the image is started with its own entrypoint; if it stays up the
    command is exec'ed into it (what ``docker exec -it CONTAINER sh`` shows), and if
    it does not, the command is run as the entrypoint (what ``docker run
    --entrypoint sh IMAGE`` shows). Any container made here is removed.
    """
    command = tuple(command)
    if not command:
        raise ProbeError("try_exec needs a command, e.g. ['sh'].")
    run_id = run_id or stagelab_labels.new_run_id("exec")
    sdk = client()
    if container is not None:
        with engine_errors():
            try:
                target = sdk.containers.get(container)
            except docker.errors.NotFound:
                raise ProbeError(f"No container named {container} is running. Start it first.") from None
            return _exec_into(target, image, command, timeout_s)
    require_image(image)
    with engine_errors():
        with ExitStack() as first_try:
            stays_up = False
            try:
                created = first_try.enter_context(
                    containers.container(image, run_id=run_id, kind="probe", memory_mb=memory_mb, pids=pids, start=True)
                )
                time.sleep(settle_s)
                stays_up = bool(_state(created).get("Running"))
            except docker.errors.APIError:
                stays_up = False  # no entrypoint/cmd, or it cannot start: try the command itself
            if stays_up:
                return _exec_into(created, image, command, timeout_s)
        # The first container is gone (its name is free again): run the command as the entrypoint.
        return _run_as_entrypoint(image, command, run_id, memory_mb, pids, timeout_s)


def _exec_into(container, image: str, command: tuple[str, ...], timeout_s: float) -> ExecAttempt:
    api = container.client.api
    execution = api.exec_create(container.id, list(command), stdout=True, stderr=True)
    holder: dict = {}

    def run() -> None:
        try:
            holder["output"] = api.exec_start(execution["Id"])
        except Exception as error:  # reported below; never lost in the thread
            holder["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        # Removing the container (the caller's finally) ends the exec and the thread.
        return ExecAttempt(image, command, False, None, "", f"still running after {timeout_s:g} s", "exec")
    if "error" in holder:
        raise holder["error"]
    output = (holder.get("output") or b"").decode("utf-8", "replace")
    exit_code = api.exec_inspect(execution["Id"]).get("ExitCode")
    failed_to_start = "OCI runtime exec failed" in output or exit_code in (126, 127)
    error = output.strip() if failed_to_start else None
    if error is None and exit_code:
        error = f"{command[0]} exited with code {exit_code}"
    return ExecAttempt(image, command, exit_code == 0, exit_code, output[-LOGS_LIMIT:], error, "exec")


def _run_as_entrypoint(
    image: str, command: tuple[str, ...], run_id: str, memory_mb: int, pids: int, timeout_s: float
) -> ExecAttempt:
    with containers.container(
        image, run_id=run_id, kind="probe", entrypoint=command[:1], command=command[1:], memory_mb=memory_mb, pids=pids
    ) as runner:
        try:
            runner.start()
        except docker.errors.APIError as error:
            return ExecAttempt(image, command, False, None, "", _engine_words(error), "run")
        try:
            status = runner.wait(timeout=timeout_s)
        except Exception:  # requests' ReadTimeout: the command did not finish
            return ExecAttempt(
                image, command, False, None, _logs(runner), f"still running after {timeout_s:g} s", "run"
            )
        exit_code = status.get("StatusCode")
        output = _logs(runner)
        error = None if exit_code == 0 else f"{command[0]} exited with code {exit_code}"
        return ExecAttempt(image, command, exit_code == 0, exit_code, output, error, "run")
