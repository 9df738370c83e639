"""How a container of an image starts: the one image-config type of the engine.

Both :func:`stagelab.engine.reports.image_report` (``report.config``) and the image store
(``Engine().images.inspect(ref).config``) read the engine's ``Config`` block into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImageConfig:
    """How a container of the image starts."""

    user: str = ""
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = ""
    exposed_ports: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "user": self.user,
            "entrypoint": list(self.entrypoint) if self.entrypoint is not None else None,
            "cmd": list(self.cmd) if self.cmd is not None else None,
            "env": dict(self.env),
            "workdir": self.workdir,
            "exposed_ports": list(self.exposed_ports),
            "labels": dict(self.labels),
        }


def image_config(raw: dict) -> ImageConfig:
    """Read the engine's ``Config`` block (``docker image inspect``'s ``.Config``)."""
    env = {}
    for item in raw.get("Env") or []:
        name, _, value = item.partition("=")
        env[name] = value
    entrypoint = raw.get("Entrypoint")
    cmd = raw.get("Cmd")
    return ImageConfig(
        user=raw.get("User") or "",
        entrypoint=tuple(entrypoint) if entrypoint is not None else None,
        cmd=tuple(cmd) if cmd is not None else None,
        env=env,
        workdir=raw.get("WorkingDir") or "",
        exposed_ports=tuple(sorted((raw.get("ExposedPorts") or {}).keys())),
        labels=dict(raw.get("Labels") or {}),
    )
