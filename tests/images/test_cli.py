"""`stagelab images …` on the command line: JSON listing, clear errors for bad input."""

from __future__ import annotations

import json

import pytest

from stagelab.cli import main
from stagelab.images import catalogue


@pytest.mark.engine
def test_images_list_json_has_one_row_per_catalogued_reference(engine, capsys):
    assert main(["images", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["reference"] for row in rows] == [entry.reference for entry in catalogue.entries()]
    assert {row["source"] for row in rows} <= {"stand-in", "present", "pulled", "missing", "unavailable"}


def test_prepare_of_an_unknown_reference_exits_non_zero_with_a_message(capsys):
    assert main(["images", "prepare", "--only", "alpine:3.20"]) != 0
    assert "not in the course's image catalogue" in capsys.readouterr().err


def test_import_of_a_missing_file_exits_non_zero_with_a_message(tmp_path, capsys):
    assert main(["images", "import", str(tmp_path / "nope.tar")]) != 0
    assert "does not exist" in capsys.readouterr().err
