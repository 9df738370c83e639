"""Image sizes: each lab solution against its floor, and single → multi-stage → distroless.

Floor = the final stage's base image + the bytes the app itself adds (its own files and
production dependencies, measured in the image under its working directory). A solution
within 5% of its floor carries no avoidable weight. Sizes are `docker image inspect`'s
(uncompressed), the one measure used throughout the course.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _common import REPO, mb, table

from stagelab.dockerfile import load
from stagelab.engine import Build
from stagelab.engine.cleanup import remove
from stagelab.engine.reports import image_report
from stagelab.grading.grader import prepare_workspace
from stagelab.grading.spec import load_spec

RUN_ID = "bench-sizes"

LADDERS = {
    "Node.js": ("examples/node-app", ["Dockerfile.single", "Dockerfile.multistage", "Dockerfile.distroless"], 7),
    "Go": ("examples/go-app", ["Dockerfile.single", "Dockerfile.scratch", "Dockerfile.static"], 100),
    "Python": ("examples/python-app", ["Dockerfile.single", "Dockerfile.multistage", "Dockerfile.distroless"], 10),
}


def build(context: Path, dockerfile: Path) -> str:
    return Build(context, dockerfile, run_id=RUN_ID, kind="bench").run().image_id


def app_bytes(image: str, base: str | None) -> int:
    """Bytes of regular files at paths the base does not have: the app and its dependencies.

    Base files that a layer rewrites (a `chown -R`, a reinstalled package) are not the
    app's bytes: they are overhead, and so show up as distance from the floor.
    """
    report = image_report(image)
    base_files = image_report(base).files if base else {}
    return sum(
        entry.size_bytes for path, entry in report.files.items() if entry.kind == "file" and path not in base_files
    )


def lab_rows() -> list[list[object]]:
    rows = []
    for lab in sorted((REPO / "labs").glob("[0-9][0-9]-*")):
        spec = load_spec(lab)
        with tempfile.TemporaryDirectory() as temp:
            workspace = Path(temp) / spec.id
            workspace.mkdir()
            dockerfile, context = prepare_workspace(spec, lab, workspace, solution=True)
            image = build(context, dockerfile)
            model = load(dockerfile)
            final = model.target_stage(spec.build.target)
            base = model.resolved_base(final, spec.build.build_args)
        size = image_report(image).size_bytes
        if base == "scratch":
            base_size, added = 0, app_bytes(image, None)
        else:
            base_size, added = image_report(base).size_bytes, app_bytes(image, base)
        floor = base_size + added
        over = (size / floor - 1) * 100 if floor else float("nan")
        rows.append([spec.id, base, mb(size), mb(floor), f"{over:+.1f}%", "yes" if over <= 5 else "no"])
    return rows


def ladder_rows() -> list[list[object]]:
    rows = []
    for name, (folder, files, goal) in LADDERS.items():
        sizes = []
        for file in files:
            image = build(REPO / folder, REPO / folder / file)
            sizes.append(image_report(image).size_bytes)
        single, middle, last = sizes
        rows.append(
            [
                name,
                mb(single),
                mb(middle),
                mb(last),
                f"{single / middle:.1f}×",
                f"{single / last:.1f}×",
                f"≥ {goal}×",
                "met" if single / last >= goal else "not met",
            ]
        )
    return rows


def main() -> int:
    try:
        labs = lab_rows()
        ladders = ladder_rows()
    finally:
        remove(run_id=RUN_ID)
    print("## Image sizes\n")
    print("Each lab's reference solution against its floor (base image + the app's own bytes):\n")
    print(table(["lab", "final base", "solution", "floor", "over floor", "within 5%"], labs))
    print("\nSingle-stage (full image) → multi-stage → distroless, same app (examples/*/Dockerfile.*):\n")
    print(
        table(
            ["app", "single", "multi-stage", "distroless/scratch", "single÷multi", "single÷final", "goal", ""], ladders
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
