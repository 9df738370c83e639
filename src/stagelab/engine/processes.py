"""What runs inside a container, read through the engine: its processes and the files they run.

A grader must know that the process answering its probe is the lab's app, not a
generic responder shipped beside it. :class:`ContainerView` answers that without
a shell in the container (distroless, scratch) and without ``docker exec``:

- :meth:`ContainerView.processes` asks the engine's *top* API (``docker top``), which
  lists the container's processes from the host's side: pid, parent, user, command line;
- :attr:`ContainerView.argv`, :attr:`working_dir` and :attr:`env` come from the
  container's inspect data (what the engine started, after ENTRYPOINT + CMD);
- :meth:`ContainerView.read_file` copies one file out of the container through the
  archive API (``docker cp``), following symlinks inside the container's file system.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass

import docker.errors

from .client import engine_errors

#: The largest file read out of a container (a Go binary is a few MB; a responder script is tiny).
READ_LIMIT_BYTES = 64 * 1024 * 1024
_MAX_LINK_HOPS = 16


@dataclass(frozen=True)
class ProcessInfo:
    """One process of a container, as the engine's top API lists it."""

    pid: int
    parent_pid: int
    user: str
    command_line: str

    @property
    def argv(self) -> tuple[str, ...]:
        """The command line split on spaces (``ps`` joins arguments with single spaces)."""
        return tuple(self.command_line.split())


@dataclass(frozen=True)
class ReadFile:
    """A file copied out of a container: the path asked for, the path it resolved to, its bytes."""

    path: str
    resolved: str
    data: bytes
    truncated: bool = False


class ContainerView:
    """A read-only view of one running (or just exited) container; made by :func:`stagelab.engine.probes.probe`."""

    def __init__(self, container):
        self._container = container
        container.reload()
        attrs = container.attrs
        config = attrs.get("Config") or {}
        self.argv: tuple[str, ...] = (
            tuple([attrs.get("Path") or "", *(attrs.get("Args") or [])]) if attrs.get("Path") else ()
        )
        self.working_dir: str = config.get("WorkingDir") or "/"
        self.env: dict[str, str] = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
        self.running: bool = bool((attrs.get("State") or {}).get("Running"))

    def processes(self) -> tuple[ProcessInfo, ...]:
        """The container's processes (empty once it has exited). Works on images without ``ps`` or a shell."""
        if not self.running:
            return ()
        with engine_errors():
            try:
                table = self._container.top(ps_args="-o pid,ppid,user,args")
            except docker.errors.APIError as error:
                if "is not running" in str(error):
                    return ()
                raise
        titles = [title.upper() for title in table.get("Titles") or []]
        found = []
        for row in table.get("Processes") or []:
            fields = dict(zip(titles, row))
            try:
                pid, parent = int(fields.get("PID", "0")), int(fields.get("PPID", "0"))
            except ValueError:
                continue
            command = fields.get("COMMAND") or fields.get("CMD") or ""
            found.append(ProcessInfo(pid, parent, str(fields.get("USER", "")), command))
        return tuple(found)

    def which(self, program: str) -> str:
        """Where ``program`` is, as the container's PATH would find it (an absolute path is kept)."""
        if "/" in program:
            return program if program.startswith("/") else posixpath.normpath(posixpath.join(self.working_dir, program))
        for folder in (self.env.get("PATH") or "/usr/local/bin:/usr/bin:/bin").split(":"):
            candidate = posixpath.join(folder or "/", program)
            if self.read_file(candidate, limit=1) is not None:
                return candidate
        return program

    def read_file(self, path: str, limit: int = READ_LIMIT_BYTES) -> ReadFile | None:
        """A regular file's bytes (at most ``limit``), symlinks followed inside the container; None if absent."""
        current = path if path.startswith("/") else posixpath.join(self.working_dir, path)
        for _ in range(_MAX_LINK_HOPS):
            member, data, truncated = self._archive_member(current, limit)
            if member is None:
                return None
            if member.issym():
                target = member.linkname
                current = posixpath.normpath(
                    target if target.startswith("/") else posixpath.join(posixpath.dirname(current), target)
                )
                continue
            if member.isfile():
                return ReadFile(path, current, data, truncated)
            return None
        return None

    def _archive_member(self, path: str, limit: int) -> tuple[tarfile.TarInfo | None, bytes, bool]:
        with engine_errors():
            try:
                stream, _ = self._container.get_archive(path)
            except docker.errors.NotFound:
                return None, b"", False
            except docker.errors.APIError as error:
                if error.status_code in (400, 404):  # a path through a file, or a name that is not there
                    return None, b"", False
                raise
            buffer = io.BytesIO()
            for chunk in stream:
                buffer.write(chunk)
                if buffer.tell() > limit + 1024 * 1024:
                    break  # enough to judge; the rest of a huge file is not needed
        buffer.seek(0)
        try:
            with tarfile.open(fileobj=buffer, mode="r|") as archive:
                for member in archive:
                    if member.issym() or member.islnk():
                        return member, b"", False
                    if member.isfile():
                        handle = archive.extractfile(member)
                        data = handle.read(limit) if handle else b""
                        return member, data, member.size > limit
                    return member, b"", False
        except tarfile.ReadError:
            # A stream cut short above: a huge file; report the part read.
            return None, b"", False
        return None, b"", False
