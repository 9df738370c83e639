"""Launch buttons: JupyterHub through nbgitpuller when the site is built with a hub's address; no Binder by default."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from book_site import build_book  # tests/book/book_site.py

#: Each module builds the whole book (Sphinx, 15–20 s): `make test` runs them, `make check` does not.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
#: Without -W: this test is about the buttons; warnings are test_build's business.
FLAGS = ["-n", "-q", "-b", "html", "-c", "book", "."]


@pytest.fixture(scope="module")
def site_with_hub(tmp_path_factory) -> Path:
    build = build_book(
        tmp_path_factory.mktemp("hub") / "html",
        FLAGS,
        env={
            "STAGELAB_REPOSITORY_URL": "https://github.com/example-org/stagelab",
            "STAGELAB_JUPYTERHUB_URL": "https://hub.example.org",
            "STAGELAB_BINDERHUB_URL": "",
        },
    )
    assert build.returncode == 0, build.output[-3000:]
    return build.outdir


def _first_chapter() -> Path:
    chapters = sorted(REPO.glob("notebooks/*.ipynb"))
    assert chapters, "notebooks/ holds no chapters yet"
    return chapters[0]


def test_chapter_has_a_jupyterhub_button_that_pulls_the_repository(site_with_hub):
    chapter = _first_chapter()
    page = html.unescape((site_with_hub / "notebooks" / f"{chapter.stem}.html").read_text())
    assert "https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A//github.com/example-org/stagelab" in page
    assert f"urlpath=lab/tree/stagelab/notebooks/{chapter.name}" in page


def test_no_binder_button_unless_asked_for(site_with_hub):
    page = (site_with_hub / "notebooks" / f"{_first_chapter().stem}.html").read_text()
    assert "mybinder" not in page and "/v2/gh/" not in page


def test_text_pages_have_no_launch_button(site_with_hub):
    assert "git-pull?" not in (site_with_hub / "book" / "index.html").read_text()
