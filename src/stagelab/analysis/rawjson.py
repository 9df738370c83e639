"""Read BuildKit's ``--progress=rawjson`` stream.

buildx writes one pretty-printed JSON object per status update (``vertexes``,
``statuses``, ``logs``), each opening with ``{`` and closing with ``}`` at
column 0, and then plain text at the end (the error and its Dockerfile excerpt).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Vertex:
    """One BuildKit vertex update: a build step, or an internal one."""

    digest: str
    name: str
    started: datetime | None
    completed: datetime | None
    cached: bool
    error: str | None


@dataclass(frozen=True)
class LogChunk:
    """Output a step printed (stdout or stderr), as raw text."""

    vertex: str
    text: str


@dataclass(frozen=True)
class Transfer:
    """Progress of something BuildKit receives, e.g. ``transferring context``: bytes so far."""

    vertex: str
    what: str
    current: int


@dataclass(frozen=True)
class PlainLine:
    """A line outside the JSON objects (buildx's own messages, the final error)."""

    text: str


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    # Go writes nanoseconds; Python parses microseconds.
    head, _, rest = value.partition(".")
    if rest:
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        value = f"{head}.{digits[:6]}{zone}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _items(document: dict) -> Iterator[Vertex | LogChunk | Transfer]:
    for vertex in document.get("vertexes") or []:
        yield Vertex(
            digest=vertex.get("digest", ""),
            name=vertex.get("name", ""),
            started=_time(vertex.get("started")),
            completed=_time(vertex.get("completed")),
            cached=bool(vertex.get("cached")),
            error=vertex.get("error"),
        )
    for status in document.get("statuses") or []:
        if str(status.get("id", "")).startswith("transferring"):
            yield Transfer(vertex=status.get("vertex", ""), what=status["id"], current=int(status.get("current") or 0))
    for log in document.get("logs") or []:
        data = log.get("data") or ""
        try:
            text = base64.b64decode(data).decode("utf-8", "replace")
        except ValueError:
            text = str(data)
        yield LogChunk(vertex=log.get("vertex", ""), text=text)


def read(lines: Iterable[str]) -> Iterator[Vertex | LogChunk | Transfer | PlainLine]:
    """Turn buildx's output lines into vertex updates, log chunks and plain lines."""
    buffer: list[str] = []
    for line in lines:
        if buffer:
            buffer.append(line)
            if line.rstrip("\r\n") == "}":
                text = "".join(buffer)
                buffer = []
                try:
                    document = json.loads(text)
                except json.JSONDecodeError:
                    for raw in text.splitlines():
                        yield PlainLine(raw)
                    continue
                yield from _items(document)
        elif line.rstrip("\r\n") == "{":
            buffer = [line]
        elif line.strip():
            yield PlainLine(line.rstrip("\r\n"))
    # A JSON object cut short (buildx killed mid-write) carries nothing a learner can read: drop it.
