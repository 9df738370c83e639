"""``Engine``: the one typed door to Docker, in the docker SDK's shape.

Usage::

    engine = Engine()
    result = engine.builds.run("examples/node-shop", tag="shop:multi")
    facts = engine.images.inspect("shop:multi")          # ImageFacts (or None), facts.config.user
    report = engine.reports.image("shop:multi")          # ImageReport: files, layers, surface
    answer = engine.probes.probe("shop:multi", port=3000)
    with engine.containers.running("shop:distroless") as app:
        engine.containers.sidecar(app, ["ps"])

Code outside :mod:`stagelab.engine` asks the engine through this object (or the types
the package exports), never through the engine's modules: what each namespace offers
is the whole list of what the rest of the course does with Docker.
Making an ``Engine`` costs nothing; the SDK client is made on the first request and
shared (it does not ping the engine on every call).
"""

from __future__ import annotations

from . import builds as _builds
from . import cleanup as _cleanup
from . import compressed as _compressed
from . import containers as _containers
from . import debugging as _debugging
from . import image_store as _image_store
from . import limits as _limits
from . import probes as _probes
from . import reports as _reports
from . import slots as _slots
from . import structure_test as _structure_test
from .client import EngineInfo, buildx_version, engine_info


class Builds:
    """Builds through BuildKit (see :class:`~stagelab.engine.builds.Build`)."""

    #: ``Build(context, ...)``: a build to ``run()`` or follow event by event.
    start = staticmethod(_builds.Build)
    #: Build and wait for the :class:`~stagelab.engine.builds.BuildResult`.
    run = staticmethod(_builds.build)

    @staticmethod
    def max_parallel() -> int:
        """How many builds run at once on this engine (the rest queue for a slot)."""
        return _slots.max_builds()

    #: Whether per-build limits (cgroups) are in force here, and why not.
    limits_support = staticmethod(_limits.support)
    buildx_version = staticmethod(buildx_version)


class Images:
    """The image store: inspect, tag, import, save, load, pull, remove, read files without running."""

    inspect = staticmethod(_image_store.inspect)
    require = staticmethod(_image_store.require)
    exists = staticmethod(_image_store.exists)
    list = staticmethod(_image_store.list_images)
    tag = staticmethod(_image_store.tag)
    untag = staticmethod(_image_store.untag)
    remove = staticmethod(_image_store.remove)
    remove_if_dangling = staticmethod(_image_store.remove_if_dangling)
    import_tarball = staticmethod(_image_store.import_tarball)
    try_pull = staticmethod(_image_store.try_pull)
    save = staticmethod(_image_store.save)
    load = staticmethod(_image_store.load)
    read_files = staticmethod(_image_store.read_files)
    stat_paths = staticmethod(_image_store.stat_paths)
    list_dir = staticmethod(_image_store.list_dir)
    run_quiet = staticmethod(_image_store.run_quiet)
    compressed_size = staticmethod(_compressed.compressed_size)


class Containers:
    """Containers: the one context manager that makes (and always removes) them, and debugging."""

    #: ``with engine.containers.create(image, run_id=..., kind=...) as c:`` (see :func:`~stagelab.engine.containers.container`).
    create = staticmethod(_containers.container)
    running = staticmethod(_debugging.running)
    sidecar = staticmethod(_debugging.sidecar)
    copy_out = staticmethod(_debugging.copy_out)
    sweep_pending = staticmethod(_cleanup.sweep_pending)


class Reports:
    """What is inside an image, without running it."""

    image = staticmethod(_reports.image_report)
    compare = staticmethod(_reports.compare)
    clear_cache = staticmethod(_reports.clear_cache)
    structure_test = staticmethod(_structure_test.run_structure_test)


class Probes:
    """Run an image briefly with safe defaults and report what a learner would see."""

    probe = staticmethod(_probes.probe)
    try_exec = staticmethod(_probes.try_exec)


class Engine:
    """The Docker engine named by ``DOCKER_HOST`` (or the default socket)."""

    builds = Builds()
    images = Images()
    containers = Containers()
    reports = Reports()
    probes = Probes()

    #: Count the containers and images carrying our labels (one owner's, one run's).
    leftovers = staticmethod(_cleanup.leftovers)
    #: Remove them (``stagelab clean``; a grading's own run at its end).
    remove_leftovers = staticmethod(_cleanup.remove)

    @staticmethod
    def info() -> EngineInfo:
        """The engine's version and setup (raises :class:`~stagelab.errors.EngineUnavailable`)."""
        return engine_info()
