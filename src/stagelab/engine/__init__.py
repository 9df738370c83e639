"""Everything that talks to the Docker engine: builds, image reports, runtime probes.

This package is the only place that imports ``docker`` or runs the ``docker``
command; other packages call the functions exported here.
"""

from .builds import (
    Build,
    BuildEvent,
    BuildFailed,
    BuildResult,
    BuildStep,
    EventKind,
    FailureCause,
    StepRecord,
    StepState,
    build,
)
from .client import EngineInfo, buildx_version, client, engine_info

__all__ = [
    "Build",
    "BuildEvent",
    "BuildFailed",
    "BuildResult",
    "BuildStep",
    "EngineInfo",
    "EventKind",
    "FailureCause",
    "StepRecord",
    "StepState",
    "build",
    "buildx_version",
    "client",
    "engine_info",
]
