"""The optional `structure-test` check: container-structure-test files run on real images, nothing left behind."""

from __future__ import annotations

import pytest
from gradinghelp import busybox_binary, make_lab

from stagelab import labels
from stagelab.engine import Build
from stagelab.engine.structure_test import StructureTestError, run_structure_test
from stagelab.grading import catalogue, grader

pytestmark = pytest.mark.engine

PASSING = """\
schemaVersion: 2.0.0
fileExistenceTests:
  - name: the greeting is there
    path: /hello.txt
    shouldExist: true
fileContentTests:
  - name: the greeting says hello
    path: /hello.txt
    expectedContents: ["hello"]
commandTests:
  - name: busybox runs
    command: /bin/busybox
    args: ["echo", "structure"]
    expectedOutput: ["structure"]
metadataTest:
  user: "65534"
"""

FAILING = """\
schemaVersion: 2.0.0
fileExistenceTests:
  - name: no package manager
    path: /bin/busybox
    shouldExist: false
  - name: the greeting is there
    path: /hello.txt
    shouldExist: true
"""

IMAGE_DOCKERFILE = "FROM {base}\nCOPY hello.txt /hello.txt\nUSER 65534\n"


@pytest.fixture(scope="module")
def busybox_base(engine, tmp_path_factory):
    """A tiny busybox image FROM scratch, labelled with this session's owner (removed at the end)."""
    context = tmp_path_factory.mktemp("busybox")
    (context / "busybox").write_bytes(busybox_binary().read_bytes())
    (context / "busybox").chmod(0o755)
    (context / "Dockerfile").write_text(
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
    )
    tag = f"stagelab-test/cst-busybox:{labels.owner()}"
    Build(context, tag=tag, kind="test-base").run()
    return tag


@pytest.fixture(scope="module")
def hello_image(busybox_base, tmp_path_factory):
    context = tmp_path_factory.mktemp("hello")
    (context / "hello.txt").write_text("hello from the lab\n")
    (context / "Dockerfile").write_text(IMAGE_DOCKERFILE.format(base=busybox_base))
    tag = f"stagelab-test/cst-hello:{labels.owner()}"
    Build(context, tag=tag, kind="test-image").run()
    return tag


def _config(tmp_path, text: str):
    path = tmp_path / "structure-test.yaml"
    path.write_text(text)
    return path


def _containers_of(engine, image: str) -> set[str]:
    return {c.id for c in engine.containers.list(all=True, filters={"ancestor": engine.images.get(image).id})}


def test_passing_file_passes_every_test(hello_image, tmp_path):
    report = run_structure_test(hello_image, _config(tmp_path, PASSING))
    assert report.all_passed, report.failed
    assert len(report.cases) == 4


def test_failing_file_names_the_failed_test_and_why(hello_image, tmp_path):
    report = run_structure_test(hello_image, _config(tmp_path, FAILING))
    assert [case.name for case in report.failed] == ["File Existence Test: no package manager"]
    assert report.passed == 1
    assert report.failed[0].errors


def test_runs_leave_no_container_and_no_committed_image(engine, hello_image, tmp_path, leak_check):
    image_id = engine.images.get(hello_image).id
    before = _containers_of(engine, hello_image)
    run_structure_test(hello_image, _config(tmp_path, PASSING))
    run_structure_test(hello_image, _config(tmp_path, FAILING))
    assert _containers_of(engine, hello_image) == before
    children = [
        i.id for i in engine.images.list(all=True, filters={"dangling": True}) if i.attrs.get("Parent") == image_id
    ]
    assert children == []


def test_works_on_an_image_without_a_shell(engine, tmp_path):
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "hello.txt").write_text("hello\n")
    (context / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /hello.txt\n")
    tag = f"stagelab-test/cst-scratch:{labels.owner()}"
    Build(context, tag=tag, kind="test-image").run()
    config = _config(tmp_path, "schemaVersion: 2.0.0\nfileContentTests:\n  - name: greeting\n    path: /hello.txt\n"
                               "    expectedContents: ['hello']\n")  # fmt: skip
    assert run_structure_test(tag, config).all_passed


def test_invalid_file_is_reported_as_an_invalid_file(hello_image, tmp_path):
    with pytest.raises(StructureTestError, match="not a valid structure test file"):
        run_structure_test(hello_image, _config(tmp_path, "schemaVersion: 2.0.0\nfileExistenceTests: [oops\n"))


def _lab(tmp_path, base: str, test_file: str):
    spec = {
        "title": "structure",
        "checks": [{"id": "image.builds", "points": 0}, {"id": "structure-test", "points": 2}],
    }
    lab = make_lab(tmp_path, "structure", spec, {"hello.txt": "hello\n"}, IMAGE_DOCKERFILE.format(base=base))
    (lab / "structure-test.yaml").write_text(test_file)
    return lab


def test_check_is_in_the_catalogue_with_its_file_parameter():
    definition = catalogue.get("structure-test")
    assert definition.param("file").default == "structure-test.yaml"
    assert "structure-test" in catalogue.as_markdown()


def test_check_gives_points_when_the_file_passes(busybox_base, tmp_path, leak_check):
    report = grader.grade(_lab(tmp_path, busybox_base, PASSING))
    result = report.result("structure-test")
    assert result.status == "passed", result.message
    assert result.points == 2


def test_check_fails_with_the_failed_test_named(busybox_base, tmp_path, leak_check):
    report = grader.grade(_lab(tmp_path, busybox_base, FAILING))
    result = report.result("structure-test")
    assert result.status == "failed"
    assert "no package manager" in result.message


def test_learner_cannot_replace_the_labs_test_file(busybox_base, tmp_path, leak_check):
    lab = _lab(tmp_path, busybox_base, FAILING)
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "Dockerfile").write_text(IMAGE_DOCKERFILE.format(base=busybox_base))
    (submission / "structure-test.yaml").write_text(PASSING)
    report = grader.grade(lab, submission_dir=submission)
    assert report.result("structure-test").status == "failed"


def test_missing_test_file_is_an_error_that_names_it(busybox_base, tmp_path):
    lab = _lab(tmp_path, busybox_base, PASSING)
    (lab / "structure-test.yaml").unlink()
    result = grader.grade(lab).result("structure-test")
    assert result.status == "error"
    assert "structure-test.yaml not found" in result.message
