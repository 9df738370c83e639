"""Everything that talks to the Docker engine: builds, the image store, containers, reports, probes.

This package is the only place that imports ``docker`` or runs the ``docker``
command. Other packages go through its one door, :class:`Engine`
(``Engine().images.inspect(ref)``, ``Engine().probes.probe(image)``…), and use the
types exported here; they never import the package's modules. ``build``, ``probe``,
``try_exec``, ``image_report`` and ``compressed_size`` are exported too, as shorthands
for the door's most used calls. What never talks to
Docker (layer files, efficiency, attack surface, comparisons) is in
:mod:`stagelab.analysis`.
"""

from . import (
    workshop,  # the workshop hub's engine objects (learner engines, their network and volumes)
)
from .builds import (
    Build,
    BuildEvent,
    BuildFailed,
    BuildPlan,
    BuildProgress,
    BuildResult,
    BuildStep,
    EventKind,
    FailureCause,
    PlannedStage,
    PlannedStep,
    StepRecord,
    StepState,
    TrackedStep,
    build,
)
from .cleanup import Leftovers
from .client import EngineInfo, buildx_version, client, engine_info
from .compressed import CompressedSize, compressed_size
from .containers import Container
from .debugging import CommandOutput, RunningContainer
from .door import Builds, Containers, Engine, Images, Probes, Reports
from .image_config import ImageConfig
from .image_store import ImageFacts, PathEntry
from .limits import CEILINGS, BuildLimits, Limit, Support, duration_words, memory_words
from .probes import ExecAttempt, ProbeResult, probe, try_exec
from .processes import ContainerView, ProcessInfo
from .reports import ImageReport, LayerInfo, image_report
from .structure_test import StructureTestError, StructureTestReport
from .workshop import EngineLimits, Hub, Seeding

__all__ = [
    "Build",
    "BuildEvent",
    "BuildFailed",
    "BuildLimits",
    "BuildPlan",
    "BuildProgress",
    "BuildResult",
    "BuildStep",
    "Builds",
    "CEILINGS",
    "CommandOutput",
    "CompressedSize",
    "Container",
    "ContainerView",
    "Containers",
    "Engine",
    "EngineInfo",
    "EngineLimits",
    "Hub",
    "Seeding",
    "EventKind",
    "ExecAttempt",
    "FailureCause",
    "ImageConfig",
    "ImageFacts",
    "ImageReport",
    "Images",
    "LayerInfo",
    "Leftovers",
    "Limit",
    "PathEntry",
    "PlannedStage",
    "PlannedStep",
    "ProbeResult",
    "Probes",
    "ProcessInfo",
    "Reports",
    "RunningContainer",
    "StepRecord",
    "StepState",
    "StructureTestError",
    "StructureTestReport",
    "Support",
    "TrackedStep",
    "build",
    "buildx_version",
    "client",
    "compressed_size",
    "duration_words",
    "engine_info",
    "image_report",
    "memory_words",
    "probe",
    "try_exec",
    "workshop",
]
