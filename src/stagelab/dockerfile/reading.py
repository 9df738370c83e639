"""Read a Dockerfile from disk safely, and the errors that say why a file cannot be read or parsed.

Kept apart from :mod:`stagelab.dockerfile.model` (and BuildKit's parser) so that
`stagelab lint` can read the file and start hadolint on it before loading the rest.
"""

from __future__ import annotations

import os
import stat

from ..errors import StagelabError
from ..units import format_size

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see stagelab.cli.lint)
if TYPE_CHECKING:
    from pathlib import Path

#: Dockerfiles bigger than this are refused before parsing (a real one is a few KB).
MAX_DOCKERFILE_BYTES = 1_000_000


class DockerfileSyntaxError(StagelabError):
    """The Dockerfile cannot be parsed; ``line`` is 1-based when known, ``hint`` says what to do."""

    #: What to do about this kind of error, when the message alone does not say it.
    default_hint = "Fix the line the message names: BuildKit's parser stops there and reads nothing after it."

    def __init__(self, message: str, line: int | None = None, path: str | None = None, hint: str | None = None):
        self.reason = message
        self.line = line
        self.path = path
        self.hint = hint or self.default_hint
        where = f"{path or 'Dockerfile'}" + (f":{line}" if line else "")
        super().__init__(f"{where}: {message}")


class DockerfileUnreadable(DockerfileSyntaxError):
    """The file cannot be read as a Dockerfile at all (missing, not a regular file, too big, not text).

    Nothing in it was checked: ``stagelab lint`` reports "could not lint" (exit 2), not findings.
    """

    default_hint = "Give the path of a Dockerfile: a text file of a few KB that starts with FROM (or ARG, or comments)."


def _too_big(size: int, path: str | None) -> DockerfileUnreadable:
    shown = (
        format_size(size)
        if size <= 10 * MAX_DOCKERFILE_BYTES
        else f"more than {format_size(10 * MAX_DOCKERFILE_BYTES)}"
    )
    return DockerfileUnreadable(
        f"the file is {shown}; a Dockerfile is a few KB (the limit is {MAX_DOCKERFILE_BYTES // 1000} KB). "
        "Is this the right file?",
        path=path,
    )


def read_text(path: str | Path) -> str:
    """Read a Dockerfile's text from disk, safely: a regular file, at most ``MAX_DOCKERFILE_BYTES``, UTF-8.

    Raises :class:`DockerfileUnreadable` naming the problem. A named pipe or a device is
    refused without reading (opening a FIFO for reading would wait forever for a writer,
    and ``/dev/zero`` never ends), and no more than the limit is ever read.
    """
    where = str(path)
    try:
        # O_NONBLOCK: opening a FIFO does not wait for a writer; fstat then tells what the path is.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DockerfileUnreadable(
            "file not found", path=where, hint="Check the path: no file has this name."
        ) from None
    except IsADirectoryError:
        raise DockerfileUnreadable("is a directory, not a Dockerfile", path=where, hint=_DIRECTORY_HINT) from None
    except PermissionError:
        raise DockerfileUnreadable(
            "cannot be read (permission denied)", path=where, hint="Make the file readable (chmod a+r) or lint a copy."
        ) from None
    except OSError as error:
        raise DockerfileUnreadable(f"cannot be read ({error.strerror})", path=where) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise DockerfileUnreadable("is a directory, not a Dockerfile", path=where, hint=_DIRECTORY_HINT)
        if not stat.S_ISREG(mode):
            kind = (
                "a named pipe (FIFO)"
                if stat.S_ISFIFO(mode)
                else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else "not a regular file"
            )
            raise DockerfileUnreadable(f"is {kind}, not a regular file: only files on disk are linted", path=where)
        os.set_blocking(descriptor, True)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_DOCKERFILE_BYTES:
            chunk = os.read(descriptor, MAX_DOCKERFILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise DockerfileUnreadable(f"cannot be read ({error.strerror})", path=where) from None
    finally:
        os.close(descriptor)
    if size > MAX_DOCKERFILE_BYTES:
        raise _too_big(max(size, os.path.getsize(path) if os.path.isfile(path) else size), where)
    raw = b"".join(chunks)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DockerfileUnreadable(
            "UTF-16 text: a Dockerfile is read as UTF-8",
            path=where,
            hint='Save the file as UTF-8 (most editors: "Save with encoding"; Windows PowerShell: `Out-File -Encoding utf8`).',
        )
    if b"\x00" in raw:
        raise DockerfileUnreadable("the file contains binary data (NUL bytes); a Dockerfile is plain text", path=where)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DockerfileUnreadable(
            f"not UTF-8 text (byte {error.start}): a Dockerfile is plain text",
            path=where,
            hint='Save the file as UTF-8 (most editors: "Save with encoding").',
        ) from None


_DIRECTORY_HINT = "Give the Dockerfile inside it, e.g. `stagelab lint path/to/folder/Dockerfile`."
