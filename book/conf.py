"""Sphinx configuration for the Stagelab course website.

Built from the repository root so chapters come straight from ``notebooks/`` and
lab tasks from ``labs/*/README.md`` (no copies)::

    sphinx-build -W -n --keep-going -b html -c book . _build/html     # = make book

No Docker engine and no network are needed: notebooks are rendered from the
outputs stored in them (``nb_execution_mode = "off"``), and the theme ships its
assets. Launch buttons appear only when a repository URL is known (see
``book/launch.md``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent
sys.path.insert(0, str(BOOK / "_ext"))

project = "Stagelab"
author = "The Stagelab authors"
copyright = "Stagelab authors"
language = "en"

extensions = [
    "myst_nb",  # also loads myst_parser
    "sphinx_external_toc",
    "stagelab_book",  # book/_ext: the generated check catalogue, link checks
]

# --- What is a page -----------------------------------------------------------
# Learners' pages only: lab solutions (labs/*/solution/) stay out of the public site.
include_patterns = [
    "book/**",
    "notebooks/*.ipynb",
    "labs/*/README.md",
]
exclude_patterns = [
    "_build",
    "**/.ipynb_checkpoints",
    "book/_ext/**",
    "book/_static/**",
    "book/README.md",
]
root_doc = "book/index"
external_toc_path = "book/_toc.yml"
external_toc_exclude_missing = False

# --- MyST and notebooks ---------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the outputs stored in the notebooks are the content; no engine needed
nb_merge_streams = True
# Widgets carry an HTML transcript of their result in the same display bundle
# (stagelab.widgets.transcript); a static page shows that, not a dead widget.
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
nb_mime_priority_overrides = [
    (builder, mime, priority)
    for builder in ("html", "dirhtml", "singlehtml", "epub")
    for mime, priority in (("text/html", 0), (_WIDGET_VIEW, 60))
]
# No require.js / widget manager from a CDN: the site must read offline in a workshop room.
nb_ipywidgets_js = {}

# --- HTML -------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Stagelab: single-stage, multi-stage and distroless images"
html_static_path = ["_static"]  # relative to book/ (the configuration directory)
html_css_files = ["stagelab.css"]
html_last_updated_fmt = None
html_copy_source = True


def _repository_url() -> str:
    """The public repository the site was built from, for the source and launch buttons.

    ``STAGELAB_REPOSITORY_URL`` wins (CI sets it); else the git remote ``origin`` if
    it is a GitHub/GitLab https or ssh URL; else none (and no launch buttons).
    """
    url = os.environ.get("STAGELAB_REPOSITORY_URL", "").strip()
    if not url:
        try:
            url = subprocess.run(
                ["git", "-C", str(REPO), "remote", "get-url", "origin"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            url = ""
    if url.startswith("git@"):
        host, _, path = url[4:].partition(":")
        url = f"https://{host}/{path}"
    return url.removesuffix(".git") if url.startswith("https://") else ""


REPOSITORY_URL = _repository_url()
html_theme_options = {
    "path_to_docs": "",
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
if REPOSITORY_URL:
    html_theme_options |= {
        "repository_url": REPOSITORY_URL,
        "repository_branch": os.environ.get("STAGELAB_REPOSITORY_BRANCH", "main"),
        "use_repository_button": True,
        "use_source_button": True,
        "launch_buttons": {
            "notebook_interface": "jupyterlab",
            # JupyterHub via nbgitpuller: the way to *run* the course, on a hub whose
            # user servers reach a Docker engine (book/launch.md).
            "jupyterhub_url": os.environ.get("STAGELAB_JUPYTERHUB_URL", ""),
            # Binder has no Docker engine: reading and browsing only (said on book/launch.md).
            "binderhub_url": os.environ.get("STAGELAB_BINDERHUB_URL", ""),
        },
    }

nitpicky = True
# Prose here is full of command-line flags: keep `--target` as typed, never an en dash.
smartquotes = False
