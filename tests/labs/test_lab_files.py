"""The labs' files: layout, specs, the example apps they name, and the apps' own unit tests.

Everything here runs without the engine except the Go apps' tests, which run
`go test` in the course's golang image (the host has no Go toolchain).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stagelab.dockerfile import DockerfileSyntaxError, load
from stagelab.engine import build
from stagelab.grading.spec import load_spec
from stagelab.labs import app_files

REPO = Path(__file__).resolve().parents[2]
LABS = REPO / "labs"
EXAMPLES = REPO / "examples"
LAB_DIRS = sorted(path for path in LABS.iterdir() if path.is_dir() and re.match(r"\d\d-", path.name))
LAB_IDS = [path.name for path in LAB_DIRS]
#: The one lab whose starter is meant not to build: the seed's Dockerfile as written.
SEED_LAB = "06-fix-the-seed"
REQUIRED = ("README.md", "lab.yaml", "Dockerfile", "solution/Dockerfile", "solution/README.md")


def test_there_are_at_least_eight_labs():
    assert len(LAB_DIRS) >= 8, LAB_IDS


@pytest.mark.parametrize("lab", LAB_IDS)
def test_lab_has_every_required_file(lab):
    missing = [name for name in REQUIRED if not (LABS / lab / name).exists()]
    assert not missing, f"labs/{lab} lacks {missing}"


@pytest.mark.parametrize("lab", LAB_IDS)
def test_lab_spec_is_valid_and_its_id_is_the_folder_name(lab):
    spec = load_spec(LABS / lab)
    assert spec.id == lab
    assert spec.max_score > 0


@pytest.mark.parametrize("lab", LAB_IDS)
def test_lab_spec_names_an_existing_dockerfile_and_example_app(lab):
    spec = load_spec(LABS / lab)
    assert (LABS / lab / spec.build.dockerfile).is_file()
    assert spec.app is not None, f"labs/{lab}/lab.yaml: app: names no example app"
    assert app_files(EXAMPLES / spec.app), f"examples/{spec.app} holds no app"


@pytest.mark.parametrize("lab", LAB_IDS)
def test_solution_dockerfile_parses(lab):
    assert load(LABS / lab / "solution" / "Dockerfile").stages


@pytest.mark.parametrize("lab", [lab for lab in LAB_IDS if lab != SEED_LAB])
def test_starter_dockerfile_parses(lab):
    load(LABS / lab / "Dockerfile")


@pytest.mark.parametrize("lab", LAB_IDS)
def test_starter_differs_from_solution(lab):
    starter = (LABS / lab / "Dockerfile").read_text()
    assert starter != (LABS / lab / "solution" / "Dockerfile").read_text()


@pytest.mark.parametrize("lab", LAB_IDS)
def test_readme_tells_how_to_grade_the_lab(lab):
    readme = (LABS / lab / "README.md").read_text()
    assert f"stagelab grade labs/{lab}" in readme


def _kept_in_the_course(folder: Path) -> set[str]:
    """The files under ``folder`` the course keeps: git's, else (a release, an archive) what is there."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "."], cwd=folder, capture_output=True, text=True, check=False
    )
    if listed.returncode == 0:
        return {name for name in listed.stdout.split("\0") if name}
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("lab", LAB_IDS)
def test_lab_keeps_no_copy_of_its_example_app(lab):
    # The app lives in examples/ only; a lab's app/ keeps what the lab adds (a starter .dockerignore).
    # (A lab set up in place by `stagelab lab start` has the app's files too, untracked: that is fine.)
    spec = load_spec(LABS / lab)
    own = LABS / lab / spec.build.context
    kept = _kept_in_the_course(own) if own.is_dir() else set()
    copies = kept & {p.as_posix() for p in app_files(EXAMPLES / spec.app)}
    assert copies == set(), f"labs/{lab}/{spec.build.context} repeats examples/{spec.app}: {sorted(copies)}"


def _seed_blocks() -> list[str]:
    # examples/seed/TUTORIAL.md is the seed tutorial, copied verbatim into the course.
    seed = EXAMPLES / "seed" / "TUTORIAL.md"
    return re.findall(r"```dockerfile\n(.*?)```", seed.read_text(), re.S)


def test_seed_dockerfiles_are_kept_exactly_as_written():
    multistage, distroless = _seed_blocks()
    assert (EXAMPLES / "seed" / "Dockerfile.multistage").read_text() == multistage
    assert (EXAMPLES / "seed" / "Dockerfile.distroless").read_text() == distroless
    assert (LABS / SEED_LAB / "Dockerfile").read_text() == multistage
    assert (LABS / SEED_LAB / "Dockerfile.seed-distroless").read_text() == distroless


def test_seed_starter_as_written_fails_to_parse_or_has_inline_comments():
    # The lesson depends on the seed's real defect: comments after instructions.
    text = (LABS / SEED_LAB / "Dockerfile").read_text()
    assert re.search(r"^FROM node:18 AS builder\s+#", text, re.M)
    try:
        model = load(LABS / SEED_LAB / "Dockerfile")
    except DockerfileSyntaxError:
        return
    first_from = model.stages[0].instructions[0]
    assert "#" in first_from.text


def test_fixed_seed_example_is_the_lab_solution():
    assert (EXAMPLES / "seed" / "Dockerfile.fixed").read_text() == (
        LABS / SEED_LAB / "solution" / "Dockerfile"
    ).read_text()
    assert (EXAMPLES / "seed" / "Dockerfile.fixed.dockerignore").read_text() == (
        LABS / SEED_LAB / "solution" / "app" / ".dockerignore"
    ).read_text()


def test_examples_readme_names_every_example():
    readme = (EXAMPLES / "README.md").read_text()
    for folder in sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()):
        assert f"`{folder}/`" in readme, folder


# -- the apps' own unit tests ------------------------------------------------------------


def _copy_app(source: Path, destination: Path) -> Path:
    shutil.copytree(
        source, destination, ignore=shutil.ignore_patterns("node_modules", "__pycache__", "dist", "Dockerfile*")
    )
    return destination


def _run(command: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


NODE_APPS = ["node-app", "seed/app"]


@pytest.fixture(scope="module", params=NODE_APPS)
def node_app(request, tmp_path_factory) -> Path:
    """A copy of a Node.js example with every dependency installed by ``npm ci`` (once per app)."""
    work = _copy_app(EXAMPLES / request.param, tmp_path_factory.mktemp("node") / "app")
    _run(["npm", "ci", "--no-audit", "--no-fund"], work)
    return work


def test_node_app_unit_tests_pass(node_app):
    result = _run(["npm", "test"], node_app)
    assert re.search(r"^# fail 0$", result.stdout, re.M), result.stdout


def test_node_app_is_formatted_with_its_own_linter(node_app):
    _run(["npm", "run", "lint"], node_app)


@pytest.mark.slow  # an npm install per app: `make test` runs it, `make check` does not
@pytest.mark.parametrize("app", NODE_APPS)
def test_node_app_production_install_leaves_out_the_dev_dependency(app, tmp_path):
    # npm ci refuses a lockfile out of step with package.json; --omit=dev is what the images run.
    work = _copy_app(EXAMPLES / app, tmp_path / "app")
    _run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund"], work)
    assert (work / "node_modules" / "express").is_dir()
    assert not (work / "node_modules" / "prettier").exists()


def test_python_app_unit_tests_pass(tmp_path):
    work = _copy_app(EXAMPLES / "python-app", tmp_path / "app")
    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(site), "-r", "requirements.txt"], work)
    result = _run(
        [sys.executable, "-m", "unittest", "discover", "-s", "tests", "-v"],
        work,
        env={"PYTHONPATH": f"{work}:{site}", "PATH": "/usr/bin:/bin"},
    )
    assert "OK" in result.stderr


GO_TEST_DOCKERFILE = """\
FROM golang:1.27-trixie
# The same settings as the labs' solutions, so the compiled standard library in the
# shared build cache is reused; the tests themselves always run (no_cache).
ARG CGO_ENABLED
ENV CGO_ENABLED=${CGO_ENABLED} GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build go test -v ./...
"""

#: go-app is built static in every image of the course; go-cgo-app cannot be built without cgo.
GO_APPS = {"go-app": "0", "go-cgo-app": "1"}


@pytest.mark.engine
@pytest.mark.parametrize("app", sorted(GO_APPS))
def test_go_app_unit_tests_pass_in_the_golang_image(app, tmp_path, engine):
    work = _copy_app(EXAMPLES / app, tmp_path / "app")
    dockerfile = tmp_path / "Dockerfile.test"
    dockerfile.write_text(GO_TEST_DOCKERFILE)
    result = build(work, dockerfile, no_cache=True, kind="test", build_args={"CGO_ENABLED": GO_APPS[app]})
    assert result.image_id
