"""Grading against the real engine: the engine part of the corpus, cheating attempts, clean-up."""

from __future__ import annotations

import time

import pytest
import yaml
from gradinghelp import CLI_RUN, CORPUS, HTTP_RUN, busybox_binary, engine_app, make_lab

from stagelab import labels
from stagelab.engine import Build, cleanup
from stagelab.grading import grader

pytestmark = pytest.mark.engine

CASES = yaml.safe_load((CORPUS / "engine.yaml").read_text())

GOOD = """\
FROM {base} AS build
COPY www /www
RUN chmod -R a+rX /www

FROM {base}
COPY --from=build /www /www
USER 65534
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
"""


@pytest.fixture(scope="session")
def busybox_base(engine, tmp_path_factory):
    """A tiny base with a shell and httpd (busybox), built FROM scratch; removed with the session's label."""
    context = tmp_path_factory.mktemp("busybox")
    (context / "busybox").write_bytes(busybox_binary().read_bytes())
    (context / "busybox").chmod(0o755)
    (context / "Dockerfile").write_text(
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
        "RUN mkdir -p /tmp && chmod 1777 /tmp\n"
    )
    tag = f"stagelab-test/busybox:{labels.owner()}"
    Build(context, tag=tag, kind="test-base").run()
    return tag


@pytest.fixture(scope="session")
def app_dir(tmp_path_factory):
    return engine_app(tmp_path_factory.mktemp("corpus-app"))


def lab_for(tmp_path, name, checks, app_dir, dockerfile, base, cli=False, language=None):
    spec = {"title": name, "run": CLI_RUN if cli else HTTP_RUN, "checks": checks}
    if language:
        spec["language"] = language
    return make_lab(tmp_path, name, spec, app_dir, dockerfile.replace("{base}", base))


def our_images() -> int:
    return cleanup.leftovers(owner=labels.owner()).images


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_corpus_dockerfile_fails_the_right_check_and_leaves_nothing(
    name, tmp_path, busybox_base, app_dir, leak_check
):
    case = CASES[name]
    lab = lab_for(
        tmp_path,
        name,
        case["checks"],
        app_dir,
        case["dockerfile"],
        busybox_base,
        case.get("cli", False),
        case.get("language"),
    )
    images_before = our_images()
    started = time.monotonic()
    report = grader.grade(lab)
    elapsed = time.monotonic() - started
    expect = case["expect"]
    result = report.result(expect["check"])
    assert report.could_not_grade is None, report.could_not_grade
    assert result is not None and result.status == "failed", report.to_dict()
    if "contains" in expect:
        assert expect["contains"] in result.message, result.message
    if "hint" in expect:
        assert expect["hint"] in (result.hint or ""), result.hint
    assert result.hint
    assert elapsed < 60, f"grading took {elapsed:.0f} s"
    assert our_images() == images_before, "the grading left images behind"


def test_reference_solution_scores_full_marks(tmp_path, busybox_base, app_dir, leak_check):
    checks = [
        "dockerfile.parses", "dockerfile.multi-stage", "dockerfile.copy-from-defined", "dockerfile.exec-form",
        "dockerfile.non-root-user", "image.builds", "image.non-root",
        {"id": "image.files-present", "with": {"paths": ["/www/cgi-bin/echo", "/www/index.html"]}},
        {"id": "image.size-budget", "with": {"max_mb": 10}}, {"id": "image.layer-efficiency", "with": {"min_percent": 90}},
        "runtime.responds",
    ]  # fmt: skip
    lab = lab_for(tmp_path, "good", checks, app_dir, GOOD, busybox_base)
    results = []
    report = grader.grade(lab, on_result=results.append)
    assert report.all_passed, report.to_dict()
    assert report.score == report.max_score == len(checks)
    assert [r.check_id for r in results] == [r.check_id for r in report.results]
    assert report.result("runtime.responds").evidence.http_status == 200


def test_static_checks_are_reported_before_the_build_starts(tmp_path, busybox_base, app_dir):
    order = []
    lab = lab_for(tmp_path, "order", ["image.builds", "dockerfile.parses"], app_dir, GOOD, busybox_base)
    grader.grade(
        lab,
        on_result=lambda r: order.append(("result", r.check_id)),
        on_build_event=lambda e: order.append(("build", None)),
    )
    assert order[0] == ("result", "dockerfile.parses")
    assert ("build", None) in order


def test_checks_after_a_failed_build_are_skipped_with_the_reason(tmp_path, busybox_base, app_dir, leak_check):
    lab = lab_for(
        tmp_path, "broken", ["image.builds", "image.non-root", "runtime.responds"], app_dir,
        "FROM {base}\nRUN exit 3\n", busybox_base,
    )  # fmt: skip
    report = grader.grade(lab)
    assert report.result("image.builds").status == "failed"
    for check in ("image.non-root", "runtime.responds"):
        result = report.result(check)
        assert result.status == "skipped" and "image.builds" in result.message
    assert report.exit_code == 1


def test_unparseable_dockerfile_is_not_built(tmp_path, busybox_base, app_dir):
    dockerfile = "FROM {base} AS build   # build stage\nCOPY www /www\n"
    lab = lab_for(tmp_path, "seedlike", ["dockerfile.parses", "image.builds"], app_dir, dockerfile, busybox_base)
    events = []
    report = grader.grade(lab, on_build_event=events.append)
    assert report.result("dockerfile.parses").status == "failed"
    assert (
        report.result("image.builds").status == "skipped" and "does not parse" in report.result("image.builds").message
    )
    assert events == []


def test_submission_cannot_replace_the_labs_spec(tmp_path, busybox_base, app_dir):
    lab = lab_for(tmp_path, "integrity", [{"id": "image.size-budget", "with": {"max_mb": 20}}], app_dir,
                  "FROM {base}\nRUN dd if=/dev/zero of=/big bs=1M count=40\n", busybox_base)  # fmt: skip
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "Dockerfile").write_text((lab / "Dockerfile").read_text())
    (submission / "lab.yaml").write_text("id: integrity\ntitle: mine\nchecks: [dockerfile.parses]\n")
    report = grader.grade(lab, submission_dir=submission)
    assert report.result("image.size-budget").status == "failed"


def test_missing_dockerfile_means_could_not_grade(tmp_path, app_dir, busybox_base):
    lab = lab_for(tmp_path, "nodockerfile", ["image.builds"], app_dir, GOOD, busybox_base)
    (lab / "Dockerfile").unlink()
    report = grader.grade(lab)
    assert report.could_not_grade and "no Dockerfile" in report.could_not_grade
    assert report.exit_code == 2
