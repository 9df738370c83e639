"""Helpers shared by the grading tests: the corpus, running one check, writing a lab."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from static_busybox import busybox_binary  # noqa: F401  (re-exported for the grading tests)

from stagelab.grading import catalogue
from stagelab.grading.grader import run_checks
from stagelab.grading.spec import CheckSpec
from stagelab.grading.subject import Subject

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def run_one(dockerfile: Path, check_id: str, params: dict | None = None, context: Path | None = None):
    """Run dockerfile.parses and one check on a Dockerfile; return the check's result."""
    definition = catalogue.get(check_id)
    specs = [CheckSpec(check_id, 1.0, {**definition.defaults(), **(params or {})})]
    subject = Subject(dockerfile, context if context is not None else dockerfile.parent)
    results, _ = run_checks(subject, specs)
    return next(r for r in results if r.check_id == check_id)


def generate(name: str, folder: Path) -> Path:
    """Make the corpus files that are not kept in the repository."""
    path = folder / name
    if name == "binary-garbage.Dockerfile":
        path.write_bytes(bytes(range(256)) * 8)
    elif name == "five-megabytes.Dockerfile":
        line = "RUN echo 'a long Dockerfile made by a generator that went wrong'\n"
        path.write_text("FROM debian:trixie-slim\n" + line * (5 * 1024 * 1024 // len(line)))
    elif name == "latin1.Dockerfile":
        path.write_bytes('FROM debian:trixie-slim\nLABEL author="Zoë"\n'.encode("latin-1"))
    else:
        raise KeyError(name)
    return path


def static_corpus() -> dict[str, dict]:
    return yaml.safe_load((CORPUS / "static.yaml").read_text())


def make_lab(root: Path, name: str, spec: dict, app: Path | dict[str, str], dockerfile: str) -> Path:
    """Write a lab folder (lab.yaml, app/, Dockerfile) from parts; returns it."""
    lab = root / name
    lab.mkdir(parents=True)
    (lab / "lab.yaml").write_text(yaml.safe_dump({"id": name, **spec}, sort_keys=False))
    if isinstance(app, Path):
        shutil.copytree(app, lab / "app", symlinks=True)
    else:
        for relative, content in app.items():
            target = lab / "app" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
    (lab / "Dockerfile").write_text(dockerfile)
    return lab


def engine_app(folder: Path) -> Path:
    """The corpus app plus what git does not keep: node_modules and a dynamically linked binary."""
    app = folder / "app"
    shutil.copytree(CORPUS / "app", app)
    for name, version in (("left-pad", "1.3.0"), ("jest", "29.7.0")):
        package = app / "node_modules" / name
        package.mkdir(parents=True)
        (package / "package.json").write_text(f'{{"name": "{name}", "version": "{version}"}}\n')
    # A dynamically linked program: on scratch it cannot start (no libc), like a CGO binary.
    shutil.copy2("/usr/bin/true", app / "hello")
    return app


HTTP_RUN = {
    "port": 8080,
    "http": {"path": "/cgi-bin/echo?{nonce}", "status": 200, "body_contains": "echo: {nonce}"},
    "timeout_s": 6,
    "memory_mb": 64,
}
CLI_RUN = {"command": ["{nonce}"], "output_contains": "{nonce}", "exit_code": 0, "timeout_s": 6, "memory_mb": 64}
