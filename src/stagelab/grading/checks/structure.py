"""The optional check that runs an instructor's container-structure-test file on the built image."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import LabSpecError
from .base import Outcome, Param, Params, Phase, SkipCheck, chapter, check, failed, passed

if TYPE_CHECKING:
    from ..subject import Subject

#: How many failed tests a message lists before it says "and N more".
_SHOWN = 3


def _test_file(subject: Subject, name: str) -> Path:
    """The YAML file in the lab's own folder: a learner's copy never replaces the instructor's tests."""
    if subject.lab_dir is None:
        raise SkipCheck("structure-test needs a lab folder that holds the test file")
    lab_dir = Path(subject.lab_dir).resolve()
    path = (lab_dir / name).resolve()
    if not path.is_relative_to(lab_dir):
        raise LabSpecError(f"structure-test: file '{name}' must stay inside the lab folder (relative, no '..')")
    if not path.is_file():
        raise LabSpecError(f"structure-test: {lab_dir.name}/{name} not found; put the container-structure-test "
                           "YAML file in the lab folder or fix `with: {file: …}` in lab.yaml")  # fmt: skip
    return path


def _describe(case) -> str:
    reason = case.errors[0] if case.errors else "failed"
    return f"{case.name or 'a test'}: {reason}"


@check(
    id="structure-test",
    title="The image passes the lab's container-structure-test file",
    family="structure",
    phase=Phase.IMAGE,
    what="Runs Google's container-structure-test with the YAML file in the lab folder (files present or absent, "
    "file contents, command output, metadata such as user, entrypoint and exposed ports) against the built image. "
    "Every test in the file must pass. It works on shell-less images too.",
    why="Teams that already describe their images with container-structure-test files can grade with the same "
    "file they run in CI, so the lab checks exactly what their pipeline will.",
    fix="Read which test failed and why in the report, and change the final stage so the file the test names is "
    "there (or gone), or the metadata it names is set.",
    before="""
        FROM gcr.io/distroless/nodejs24-debian13
        COPY --from=build /app /app
        """,
    after="""
        FROM gcr.io/distroless/nodejs24-debian13:nonroot
        COPY --from=build /app/node_modules /app/node_modules
        COPY server.js /app/
        """,
    chapter=chapter("distroless", "what-distroless-is-and-is-not"),
    params=(
        Param("file", "structure-test.yaml", "container-structure-test YAML file, relative to the lab folder", (str,)),
    ),
)
def structure_test(subject: Subject, params: Params) -> Outcome:
    from ...engine import Engine

    test_file = _test_file(subject, str(params["file"]))
    report = Engine().reports.structure_test(subject.require_image(), test_file)
    failures = report.failed
    details = {"passed": report.passed, "total": len(report.cases), "failed": [_describe(c) for c in failures]}
    if failures:
        shown = "; ".join(_describe(c) for c in failures[:_SHOWN])
        more = f"; and {len(failures) - _SHOWN} more" if len(failures) > _SHOWN else ""
        return failed(f"{len(failures)} of {len(report.cases)} structure tests failed: {shown}{more}", None, **details)
    return passed(f"all {len(report.cases)} structure tests passed", **details)
