"""Every lab README teaches the same way, and its chapter link and points table come from lab.yaml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from stagelab import lab_readmes
from stagelab.cli import main
from stagelab.grading.spec import load_spec

REPO = Path(__file__).resolve().parents[2]
LABS = REPO / "labs"
LAB_IDS = sorted(p.parent.name for p in LABS.glob("*/lab.yaml"))

#: The sections every lab README has (the Carpentries' habit: objectives first, key points last).
SECTIONS = ("## Objectives", "## Check your work", "## Key points")


@pytest.mark.parametrize("lab", LAB_IDS)
def test_readme_has_objectives_a_check_your_work_section_and_key_points(lab):
    headings = re.findall(r"^## .*$", (LABS / lab / "README.md").read_text(), re.M)
    missing = [section for section in SECTIONS if section not in headings]
    assert missing == [], f"labs/{lab}/README.md lacks {missing}"
    assert headings.index("## Objectives") < headings.index("## Check your work") < headings.index("## Key points")


@pytest.mark.parametrize("lab", LAB_IDS)
def test_readme_matches_its_lab_yaml(lab):
    update = lab_readmes.update(LABS / lab, write=False)
    assert update.missing_parts == (), f"labs/{lab}/README.md has no marked part for {update.missing_parts}"
    assert not update.changed, "out of step with lab.yaml: run `stagelab lab readmes`"


def test_points_table_has_one_row_per_check_and_the_total():
    spec = load_spec(LABS / "03-go-static")
    table = lab_readmes.points_table(spec)
    for check in spec.checks:
        assert f"(`{check.id}`" in table
    assert "| The image fits the size budget (`image.size-budget`; max_mb: `15`) | 3 |" in table
    assert f"| **Total** | **{spec.max_score:g}** |" in table


def test_a_check_worth_no_points_is_shown_as_such():
    assert "(`dockerfile.hadolint`) | shown, 0 |" in lab_readmes.points_table(load_spec(LABS / "01-first-image"))


def test_chapter_link_names_the_chapter_by_its_title_and_keeps_the_anchor():
    line = lab_readmes.chapter_line(load_spec(LABS / "05-python-distroless"), REPO)
    assert line == "**Chapter:** [3. Distroless images](../../notebooks/03-distroless.ipynb#a-python-app-on-distroless)"


def test_a_change_to_lab_yaml_makes_the_readme_stale_until_regenerated(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(LABS / "03-go-static", course / "labs" / "03-go-static")
    shutil.copytree(REPO / "notebooks", course / "notebooks")
    spec_file = course / "labs" / "03-go-static" / "lab.yaml"
    spec_file.write_text(spec_file.read_text().replace("max_mb: 15", "max_mb: 12"))
    assert main(["lab", "readmes", "--labs", str(course / "labs"), "--check"]) == 1
    assert main(["lab", "readmes", "--labs", str(course / "labs")]) == 0
    assert "max_mb: `12`" in (course / "labs" / "03-go-static" / "README.md").read_text()
    assert main(["lab", "readmes", "--labs", str(course / "labs"), "--check"]) == 0
