"""Small helpers the chapters (``notebooks/``) call, so a notebook cell stays one or two lines.

Notebooks use one name, ``from stagelab import course``; each helper lives in the module
named for what it serves:

- :mod:`.places` — where things are (examples, labs), course image tags, scratch copies to edit;
- :mod:`.display` — tables, charts and files as HTML in Jupyter and the book, text in a terminal;
- :mod:`.builds` — building the examples, builds that fail on purpose, what a build did;
- :mod:`.image_contents` — what an image holds (size, layers, shells, paths) and images side by side;
- :mod:`.running` — starting images: did they answer, exit, fail, and why;
- :mod:`.overview` — the course itself: this machine's set-up, the labs, your progress;
- :mod:`.measurements` — chapter 5's measurements of every course image;
- :mod:`.seed_tutorial` — the seed tutorial's claims, judged with thresholds from
  ``examples/seed/claims.yaml``.

Anything that talks to the engine lives in :mod:`stagelab.engine`; these modules only call it.
"""

from __future__ import annotations

from .builds import (
    build_example,
    cache_mount_timings,
    ensure,
    failure,
    steps,
    try_build,
)
from .display import Figure, FileView, Table, megabytes, show_file, table
from .image_contents import (
    base_images,
    compare,
    distroless_family,
    layers,
    look_inside,
    present,
)
from .measurements import VARIANTS, Measurement, Measurements, measure
from .overview import environment, labs, progress
from .places import (
    TAG_PREFIX,
    change_a_line,
    context,
    dockerfile_variant,
    edit,
    example,
    example_dockerfile,
    lab,
    repo_root,
    tag,
    workspace,
)
from .running import check_exits, check_running, run_variant
from .seed_tutorial import seed_claims

__all__ = [
    "TAG_PREFIX", "VARIANTS", "Figure", "FileView", "Measurement", "Measurements", "Table",
    "base_images", "build_example", "cache_mount_timings", "change_a_line", "check_exits", "check_running",
    "compare", "context", "distroless_family", "dockerfile_variant", "edit", "ensure", "environment",
    "example", "example_dockerfile", "failure", "lab", "labs", "layers", "look_inside", "measure",
    "megabytes", "present", "progress", "repo_root", "run_variant", "seed_claims", "show_file", "steps",
    "table", "tag", "try_build", "workspace",
]  # fmt: skip
