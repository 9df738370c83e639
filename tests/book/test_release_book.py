"""A learner copy (`stagelab release`) is a course of its own: its book builds without the pages it left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from book_site import BookBuild, build_book  # tests/book/book_site.py
from stagelab_book import broken_local_links  # book/_ext, on sys.path via book_site.py

from stagelab.grading.release import prune_book, release

#: Each module builds the whole book (Sphinx, 15–20 s): `make test` runs them, `make check` does not.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "course"
    release(REPO, out)
    return out


@pytest.fixture(scope="module")
def released_book(released, tmp_path_factory) -> BookBuild:
    return build_book(tmp_path_factory.mktemp("release-book") / "html", root=released)


def test_the_release_leaves_out_the_instructor_pages(released):
    assert not (released / "book" / "instructors").exists()


def test_the_released_toc_lists_only_pages_the_release_holds(released):
    toc = (released / "book" / "_toc.yml").read_text()
    assert "instructors/" not in toc
    assert "book/checks" in toc and "glob: labs/*/README" in toc


def test_the_released_book_builds_with_warnings_as_errors(released_book):
    warnings = [line for line in released_book.output.splitlines() if "WARNING" in line or "ERROR" in line]
    assert released_book.returncode == 0 and not warnings, "\n".join(warnings) or released_book.output[-3000:]


def test_every_local_link_in_the_released_book_resolves(released_book):
    broken = list(broken_local_links(released_book.outdir))
    assert broken == [], "\n".join(f"{b.page}: {b.href} ({b.reason})" for b in broken)


def test_the_released_book_has_every_lab_and_no_solution(released_book, released):
    labs = sorted(p.parent.name for p in released.glob("labs/*/README.md"))
    assert labs and all((released_book.outdir / "labs" / lab / "README.html").is_file() for lab in labs)
    assert not [p for p in released_book.outdir.rglob("*") if "solution" in p.parts or "instructors" in p.parts]


def test_a_reference_to_a_left_out_page_becomes_its_title(tmp_path):
    root, out = tmp_path / "course", tmp_path / "copy"
    for folder in (root, out):
        (folder / "book").mkdir(parents=True)
        (folder / "book" / "_toc.yml").write_text(
            "root: book/index\nchapters:\n  - file: book/guide\n  - file: book/instructors/spec\n"
        )
        (folder / "book" / "guide.md").write_text(
            "# Guide\nSee {doc}`instructors/spec` and {doc}`the spec <instructors/spec>`, or {doc}`guide`.\n"
        )
    (root / "book" / "instructors").mkdir()
    (root / "book" / "instructors" / "spec.md").write_text("# Writing a lab\n")
    assert prune_book(root, out) == ["book/instructors/spec"]
    assert "instructors" not in (out / "book" / "_toc.yml").read_text()
    assert (out / "book" / "guide.md").read_text() == (
        "# Guide\nSee *Writing a lab* (in the instructors' copy of the course) and "
        "*the spec* (in the instructors' copy of the course), or {doc}`guide`.\n"
    )
