"""Dockerfile model: stages and instructions parsed with BuildKit's own parser.

The third-party ``dockerfile`` package (a wrapper around BuildKit's Go parser) is
used in :mod:`stagelab.dockerfile.model` only, so it can be swapped in one place.
The model is imported on first use of one of its names: reading a file
(:mod:`stagelab.dockerfile.reading`) does not load the parser.
"""

from .reading import DockerfileSyntaxError, DockerfileUnreadable, read_text

__all__ = [
    "Dockerfile",
    "DockerfileSyntaxError",
    "DockerfileUnreadable",
    "Instruction",
    "Stage",
    "load",
    "parse",
    "read_text",
]

_FROM_MODEL = {"Dockerfile", "Instruction", "Stage", "load", "parse"}


def __getattr__(name: str):
    if name in _FROM_MODEL:
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
