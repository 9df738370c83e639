"""Chapter 5's measurements: each course image measured every way the chapter compares them."""

from __future__ import annotations

from dataclasses import dataclass

from .display import Figure, Table, listing, megabytes, table
from .image_contents import report_of
from .places import tag

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
            (
                "image",
                "uncompressed",
                "compressed",
                "layers",
                "efficiency",
                "packages",
                "executables",
                "setuid",
                "shell",
                "package managers",
                "non-root",
                "start-up",
            ),
            (
                (
                    m.label,
                    megabytes(m.size_bytes),
                    megabytes(m.compressed_bytes),
                    m.layers,
                    f"{m.efficiency:.1%}",
                    m.packages,
                    f"{m.executables:,}",
                    m.setuid_files,
                    "yes" if m.shells else "no",
                    listing(m.package_managers, 3),
                    "yes" if m.non_root else "no",
                    f"{m.startup_s:.2f} s" if m.startup_s is not None else "did not answer",
                )
                for m in self.items
            ),
        )

    def chart(self) -> Figure:
        from ..widgets.charts import comparison_chart

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
    from ..engine import compressed_size, probe

    items = []
    for label, (image, port) in images.items():
        report = report_of(image)
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
