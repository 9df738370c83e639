"""What is inside an image: size, layers, user, shells, package managers, compilers, paths.

The figures come from :func:`stagelab.engine.reports.image_report`; a course image that is
not built yet is built first (:func:`stagelab.course.builds.ensure`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .builds import ensure
from .display import Figure, Table, listing, megabytes, table


def report_of(image: str):
    """The engine's report of ``image`` (a course image is built first if it is missing)."""
    from ..engine import image_report

    ensure(image)
    return image_report(image)


def presence(report, path: str, folder_sizes: dict[str, int]) -> str:
    """``present (1,234 bytes)``, ``present (folder, 3.4 MB)`` or ``absent``."""
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
    report = report_of(image)
    surface = report.surface
    rows: list[tuple[str, object]] = [
        ("size (uncompressed)", megabytes(report.size_bytes)),
        ("layers with files", len(report.file_layers)),
        ("runs as", report.config.user or "root (no USER)"),
        ("shells", listing(surface.shells)),
        ("package managers", listing(surface.package_managers)),
        ("compilers and build tools", listing(surface.compilers)),
        ("executables", f"{surface.executables_count:,}"),
        ("setuid/setgid files", listing(surface.setuid_files, 3)),
        ("Debian packages", len(surface.packages)),
    ]
    if paths:
        folder_sizes = report.folder_sizes()
        rows += [(path, presence(report, path, folder_sizes)) for path in paths]
    return table(("", image), rows)


def present(image: str, paths: Sequence[str]) -> Table:
    """Whether each path is in the image (following symlinks), and its size."""
    report = report_of(image)
    folder_sizes = report.folder_sizes()
    return table(("path", "in the image?"), ((path, presence(report, path, folder_sizes)) for path in paths))


def layers(image: str, top: int = 6) -> Table:
    """The biggest layers of an image and the instruction that made each (``docker history``)."""
    report = report_of(image)
    biggest = sorted(report.file_layers, key=lambda layer: -layer.size_bytes)[:top]
    return table(
        ("size", "instruction"),
        (
            (megabytes(layer.size_bytes), layer.created_by[:100] + ("…" if len(layer.created_by) > 100 else ""))
            for layer in biggest
        ),
    )


def compare(images: dict[str, str], chart: bool = True) -> Figure | Table:
    """Images side by side (label → image): size, layers, what can run inside; with a size chart.

    The figures are :func:`stagelab.engine.compare.compare_reports`'s, the same the CLI's
    ``stagelab compare`` and the comparison widget show.
    """
    from ..analysis import compare_reports

    compared = compare_reports([report_of(image) for image in images.values()])
    labels = list(images)
    rows = [
        (
            label,
            megabytes(row.size_bytes),
            row.layers,
            len(row.shells),
            listing(row.package_managers, 3),
            len(row.compilers),
            f"{row.executables:,}",
            row.packages,
            "yes" if row.non_root else "no",
        )
        for label, row in zip(labels, compared.rows)
    ]
    result = table(
        (
            "image",
            "size (uncompressed)",
            "layers",
            "shells",
            "package managers",
            "compilers",
            "executables",
            "Debian packages",
            "non-root",
        ),
        rows,
    )
    if not chart:
        return result
    from ..widgets.charts import comparison_chart

    svg = comparison_chart(
        labels,
        [
            ("Size (uncompressed)", [row.size_bytes for row in compared.rows], "bytes"),
            ("Executables", [row.executables for row in compared.rows], ""),
        ],
    )
    return Figure(result, svg)


def distroless_family(flavours: Sequence[str] = ("static", "base", "cc", "nodejs24", "python3")) -> Table:
    """The distroless images, measured: size of ``:latest`` and ``:debug``, user of ``:nonroot``, entrypoint, shell."""
    from ..images.catalogue import DISTROLESS, lookup

    rows = []
    for flavour in flavours:
        name = f"{DISTROLESS}/{flavour}-debian13"
        latest, debug, nonroot = (report_of(f"{name}:{t}") for t in ("latest", "debug", "nonroot"))
        entry = lookup(f"{name}:latest")
        quoted = entry.upstream_size_bytes if entry else None
        rows.append(
            (
                flavour,
                megabytes(latest.size_bytes),
                listing(latest.surface.shells),
                megabytes(debug.size_bytes),
                listing(debug.surface.shells, 2),
                nonroot.config.user or "root",
                " ".join(latest.config.entrypoint or ()) or "none",
                f"~{megabytes(quoted)}" if quoted else "not recorded",
            )
        )
    return table(
        (
            "image",
            ":latest size",
            ":latest shells",
            ":debug size",
            ":debug shells",
            ":nonroot user",
            "entrypoint",
            "upstream (quoted)",
        ),
        rows,
    )


def base_images() -> Table:
    """The catalogue's images: present or not, stand-in or pulled, and what is really inside."""
    from ..engine import Images as image_store
    from ..images.catalogue import Availability, entries
    from ..labels import STAND_IN

    rows = []
    for entry in entries():
        if entry.is_alias:
            continue
        facts = image_store.inspect(entry.reference)
        if facts is None:
            state = "missing" if entry.availability is Availability.STAND_IN else "registry only"
            rows.append((entry.reference, state, "", entry.unavailable_reason or entry.description))
            continue
        kind = "stand-in" if facts.labels.get(STAND_IN) else "upstream"
        rows.append(
            (
                entry.reference,
                kind,
                megabytes(facts.size_bytes),
                entry.content if kind == "stand-in" else entry.description,
            )
        )
    return table(("reference", "here as", "size (uncompressed)", "what is inside"), rows)
