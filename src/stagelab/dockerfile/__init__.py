"""Dockerfile model: stages and instructions parsed with BuildKit's own parser.

The third-party ``dockerfile`` package (a wrapper around BuildKit's Go parser) is
used in :mod:`stagelab.dockerfile.model` only, so it can be swapped in one place.
"""

from .model import (
    Dockerfile,
    DockerfileSyntaxError,
    DockerfileUnreadable,
    Instruction,
    Stage,
    load,
    parse,
    read_text,
)

__all__ = ["Dockerfile", "DockerfileSyntaxError", "DockerfileUnreadable", "Instruction", "Stage", "load", "parse", "read_text"]
