"""Lab spec validation: every problem names the file, the key and what is wrong."""

from __future__ import annotations

import pytest

from stagelab.errors import LabSpecError
from stagelab.grading.spec import load_spec


def write(tmp_path, text: str, folder: str = "01-lab"):
    lab = tmp_path / folder
    lab.mkdir()
    (lab / "lab.yaml").write_text(text)
    return lab


def error_of(lab) -> str:
    with pytest.raises(LabSpecError) as caught:
        load_spec(lab)
    return str(caught.value)


def test_missing_checks_key_is_named_with_the_file(tmp_path):
    message = error_of(write(tmp_path, "id: 01-lab\ntitle: T\n"))
    assert "01-lab/lab.yaml" in message and "checks: missing" in message


def test_unknown_check_id_suggests_the_closest(tmp_path):
    message = error_of(write(tmp_path, "id: 01-lab\ntitle: T\nchecks:\n  - id: image.size-budgit\n"))
    assert "checks[0].id" in message and "did you mean 'image.size-budget'" in message


def test_wrong_type_for_points_says_what_is_expected(tmp_path):
    message = error_of(write(tmp_path, "id: 01-lab\ntitle: T\nchecks:\n  - id: dockerfile.parses\n    points: two\n"))
    assert "checks[0].points" in message and "must be a number" in message


def test_unknown_parameter_lists_the_checks_parameters(tmp_path):
    text = "id: 01-lab\ntitle: T\nchecks:\n  - id: image.size-budget\n    with: {max_size: 10}\n"
    message = error_of(write(tmp_path, text))
    assert "checks[0].with.max_size" in message and "max_mb" in message


def test_wrong_parameter_type_is_reported(tmp_path):
    text = "id: 01-lab\ntitle: T\nchecks:\n  - id: dockerfile.final-base\n    with: {allowed: scratch}\n"
    message = error_of(write(tmp_path, text))
    assert "checks[0].with.allowed" in message and "a list" in message


def test_id_must_equal_the_folder_name(tmp_path):
    message = error_of(write(tmp_path, "id: 02-other\ntitle: T\nchecks: [dockerfile.parses]\n"))
    assert "id:" in message and "folder name '01-lab'" in message


def test_runtime_check_without_run_port_is_refused(tmp_path):
    message = error_of(write(tmp_path, "id: 01-lab\ntitle: T\nchecks: [runtime.responds]\n"))
    assert "runtime.responds needs run.port" in message


def test_unknown_top_level_key_is_a_typo_caught(tmp_path):
    message = error_of(write(tmp_path, "id: 01-lab\ntitle: T\ncheks: []\nchecks: [dockerfile.parses]\n"))
    assert "cheks: unknown key (did you mean 'checks'?)" in message


def test_invalid_yaml_gives_the_line(tmp_path):
    message = error_of(write(tmp_path, "id: 01-lab\ntitle: [unclosed\nchecks: []\n"))
    assert "not valid YAML" in message and "line" in message


def test_all_problems_are_listed_at_once(tmp_path):
    text = "id: 01-lab\nchecks:\n  - id: nope.check\n  - id: image.size-budget\n    points: -1\n"
    message = error_of(write(tmp_path, text))
    assert "3 problems" in message and "title: missing" in message and "nope.check" in message


def test_valid_spec_fills_parameter_defaults(tmp_path):
    spec = load_spec(write(tmp_path, "id: 01-lab\ntitle: T\nchecks:\n  - id: image.size-budget\n    points: 2\n"))
    assert spec.checks[0].params == {"max_mb": 200} and spec.max_score == 2


def test_every_lab_in_the_course_has_a_valid_spec(repo):
    labs = sorted((repo / "labs").glob("*/lab.yaml"))
    assert labs, "no labs found"
    for path in labs:
        assert load_spec(path.parent).id == path.parent.name
