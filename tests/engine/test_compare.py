"""Comparing images side by side: one row per image, ratios to the smallest, optional start-up times."""

from __future__ import annotations

import json

import pytest

from stagelab.cli import main as cli_main
from stagelab.engine import Engine
from stagelab.units import format_size

compare = Engine().reports.compare

FULL = "node:24-trixie"
SLIM = "node:24-slim"
DISTROLESS = "gcr.io/distroless/nodejs24-debian13:nonroot"


@pytest.fixture(scope="module")
def comparison(engine):
    return compare([FULL, SLIM, DISTROLESS])


@pytest.mark.engine
def test_rows_follow_the_order_given_and_keep_the_names_used(comparison):
    assert [row.ref for row in comparison.rows] == [FULL, SLIM, DISTROLESS]


@pytest.mark.engine
def test_the_smallest_image_has_ratio_one_and_the_others_are_multiples_of_it(comparison):
    assert comparison.smallest.ref == DISTROLESS
    assert comparison.rows[2].size_ratio == 1.0
    full = comparison.rows[0]
    assert full.size_ratio == full.size_bytes / comparison.smallest.size_bytes
    assert full.size_ratio > 5


@pytest.mark.engine
def test_the_distroless_row_has_no_shell_package_manager_or_compiler_and_runs_as_non_root(comparison):
    row = comparison.rows[2]
    assert (row.shells, row.package_managers, row.compilers, row.setuid_count) == ((), (), (), 0)
    assert row.non_root


@pytest.mark.engine
def test_the_full_image_row_counts_more_packages_and_executables_than_the_slim_one(comparison):
    full, slim, _ = comparison.rows
    assert full.packages > slim.packages > 0
    assert full.executables > slim.executables
    assert "gcc" in full.compilers and not slim.compilers


@pytest.mark.engine
def test_table_rows_have_a_header_and_one_row_per_image_without_startup_unless_given(comparison):
    rows = comparison.table_rows()
    assert rows[0][0] == "image" and "start-up" not in rows[0]
    assert len(rows) == 4 and rows[3][2] == "1.0×"


@pytest.mark.engine
def test_measured_startup_times_fill_their_column(engine):
    with_startup = compare([SLIM, DISTROLESS], startup_s={DISTROLESS: 0.21})
    rows = with_startup.table_rows()
    assert rows[0][-1] == "start-up"
    assert rows[1][-1] == "–" and rows[2][-1] == "0.21s"
    assert with_startup.to_dict()["images"][1]["startup_s"] == 0.21


@pytest.mark.engine
def test_compare_json_lists_every_image(engine, capsys):
    assert cli_main(["compare", SLIM, DISTROLESS, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["smallest"] == DISTROLESS
    assert [image["ref"] for image in printed["images"]] == [SLIM, DISTROLESS]


@pytest.mark.engine
def test_compare_with_a_missing_image_exits_non_zero_with_a_clear_message(engine, capsys):
    assert cli_main(["compare", SLIM, "stagelab-test/never-built:nope"]) != 0
    assert "stagelab images prepare" in capsys.readouterr().err


@pytest.mark.parametrize(
    "size, text",
    [(999, "999 B"), (1_500, "1.5 kB"), (152_859_833, "153 MB"), (1_440_000_000, "1.44 GB"), (999_600, "1 MB")],
)
def test_sizes_read_in_the_units_docker_images_uses(size, text):
    assert format_size(size) == text
