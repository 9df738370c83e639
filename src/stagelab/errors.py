"""Exceptions that carry a message a learner or instructor can act on.

Every error the library raises on purpose derives from :class:`StagelabError`;
the CLI and the widgets print ``str(error)`` and never a traceback.
"""

from __future__ import annotations


class StagelabError(Exception):
    """Base class: the message says what went wrong and what to do next."""

    #: Exit status the CLI uses for this kind of error.
    exit_code = 2


class EngineUnavailable(StagelabError):
    """The Docker engine cannot be reached (not running, socket missing, permission denied)."""

    exit_code = 3


class ImageNotFound(StagelabError):
    """An image reference is not present in the engine."""


class BuildContextError(StagelabError):
    """The build context or the Dockerfile is missing or unreadable."""


class DiskFull(StagelabError):
    """The engine ran out of disk space."""


class ProbeError(StagelabError):
    """A runtime probe could not run the container at all."""


class LabSpecError(StagelabError):
    """A lab.yaml is invalid: names the file, the key and what is wrong."""

    exit_code = 4
