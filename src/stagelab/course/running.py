"""Running images the way the chapters do: did it answer, how fast, and what went wrong."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..engine import BuildFailed
from .builds import ensure, try_build
from .display import Table, one_line, table
from .places import context, dockerfile_variant, tag


def check_running(images: dict[str, str], port: int, path: str = "/") -> Table:
    """Start each image (safe defaults), ask ``path`` over HTTP, stop it: did it answer, how fast, what?"""
    from ..engine import probe

    rows = []
    for label, image in images.items():
        ensure(image)
        result = probe(image, port=port, http_path=path)
        rows.append(
            (
                label,
                "yes" if result.ready else "no",
                "" if result.startup_s is None else f"{result.startup_s:.2f} s",
                result.http_status or "",
                one_line(result.http_body),
                one_line(result.error or "") or ("stopped cleanly" if result.stopped_cleanly else ""),
                last_lines(result.logs),
            )
        )
    return table(("image", "answered", "start-up", "HTTP", "answer", "problem", "logs (last lines)"), rows)


def last_lines(logs: str, count: int = 2) -> str:
    """The log lines that tell what went wrong (errors first), else the last ones."""
    lines = [line.strip() for line in logs.splitlines() if line.strip()]
    telling = [
        line for line in lines if re.search(r"error|cannot|denied|not found", line, re.I) and not line.startswith("at ")
    ]
    return one_line(" | ".join((telling or lines)[-count:]), 200)


def check_exits(images: dict[str, str], command: Sequence[str] | None = None, timeout_s: float = 20) -> Table:
    """Run each image until it exits: exit code, what it printed, the engine's error if it could not start."""
    from ..engine import probe

    rows = []
    for label, image in images.items():
        ensure(image)
        result = probe(image, port=None, expect_exit=True, command=command, timeout_s=timeout_s)
        rows.append(
            (
                label,
                "" if result.exit_code is None else result.exit_code,
                one_line(result.logs, 160),
                one_line(result.error or "", 160),
            )
        )
    return table(("image", "exit code", "output", "problem"), rows)


def run_variant(
    app: str,
    variant: str,
    old: str,
    new: str,
    *,
    port: int | None = None,
    command: Sequence[str] | None = None,
) -> Table:
    """Change one line of ``Dockerfile.<variant>``, build it, run it, and report what happened."""
    dockerfile = dockerfile_variant(app, variant, old, new)
    image = tag(app, f"{variant}-changed")
    built = try_build(context(app), dockerfile, tag=image)
    header = (("changed", f"{old}  →  {new}"),)
    if isinstance(built, BuildFailed):
        return table(("", ""), header + (("build", f"failed: {built.reason}"),))
    outcome = check_running({image: image}, port) if port is not None else check_exits({image: image}, command)
    return table(("", ""), header + tuple(zip(outcome.headers[1:], outcome.rows[0][1:])))
