"""A lab's app comes from examples/ (lab.yaml's app:): `stagelab lab start`, the grader and a release agree.

No engine: these tests look at the folders that would be built.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from stagelab.cli import main
from stagelab.errors import LabSpecError, StagelabError
from stagelab.grading.grader import prepare_workspace
from stagelab.grading.release import release
from stagelab.grading.spec import load_spec
from stagelab.labs import app_files, find_lab, start

REPO = Path(__file__).resolve().parents[2]
LABS = REPO / "labs"
EXAMPLES = REPO / "examples"
LAB_IDS = sorted(p.parent.name for p in LABS.glob("*/lab.yaml"))


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _grading_context(lab_dir: Path, workspace: Path, **options) -> Path:
    spec = load_spec(lab_dir)
    workspace.mkdir(parents=True)
    _, context = prepare_workspace(spec, lab_dir, workspace, **options)
    return context


def _course_copy(tmp_path: Path, lab: str) -> Path:
    """One lab and the examples in a course folder of their own, to set up in place without touching the repo."""
    course = tmp_path / "course"
    shutil.copytree(LABS / lab, course / "labs" / lab)
    shutil.copytree(EXAMPLES, course / "examples", ignore=shutil.ignore_patterns("node_modules"))
    return course / "labs" / lab


def test_start_into_a_folder_copies_the_lab_and_its_app_but_not_the_solution(tmp_path):
    folder = start("02-node-multistage", into=tmp_path)
    assert folder.path == tmp_path / "02-node-multistage" and not folder.in_place
    files = _files(folder.path)
    assert {
        "Dockerfile",
        "README.md",
        "lab.yaml",
        "app/.dockerignore",
        "app/server.js",
        "app/package-lock.json",
    } <= files
    assert not any(name.startswith("solution") for name in files)
    assert (folder.path / "app" / "server.js").read_bytes() == (EXAMPLES / "node-app" / "server.js").read_bytes()


def test_start_into_a_folder_leaves_out_the_chapters_dockerfiles(tmp_path):
    folder = start("03-go-static", into=tmp_path)
    assert not any(name.startswith("app/Dockerfile") for name in _files(folder.path))


def test_a_stand_alone_working_folder_no_longer_points_to_the_examples(tmp_path):
    folder = start("05-python-distroless", into=tmp_path)
    assert load_spec(folder.path).app is None
    assert re.search(r"^# app: python-app", (folder.path / "lab.yaml").read_text(), re.M)


def test_start_refuses_a_folder_that_already_holds_work(tmp_path):
    start("01-first-image", into=tmp_path)
    with pytest.raises(StagelabError, match="already holds files"):
        start("01-first-image", into=tmp_path)


def test_start_in_place_fills_the_labs_app_and_keeps_the_learners_files(tmp_path):
    lab = _course_copy(tmp_path, "07-debug-distroless")
    (lab / "app" / "server.js").write_text("// the learner's edit\n")
    folder = start(lab)
    assert folder.in_place and folder.path == lab
    assert (lab / "app" / "server.js").read_text() == "// the learner's edit\n"
    assert (lab / "app" / "app.js").read_bytes() == (EXAMPLES / "node-app" / "app.js").read_bytes()
    assert (lab / "app" / ".dockerignore").is_file()
    assert Path("app/server.js") not in folder.copied and Path("app/app.js") in folder.copied


def test_start_in_place_twice_copies_nothing_the_second_time(tmp_path):
    lab = _course_copy(tmp_path, "03-go-static")
    assert start(lab).copied
    assert start(lab).copied == ()


@pytest.mark.parametrize("lab", LAB_IDS)
def test_grading_builds_the_context_lab_start_sets_up(lab, tmp_path):
    started = start(lab, into=tmp_path / "work")
    context = _grading_context(LABS / lab, tmp_path / "grading")
    assert _files(context) == _files(started.context)
    spec = load_spec(LABS / lab)
    assert {p.as_posix() for p in app_files(EXAMPLES / spec.app)} <= _files(context)


def test_a_dockerfile_only_submission_gets_the_app_from_the_labs_reference(tmp_path):
    submission = tmp_path / "alice"
    submission.mkdir()
    (submission / "Dockerfile").write_text("FROM scratch\n")
    context = _grading_context(LABS / "03-go-static", tmp_path / "grading", submission_dir=submission)
    assert {"go.mod", "main.go"} <= _files(context)
    assert (context.parent / "Dockerfile").read_text() == "FROM scratch\n"


def test_a_submissions_own_app_files_win_over_the_example(tmp_path):
    submission = tmp_path / "bob"
    (submission / "app").mkdir(parents=True)
    (submission / "Dockerfile").write_text("FROM scratch\n")
    (submission / "app" / "server.js").write_text("// bob's server\n")
    context = _grading_context(LABS / "04-node-distroless", tmp_path / "grading", submission_dir=submission)
    assert (context / "server.js").read_text() == "// bob's server\n"
    assert (context / "package.json").is_file()


def test_the_solutions_own_app_files_are_laid_over_the_app(tmp_path):
    context = _grading_context(LABS / "01-first-image", tmp_path / "grading", solution=True)
    assert (context / ".dockerignore").read_bytes() == (
        LABS / "01-first-image" / "solution" / "app" / ".dockerignore"
    ).read_bytes()
    assert (context / "server.js").is_file()


def test_a_given_build_context_is_used_as_it_is(tmp_path):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "only.txt").write_text("x")
    context = _grading_context(LABS / "01-first-image", tmp_path / "grading", context=own)
    assert _files(context) == {"only.txt"}


def test_a_stand_alone_working_folder_grades_where_no_course_is_around(tmp_path):
    started = start("08-make-it-small", into=tmp_path / "a")
    moved = shutil.move(started.path, tmp_path / "elsewhere" / "08-make-it-small")
    context = _grading_context(Path(moved), tmp_path / "grading")
    assert {"go.mod", "main.go", "main_test.go"} <= _files(context)


def test_a_lab_outside_the_course_whose_app_cannot_be_found_says_what_to_do(tmp_path):
    lab = tmp_path / "somewhere" / "01-first-image"
    shutil.copytree(LABS / "01-first-image", lab)
    with pytest.raises(LabSpecError, match=r"app: 'node-app' not found.*stagelab lab start"):
        _grading_context(lab, tmp_path / "grading")


def test_a_lab_is_found_by_its_number_id_or_folder():
    assert find_lab("06") == LABS / "06-fix-the-seed"
    assert find_lab("06-fix-the-seed") == LABS / "06-fix-the-seed"
    assert find_lab(LABS / "06-fix-the-seed") == LABS / "06-fix-the-seed"
    with pytest.raises(StagelabError, match="is not a lab"):
        find_lab("99")


def test_the_command_sets_up_a_lab_and_says_how_to_build_and_grade_it(tmp_path, capsys):
    assert main(["lab", "start", "01", "--into", str(tmp_path)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "stagelab grade" in said and "examples/node-app" in said
    assert (tmp_path / "01-first-image" / "app" / "package.json").is_file()


def test_a_released_course_sets_up_and_grades_its_labs_on_its_own(tmp_path):
    # The learner copy keeps examples/ beside labs/, so the app: references resolve inside it.
    out = tmp_path / "release"
    release(REPO, out)
    assert not list(out.glob("labs/*/solution"))
    for lab in LAB_IDS:
        spec = load_spec(out / "labs" / lab)
        context = _grading_context(out / "labs" / lab, tmp_path / "grading" / lab)
        assert {p.as_posix() for p in app_files(out / "examples" / spec.app)} <= _files(context)
    started = start(out / "labs" / "05-python-distroless", into=tmp_path / "work")
    assert (started.context / "app.py").is_file()


@pytest.mark.parametrize("app", ["/work/examples/node-app", "../examples/node-app", 3])
def test_lab_yaml_refuses_an_app_outside_the_examples(app):
    from stagelab.grading.spec import parse_spec

    with pytest.raises(LabSpecError, match=r"\bapp\b"):
        parse_spec({"id": "x", "title": "x", "app": app, "checks": ["dockerfile.parses"]})


def test_a_lab_without_app_keeps_its_whole_app_in_its_context(tmp_path):
    lab = REPO / "tests" / "grading" / "newlab" / "09-static-site"
    assert load_spec(lab).app is None
    context = _grading_context(lab, tmp_path / "grading")
    assert _files(context) == _files(lab / "app")
