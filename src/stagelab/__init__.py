"""Stagelab: learn single-stage, multi-stage and distroless container images by building them.

The library has one package per concern:

- ``stagelab.dockerfile``: parse a Dockerfile into stages and instructions.
- ``stagelab.engine``: everything that talks to Docker (builds, image reports, runtime probes).
- ``stagelab.images``: the catalogue of base images the course uses and their local stand-ins.
- ``stagelab.grading``: lab specs, the check catalogue, the grader and its reports.
- ``stagelab.widgets``: Jupyter views over the above.
- ``stagelab.cli``: the terminal face of the same library.
"""

__version__ = "0.1.0"
