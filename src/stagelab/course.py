"""Small helpers the chapters (``notebooks/``) call, so a notebook cell stays one or two lines.

Where things are (examples, labs), how course images are named, builds that may fail
on purpose (the failure is the lesson), and tables that render as HTML in Jupyter and
in the book and as plain text in a terminal. Anything that talks to the engine lives in
:mod:`stagelab.engine`; this module only calls it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .engine import Build, BuildFailed, BuildResult

#: Course images are tagged ``stagelab-course/<app>:<variant>`` so chapters can reuse them.
TAG_PREFIX = "stagelab-course"


def repo_root() -> Path:
    """The course folder (the one holding ``examples/`` and ``labs/``).

    ``STAGELAB_REPO`` overrides it; otherwise it is found from this file (editable install)
    or from the working directory (a notebook runs in ``notebooks/``).
    """
    if os.environ.get("STAGELAB_REPO"):
        return Path(os.environ["STAGELAB_REPO"]).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / "examples").is_dir() and (folder / "notebooks").is_dir():
                return folder
    raise FileNotFoundError("Cannot find the course folder (with examples/ and notebooks/). Set STAGELAB_REPO.")


def example(app: str) -> Path:
    """The folder of an example app, e.g. ``example("node-app")``."""
    return repo_root() / "examples" / app


def example_dockerfile(app: str, variant: str) -> Path:
    """``examples/<app>/Dockerfile.<variant>`` (kept outside the app's own files, built with ``-f``)."""
    return example(app) / f"Dockerfile.{variant}"


def lab(lab_id: str) -> Path:
    """The folder of a lab, e.g. ``lab("01-first-image")``."""
    return repo_root() / "labs" / lab_id


def tag(app: str, variant: str) -> str:
    """The tag of a course image: ``stagelab-course/node-app:single``."""
    return f"{TAG_PREFIX}/{app}:{variant}"


def build_example(app: str, variant: str, *, folder: str | os.PathLike[str] | None = None, **options) -> BuildResult:
    """Build ``examples/<app>`` with ``Dockerfile.<variant>`` and tag it :func:`tag` (app, variant).

    ``folder`` builds another context (e.g. a :func:`workspace` copy) with the same Dockerfile.
    Other options go to :class:`stagelab.engine.Build` (``target``, ``build_args``, ``no_cache``).
    """
    options.setdefault("tag", tag(app, variant))
    options.setdefault("kind", "course")
    return Build(folder or context(app), example_dockerfile(app, variant), **options).run()


def context(app: str) -> Path:
    """The build context of an example, as a fresh checkout has it (a clean copy, see :func:`workspace`).

    The seed keeps its app in ``app/``; the other examples are their own context.
    """
    folder = workspace(app, f"context-{app}")
    return folder / "app" if (folder / "app").is_dir() else folder


def try_build(folder: str | os.PathLike[str], dockerfile: str | os.PathLike[str] | None = None, **options) -> BuildResult | BuildFailed:
    """Build, and hand back the :class:`BuildFailed` instead of raising it: here the error is the lesson."""
    options.setdefault("kind", "course")
    try:
        return Build(folder, dockerfile, **options).run()
    except BuildFailed as failure:
        return failure


def workspace(app: str, name: str, *, files: dict[str, str] | None = None) -> Path:
    """A fresh copy of an example in a scratch folder, to edit without touching the course.

    ``files`` adds or replaces files (path relative to the copy → text). The host's
    ``node_modules`` is never copied: a workspace starts as a clean checkout would.
    """
    root = Path(tempfile.gettempdir()) / "stagelab-course" / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(example(app), root, ignore=shutil.ignore_patterns("node_modules", "Dockerfile.*"))
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def edit(path: str | os.PathLike[str], old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a file (exactly once: a typo in a chapter should fail loudly)."""
    path = Path(path)
    text = path.read_text()
    if text.count(old) != 1:
        raise ValueError(f"{path}: expected exactly one {old!r}, found {text.count(old)}")
    path.write_text(text.replace(old, new))


_COMMENT = {".js": "//", ".go": "//", ".py": "#"}


def change_a_line(path: str | os.PathLike[str]) -> str:
    """Add one comment line to a source file, different every time (so BuildKit has never seen it).

    Returns the line added. A fixed edit would be new only once: the next run of the
    chapter would find the edited file in BuildKit's cache, and the lesson would vanish.
    """
    import uuid

    path = Path(path)
    line = f"{_COMMENT.get(path.suffix, '#')} changed: {uuid.uuid4().hex[:8]}"
    path.write_text(path.read_text().rstrip("\n") + "\n" + line + "\n")
    return line


# -- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Rows to show: HTML in Jupyter and the book, aligned text in a terminal."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def _repr_html_(self) -> str:
        from .widgets.transcript import escape
        from .widgets.transcript import table as html_table

        return html_table(self.headers, ([escape(cell) for cell in row] for row in self.rows))

    def __repr__(self) -> str:
        widths = [max(len(str(cell)) for cell in column) for column in zip(self.headers, *self.rows)]
        lines = [self.headers, tuple("-" * w for w in widths), *self.rows]
        return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A :class:`Table`; cells become text (None shows as an empty cell)."""
    return Table(tuple(headers), tuple(tuple("" if cell is None else str(cell) for cell in row) for row in rows))


def megabytes(size_bytes: int | float | None) -> str:
    """A size in MB as ``docker images`` counts them (10^6 bytes), so numbers match the CLI; kB below 1 MB."""
    if size_bytes is None:
        return "?"
    return f"{size_bytes / 1e6:,.1f} MB" if size_bytes >= 1e6 else f"{size_bytes / 1e3:,.1f} kB"


def steps(result: BuildResult | BuildFailed) -> Table:
    """The steps of a build: instruction, how it ended (ran / from cache / failed), time."""
    records = result.steps
    return table(
        ("step", "instruction", "outcome", "time"),
        (
            (
                f"{r.step.stage + ' ' if r.step.stage else ''}{r.step.position}/{r.step.total}",
                r.step.instruction[:70] + ("…" if len(r.step.instruction) > 70 else ""),
                "base image" if r.step.keyword == "FROM" and r.state.value != "failed"
                else {"done": "ran", "cached": "from cache", "failed": "FAILED", "running": "cut short"}[r.state.value],
                "" if r.duration_s is None else f"{r.duration_s:.1f} s",
            )
            for r in records
        ),
    )


def failure(error: BuildFailed) -> Table:
    """A failed build as a learner should read it: where, what BuildKit said, what to do."""
    return table(
        ("", ""),
        (
            ("line", error.line or "?"),
            ("instruction", error.instruction or "?"),
            ("BuildKit said", error.reason),
            ("cause", error.cause.value),
            ("hint", error.hint),
        ),
    )


def environment() -> Table:
    """The doctor's findings (engine, BuildKit, disk, base images…) as a table."""
    from .doctor import diagnose

    return table(("check", "status", "what we saw", "fix"), ((f.item, f.status.value.upper(), f.detail, f.fix) for f in diagnose()))


def base_images() -> Table:
    """The catalogue's images: present or not, stand-in or pulled, and what is really inside."""
    from .engine import Images as image_store
    from .images.catalogue import entries
    from .labels import STAND_IN

    rows = []
    for entry in entries():
        if entry.is_alias:
            continue
        facts = image_store.inspect(entry.reference)
        if facts is None:
            state = "missing" if entry.availability.value == "stand-in" else "registry only"
            rows.append((entry.reference, state, "", entry.unavailable_reason or entry.description))
            continue
        kind = "stand-in" if facts.labels.get(STAND_IN) else "upstream"
        rows.append((entry.reference, kind, megabytes(facts.size_bytes), entry.content if kind == "stand-in" else entry.description))
    return table(("reference", "here as", "size (uncompressed)", "what is inside"), rows)


def labs() -> Table:
    """Every lab: id, title, the chapter that teaches it, and its points."""
    from .grading.spec import load_spec

    rows = []
    for folder in sorted((repo_root() / "labs").glob("[0-9][0-9]-*")):
        if (folder / "lab.yaml").is_file():
            spec = load_spec(folder)
            rows.append((spec.id, spec.title, (spec.chapter or "").split("#")[0].removeprefix("notebooks/"), f"{spec.max_score:g}"))
    return table(("lab", "title", "chapter", "points"), rows)


def progress() -> Table:
    """Your gradings so far, from the grader's records on this machine."""
    from .grading import progress as records

    rows = [(r.lab_id, f"{r.best_score:g} / {r.max_score:g}", r.attempts, r.last_graded) for r in records.load()]
    return table(("lab", "best score", "attempts", "last graded"), rows or [("(no lab graded yet)", "", "", "")])


# -- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileView:
    """A file shown with its line numbers (they matter: BuildKit's errors name lines)."""

    path: Path
    text: str
    first_line: int = 1

    def _numbered(self) -> str:
        width = len(str(self.first_line + self.text.count("\n")))
        return "\n".join(f"{n:>{width}}  {line}" for n, line in enumerate(self.text.splitlines(), self.first_line))

    def _repr_markdown_(self) -> str:
        return f"`{self.path.name}`\n\n```\n{self._numbered()}\n```"

    def __repr__(self) -> str:
        return f"{self.path.name}\n{self._numbered()}"


def show_file(path: str | os.PathLike[str], lines: tuple[int, int] | None = None) -> FileView:
    """A file for display, with line numbers; ``lines=(first, last)`` shows part of it."""
    path = Path(path)
    all_lines = path.read_text().splitlines()
    first, last = lines or (1, len(all_lines))
    return FileView(path, "\n".join(all_lines[first - 1 : last]), first)


def dockerfile_variant(app: str, variant: str, old: str, new: str) -> Path:
    """A copy of ``Dockerfile.<variant>`` with one line changed (in a scratch folder)."""
    source = example_dockerfile(app, variant)
    change = hashlib.sha256(f"{old}\0{new}".encode()).hexdigest()[:10]
    target = Path(tempfile.gettempdir()) / "stagelab-course" / "variants" / f"{app}-{variant}-{change}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    edit(target, old, new)
    return target


# -- images -----------------------------------------------------------------------------------


def ensure(image: str) -> None:
    """Build a course image (``stagelab-course/<app>:<variant>``) that is not there yet, e.g. when a chapter is skipped."""
    from .engine import Images as image_store

    if image_store.exists(image) or not image.startswith(TAG_PREFIX + "/"):
        return
    app, _, variant = image.removeprefix(TAG_PREFIX + "/").partition(":")
    if example_dockerfile(app, variant).is_file():
        build_example(app, variant)


def _report(image: str):
    from .engine import image_report

    ensure(image)
    return image_report(image)


def _listing(items: Sequence[str], limit: int = 6) -> str:
    if not items:
        return "none"
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _presence(report, path: str, folder_sizes: dict[str, int]) -> str:
    entry = report.entry(path)
    if entry is None:
        return "absent"
    if entry.kind == "dir":
        real = report.resolve(path)
        return f"present (folder, {megabytes(folder_sizes.get(real, 0))})"
    return f"present ({entry.size_bytes:,} bytes)"


def look_inside(image: str, paths: Sequence[str] = ()) -> Table:
    """What an image holds besides the app: size, layers, user, shells, package managers, compilers…

    ``paths`` adds one row per path: present (with its size) or absent.
    """
    report = _report(image)
    surface = report.surface
    rows: list[tuple[str, object]] = [
        ("size (uncompressed)", megabytes(report.size_bytes)),
        ("layers with files", len(report.file_layers)),
        ("runs as", report.config.user or "root (no USER)"),
        ("shells", _listing(surface.shells)),
        ("package managers", _listing(surface.package_managers)),
        ("compilers and build tools", _listing(surface.compilers)),
        ("executables", f"{surface.executables_count:,}"),
        ("setuid/setgid files", _listing(surface.setuid_files, 3)),
        ("Debian packages", len(surface.packages)),
    ]
    if paths:
        folder_sizes = report.folder_sizes()
        rows += [(path, _presence(report, path, folder_sizes)) for path in paths]
    return table(("", image), rows)


def present(image: str, paths: Sequence[str]) -> Table:
    """Whether each path is in the image (following symlinks), and its size."""
    report = _report(image)
    folder_sizes = report.folder_sizes()
    return table(("path", "in the image?"), ((path, _presence(report, path, folder_sizes)) for path in paths))


def layers(image: str, top: int = 6) -> Table:
    """The biggest layers of an image and the instruction that made each (``docker history``)."""
    report = _report(image)
    biggest = sorted(report.file_layers, key=lambda layer: -layer.size_bytes)[:top]
    return table(
        ("size", "instruction"),
        ((megabytes(layer.size_bytes), layer.created_by[:100] + ("…" if len(layer.created_by) > 100 else "")) for layer in biggest),
    )


@dataclass(frozen=True)
class Figure:
    """A table with a chart under it (HTML and SVG in Jupyter and the book, the table as text elsewhere)."""

    table: Table
    svg: str

    def _repr_html_(self) -> str:
        return self.table._repr_html_() + f"<div>{self.svg}</div>"

    def __repr__(self) -> str:
        return repr(self.table)


def compare(images: dict[str, str], chart: bool = True) -> Figure | Table:
    """Images side by side (label → image): size, layers, what can run inside; with a size chart.

    The figures are :func:`stagelab.engine.compare.compare_reports`'s, the same the CLI's
    ``stagelab compare`` and the comparison widget show.
    """
    from .analysis import compare_reports

    compared = compare_reports([_report(image) for image in images.values()])
    labels = list(images)
    rows = [
        (
            label,
            megabytes(row.size_bytes),
            row.layers,
            len(row.shells),
            _listing(row.package_managers, 3),
            len(row.compilers),
            f"{row.executables:,}",
            row.packages,
            "yes" if row.non_root else "no",
        )
        for label, row in zip(labels, compared.rows)
    ]
    result = table(
        ("image", "size (uncompressed)", "layers", "shells", "package managers", "compilers", "executables", "Debian packages", "non-root"),
        rows,
    )
    if not chart:
        return result
    from .widgets.charts import comparison_chart

    svg = comparison_chart(
        labels,
        [
            ("Size (uncompressed)", [row.size_bytes for row in compared.rows], "bytes"),
            ("Executables", [row.executables for row in compared.rows], ""),
        ],
    )
    return Figure(result, svg)


# -- running ----------------------------------------------------------------------------------


def _one_line(text: str, limit: int = 110) -> str:
    text = " ".join((text or "").split())
    return text[:limit] + ("…" if len(text) > limit else "")


def check_running(images: dict[str, str], port: int, path: str = "/") -> Table:
    """Start each image (safe defaults), ask ``path`` over HTTP, stop it: did it answer, how fast, what?"""
    from .engine import probe

    rows = []
    for label, image in images.items():
        ensure(image)
        result = probe(image, port=port, http_path=path)
        rows.append(
            (
                label,
                "yes" if result.ready else "no",
                "" if result.startup_s is None else f"{result.startup_s:.2f} s",
                result.http_status or "",
                _one_line(result.http_body),
                _one_line(result.error or "") or ("stopped cleanly" if result.stopped_cleanly else ""),
                _last_lines(result.logs),
            )
        )
    return table(("image", "answered", "start-up", "HTTP", "answer", "problem", "logs (last lines)"), rows)


def _last_lines(logs: str, count: int = 2) -> str:
    """The log lines that tell what went wrong (errors first), else the last ones."""
    lines = [line.strip() for line in logs.splitlines() if line.strip()]
    telling = [line for line in lines if re.search(r"error|cannot|denied|not found", line, re.I) and not line.startswith("at ")]
    return _one_line(" | ".join((telling or lines)[-count:]), 200)


def check_exits(images: dict[str, str], command: Sequence[str] | None = None, timeout_s: float = 20) -> Table:
    """Run each image until it exits: exit code, what it printed, the engine's error if it could not start."""
    from .engine import probe

    rows = []
    for label, image in images.items():
        ensure(image)
        result = probe(image, port=None, expect_exit=True, command=command, timeout_s=timeout_s)
        rows.append((label, "" if result.exit_code is None else result.exit_code, _one_line(result.logs, 160), _one_line(result.error or "", 160)))
    return table(("image", "exit code", "output", "problem"), rows)


def run_variant(
    app: str,
    variant: str,
    old: str,
    new: str,
    *,
    port: int | None = None,
    command: Sequence[str] | None = None,
) -> Table:
    """Change one line of ``Dockerfile.<variant>``, build it, run it, and report what happened."""
    dockerfile = dockerfile_variant(app, variant, old, new)
    image = tag(app, f"{variant}-changed")
    built = try_build(context(app), dockerfile, tag=image)
    header = (("changed", f"{old}  →  {new}"),)
    if isinstance(built, BuildFailed):
        return table(("", ""), header + (("build", f"failed: {built.reason}"),))
    outcome = check_running({image: image}, port) if port is not None else check_exits({image: image}, command)
    return table(("", ""), header + tuple(zip(outcome.headers[1:], outcome.rows[0][1:])))


def distroless_family(flavours: Sequence[str] = ("static", "base", "cc", "nodejs24", "python3")) -> Table:
    """The distroless images, measured: size of ``:latest`` and ``:debug``, user of ``:nonroot``, entrypoint, shell."""
    from .images.catalogue import DISTROLESS, lookup

    rows = []
    for flavour in flavours:
        name = f"{DISTROLESS}/{flavour}-debian13"
        latest, debug, nonroot = (_report(f"{name}:{t}") for t in ("latest", "debug", "nonroot"))
        entry = lookup(f"{name}:latest")
        quoted = entry.upstream_size_bytes if entry else None
        rows.append(
            (
                flavour,
                megabytes(latest.size_bytes),
                _listing(latest.surface.shells),
                megabytes(debug.size_bytes),
                _listing(debug.surface.shells, 2),
                nonroot.config.user or "root",
                " ".join(latest.config.entrypoint or ()) or "none",
                f"~{megabytes(quoted)}" if quoted else "not recorded",
            )
        )
    return table(
        ("image", ":latest size", ":latest shells", ":debug size", ":debug shells", ":nonroot user", "entrypoint", "upstream (quoted)"),
        rows,
    )


# -- measure and compare (chapter 5) ------------------------------------------------------------

#: The course's variants of each app: label → (image, port it answers HTTP on).
VARIANTS: dict[str, tuple[str, int]] = {
    "node: single-stage": (tag("node-app", "single"), 3000),
    "node: multi-stage (-slim)": (tag("node-app", "multistage"), 3000),
    "node: distroless": (tag("node-app", "distroless"), 3000),
    "go: single-stage": (tag("go-app", "single"), 8080),
    "go: distroless static": (tag("go-app", "static"), 8080),
    "go: scratch": (tag("go-app", "scratch"), 8080),
    "python: single-stage": (tag("python-app", "single"), 8000),
    "python: multi-stage (-slim)": (tag("python-app", "multistage"), 8000),
    "python: distroless": (tag("python-app", "distroless"), 8000),
}


@dataclass(frozen=True)
class Measurement:
    """One image, measured every way chapter 5 compares."""

    label: str
    image: str
    size_bytes: int
    compressed_bytes: int
    layers: int
    efficiency: float
    packages: int
    executables: int
    setuid_files: int
    shells: tuple[str, ...]
    package_managers: tuple[str, ...]
    non_root: bool
    startup_s: float | None
    answered: bool


@dataclass(frozen=True)
class Measurements:
    """Measurements of several images, as a table and as charts."""

    items: tuple[Measurement, ...]

    def get(self, label: str) -> Measurement:
        return next(m for m in self.items if m.label == label)

    def table(self) -> Table:
        return table(
            ("image", "uncompressed", "compressed", "layers", "efficiency", "packages", "executables", "setuid", "shell", "package managers", "non-root", "start-up"),
            (
                (
                    m.label, megabytes(m.size_bytes), megabytes(m.compressed_bytes), m.layers, f"{m.efficiency:.1%}",
                    m.packages, f"{m.executables:,}", m.setuid_files, "yes" if m.shells else "no",
                    _listing(m.package_managers, 3), "yes" if m.non_root else "no",
                    f"{m.startup_s:.2f} s" if m.startup_s is not None else "did not answer",
                )
                for m in self.items
            ),
        )

    def chart(self) -> Figure:
        from .widgets.charts import comparison_chart

        names = [m.label for m in self.items]
        svg = comparison_chart(
            names,
            [
                ("Uncompressed size", [m.size_bytes for m in self.items], "bytes"),
                ("Compressed size", [m.compressed_bytes for m in self.items], "bytes"),
                ("Executables", [m.executables for m in self.items], ""),
                ("Start-up", [m.startup_s for m in self.items], "s"),
            ],
        )
        return Figure(table(("", ""), ()), svg)


def measure(images: dict[str, tuple[str, int]]) -> Measurements:
    """Measure each image (label → (image, port)): both sizes, layers, efficiency, surface, start-up time."""
    from .engine import compressed_size
    from .engine import probe

    items = []
    for label, (image, port) in images.items():
        report = _report(image)
        started = probe(image, port=port)
        items.append(
            Measurement(
                label=label,
                image=image,
                size_bytes=report.size_bytes,
                compressed_bytes=compressed_size(image).compressed_bytes,
                layers=len(report.file_layers),
                efficiency=report.efficiency,
                packages=len(report.surface.packages),
                executables=report.surface.executables_count,
                setuid_files=len(report.surface.setuid_files),
                shells=report.surface.shells,
                package_managers=report.surface.package_managers,
                non_root=report.non_root,
                startup_s=started.startup_s if started.ready else None,
                answered=started.ready,
            )
        )
    return Measurements(tuple(items))


def _verdict(holds: bool) -> str:
    return "holds" if holds else "does not hold"


def seed_claims(measured: Measurements) -> Table:
    """The seed tutorial's claims, each with what was measured here and a verdict."""
    from .engine import try_exec
    from .images.catalogue import lookup

    single, multi, distroless = (measured.get(f"node: {k}") for k in ("single-stage", "multi-stage (-slim)", "distroless"))
    go_single, go_scratch = measured.get("go: single-stage"), measured.get("go: scratch")
    seed = _report(tag("seed", "multistage-fixed"))
    node_base = _report("node:24-trixie")
    static = _report("gcr.io/distroless/static-debian13:latest")
    debian = _report("debian:trixie")
    nodejs18 = lookup("gcr.io/distroless/nodejs18")

    def sizes(m: Measurement) -> str:
        return f"{megabytes(m.size_bytes)} uncompressed, {megabytes(m.compressed_bytes)} compressed"

    rows = [
        (
            "Without multi-stage: large (~300 MB)",
            f"Node single-stage: {sizes(single)}",
            "holds only compressed" if 150e6 < single.compressed_bytes < 600e6 and single.size_bytes > 600e6 else _verdict(150e6 < single.size_bytes < 600e6),
        ),
        (
            "With multi-stage: small (~50 MB)",
            f"Node distroless: {sizes(distroless)}; Node multi-stage on -slim: {sizes(multi)}",
            "holds only compressed, and only on distroless" if distroless.compressed_bytes < 100e6 < distroless.size_bytes else _verdict(distroless.size_bytes < 100e6),
        ),
        (
            "(the same table, for a compiled language)",
            f"Go single-stage: {sizes(go_single)}; Go on scratch: {sizes(go_scratch)}",
            "holds, and the gain is far larger" if go_scratch.size_bytes < 50e6 else _verdict(False),
        ),
        (
            "Stage 2 only contains the final app — no npm, no build tools (seed's multi-stage example)",
            f"seed's example, fixed to build: package managers {_listing(seed.surface.package_managers)}; "
            f"/app/node_modules/prettier {'present' if seed.exists('/app/node_modules/prettier') else 'absent'}",
            _verdict(not seed.surface.package_managers),
        ),
        (
            "node:18 is 'Ubuntu by default'",
            f"node:24-trixie says: {node_base.os_name or 'no os-release'}",
            _verdict("Ubuntu" in node_base.os_name),
        ),
        (
            "Distroless: no shell, no package manager",
            f"Node distroless: shells {_listing(distroless.shells)}, package managers {_listing(distroless.package_managers)}",
            _verdict(not distroless.shells and not distroless.package_managers),
        ),
        (
            "Distroless: much smaller than base images like Ubuntu",
            f"distroless static {megabytes(static.size_bytes)} vs debian:trixie {megabytes(debian.size_bytes)}; "
            f"but Node distroless {megabytes(distroless.size_bytes)} (it carries Node.js)",
            "holds for static; the runtime images are bigger than a bare OS" if static.size_bytes < debian.size_bytes < distroless.size_bytes else _verdict(static.size_bytes < debian.size_bytes),
        ),
        (
            "You cannot exec into the container and debug it as on Ubuntu",
            f"docker exec sh on Node distroless: {_one_line(try_exec(distroless.image, ['sh']).error or 'it worked', 90)}",
            "holds for exec; debugging still works without a shell (chapter 4)",
        ),
        (
            "Runtimes: gcr.io/distroless/nodejs18, gcr.io/distroless/nodejs …",
            f"course catalogue: {_one_line(nodejs18.unavailable_reason if nodejs18 else 'no entry', 120)}",
            "outdated: names now carry the Node.js and Debian versions (nodejs24-debian13)",
        ),
        (
            "Better security: fewer vulnerabilities",
            f"Debian packages: {single.packages} (single-stage) → {distroless.packages} (distroless); "
            f"executables {single.executables:,} → {distroless.executables:,}",
            "fewer packages measured; vulnerabilities need a scanner (not measured here)",
        ),
    ]
    return table(("the seed says", "measured here", "verdict"), rows)


# -- cache mounts (chapter 6) ------------------------------------------------------------------


def cache_mount_timings(app: str, step: str) -> Table:
    """Time ``step`` when it must run again, without and with the cache mount of ``Dockerfile.cachemount``.

    The Dockerfile declares ``ARG CHANGE`` just before the step: a new value re-runs the step
    as a changed source or lockfile would. Without the mount the step starts from nothing;
    with it, the tool finds its cache from the build before.
    """
    import uuid

    with_mount = example_dockerfile(app, "cachemount")
    mount = re.search(r"--mount=type=cache,\S+ ", with_mount.read_text())
    if mount is None:
        raise ValueError(f"{with_mount} has no cache mount")
    without = dockerfile_variant(app, "cachemount", mount.group(0), "")
    rows = []
    for label, dockerfile, warm_up in (("without a cache mount", without, False), ("with a cache mount", with_mount, True)):
        if warm_up:  # fill the cache (it may be warm already from an earlier run)
            Build(context(app), dockerfile, build_args={"CHANGE": uuid.uuid4().hex}, kind="course").run()
        result = Build(context(app), dockerfile, build_args={"CHANGE": uuid.uuid4().hex}, kind="course").run()
        record = result.steps_matching(step)[0]
        took = "" if record.duration_s is None else f"{record.duration_s:.1f} s"
        rows.append((label, record.step.instruction[:70], took))
    return table(("", "step", "time on a rebuild"), rows)
