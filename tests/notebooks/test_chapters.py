"""The chapters follow the course's lesson shape and carry their recorded outputs.

These read the notebooks as files (no kernel, no engine): objectives at the top, key
points and an exercise linking to a lab at the end, solutions folded away, instructor
notes apart, every code cell executed without error, short cells that call the library.
Running the chapters themselves is nbval's job (``pytest --nbval-lax notebooks/``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
#: A cell longer than this belongs in the library (STYLE.md: notebooks stay small).
MAX_CODE_LINES = 8
#: Recorded outputs are for reading, not logs: keep each chapter's outputs small.
MAX_OUTPUT_BYTES = 400_000


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _tagged(notebook, tag: str) -> list:
    return [cell for cell in notebook.cells if tag in cell.get("metadata", {}).get("tags", [])]


def _slug(heading: str) -> str:
    """The anchor MyST and JupyterLab give a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"\s+", "-", text).strip("-")


def _anchors(notebook) -> set[str]:
    return {
        _slug(line.lstrip("#"))
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    }


def test_there_are_seven_chapters_in_order():
    names = [path.name[:2] for path in CHAPTERS]
    assert names == ["00", "01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_opens_with_a_title_and_objectives(path):
    first = _load(path).cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert "objectives" in first.metadata.get("tags", [])
    assert "**Objectives.**" in first.source


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_ends_with_key_points_exercise_and_instructor_notes(path):
    cells = _load(path).cells
    tags = [tag for cell in cells for tag in cell.metadata.get("tags", [])]
    ending = [tag for tag in tags if tag in ("keypoints", "exercise", "check-my-work", "instructor-notes")]
    assert ending[:2] == ["keypoints", "exercise"]
    assert set(ending[2:-1]) <= {"check-my-work"}
    assert ending[-1] == "instructor-notes" and tags[-1] == "instructor-notes"
    assert "## Key points" in _tagged(_load(path), "keypoints")[0].source


@pytest.mark.parametrize("path", CHAPTERS[1:], ids=lambda p: p.stem)
def test_chapter_offers_check_my_work_for_a_lab_that_exists(path):
    cells = [cell for cell in _tagged(_load(path), "check-my-work") if cell.cell_type == "code"]
    assert len(cells) == 1
    lab = re.search(r'grade_card\("\.\./(labs/[^"]+)"\)', cells[0].source)
    assert lab and (REPO / lab.group(1) / "lab.yaml").is_file()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_exercise_links_to_a_lab_that_exists(path):
    exercise = _tagged(_load(path), "exercise")[0].source
    links = re.findall(r"\]\(\.\./(labs/[^)]+)\)", exercise)
    assert links, "an exercise must link to a lab"
    for link in links:
        assert (REPO / "notebooks" / ".." / link).is_file(), f"{link} does not exist"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_and_instructor_notes_are_folded_away(path):
    notebook = _load(path)
    for cell in _tagged(notebook, "exercise"):
        if "Solution" in cell.source:
            assert re.search(r"<details>\s*<summary>Solution", cell.source)
    notes = _tagged(notebook, "instructor-notes")[0].source
    assert notes.startswith("<details>") and "<summary>Instructor notes</summary>" in notes


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_code_cell_carries_its_recorded_output_and_no_error(path):
    for cell in _load(path).cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"not executed: {cell.source[:60]!r}"
        assert cell.outputs, f"no recorded output: {cell.source[:60]!r}"
        assert not [o for o in cell.outputs if o.output_type == "error"], f"error output: {cell.source[:60]!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_recorded_outputs_stay_small(path):
    outputs = [o for cell in _load(path).cells if cell.cell_type == "code" for o in cell.outputs]
    assert len(json.dumps(outputs)) < MAX_OUTPUT_BYTES


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_short_calls_into_the_library(path):
    for cell in _load(path).cells:
        if cell.cell_type != "code":
            continue
        assert len(cell.source.splitlines()) <= MAX_CODE_LINES, f"too long for a chapter: {cell.source[:60]!r}"
        assert not re.search(r"^\s*(import|from)\s+(docker|subprocess)\b", cell.source, re.M), "engine access belongs in stagelab.engine"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_cells_are_marked_with_tags_not_comments(path):
    for cell in _load(path).cells:
        assert "# NBVAL" not in cell.source.upper()
        assert "nbval-skip" not in cell.metadata.get("tags", []), "every chapter cell must run headless"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_example_dockerfiles_the_chapter_names_exist(path):
    for cell in _load(path).cells:
        for app, variant in re.findall(r'(?:example_dockerfile|build_example|run_variant)\("([\w-]+)", "([\w-]+)"', cell.source):
            assert (REPO / "examples" / app / f"Dockerfile.{variant}").is_file(), f"examples/{app}/Dockerfile.{variant}"


def test_lab_specs_point_to_sections_that_exist():
    for spec_path in sorted((REPO / "labs").glob("*/lab.yaml")):
        chapter = (yaml.safe_load(spec_path.read_text()) or {}).get("chapter")
        if not chapter:
            continue
        notebook, _, anchor = chapter.partition("#")
        assert (REPO / notebook).is_file(), f"{spec_path}: {notebook} does not exist"
        if anchor:
            assert anchor in _anchors(_load(REPO / notebook)), f"{spec_path}: no section #{anchor} in {notebook}"


def test_sanitizer_hides_ids_sizes_and_timings():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((REPO / "notebooks" / "nbval-sanitize.cfg").read_text())
    assert patterns, "nbval reads no pattern from the file"
    text = "sha256:0123456789abcdef0123 took 12.5 s, 1,234.5 MB, 99.5 %, build-0123456789"
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    assert text == "sha256:ID took DURATION, SIZE, PERCENT, RUNID"


def test_every_check_points_to_a_section_that_exists():
    from stagelab.grading import catalogue

    for definition in catalogue.all_checks():
        notebook, _, anchor = definition.chapter.partition("#")
        assert (REPO / notebook).is_file(), f"{definition.id}: no chapter {notebook}"
        assert anchor in _anchors(_load(REPO / notebook)), f"{definition.id}: no section #{anchor} in {notebook}"
