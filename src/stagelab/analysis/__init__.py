"""What the course works out from an image's or a build's data, without talking to the engine.

* :mod:`~stagelab.analysis.layers` reads layer tars (``docker save`` output or the
  engine's layer store on disk) into file lists and stacks them;
* :mod:`~stagelab.analysis.efficiency` scores them as dive does;
* :mod:`~stagelab.analysis.surface` finds shells, package managers and packages;
* :mod:`~stagelab.analysis.compare` sets image reports side by side;
* :mod:`~stagelab.analysis.rawjson` reads BuildKit's ``--progress=rawjson`` stream.

Nothing here imports ``docker`` or :mod:`stagelab.engine`, so all of it is tested
with bytes and dataclasses, without an engine.
"""

from .compare import Comparison, ComparisonRow, compare_reports
from .efficiency import Efficiency, WastedPath, layer_efficiency
from .layers import FileEntry, LayerContents
from .surface import AttackSurface, Package, attack_surface

__all__ = [
    "AttackSurface",
    "Comparison",
    "ComparisonRow",
    "Efficiency",
    "FileEntry",
    "LayerContents",
    "Package",
    "WastedPath",
    "attack_surface",
    "compare_reports",
    "layer_efficiency",
]
