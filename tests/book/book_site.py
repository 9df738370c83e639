"""Building the site for the tests: the same command as `make book`, into a folder of the test's choosing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "book" / "_ext"))

#: The same flags as `make book`: warnings are errors, nitpicky references, report all problems at once.
SPHINX_FLAGS = ["-W", "-n", "--keep-going", "-b", "html", "-c", "book", "."]


@dataclass(frozen=True)
class BookBuild:
    """One build of the site: where it went, what Sphinx said, and how long it took."""

    outdir: Path
    returncode: int
    output: str
    seconds: float


def build_book(
    outdir: Path, flags: list[str] = SPHINX_FLAGS, env: dict[str, str] | None = None, root: Path = REPO
) -> BookBuild:
    """Build the book from the course folder ``root`` (the repository) into ``outdir`` (a fresh build, no cache)."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "sphinx", *flags, str(outdir)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )
    return BookBuild(outdir, completed.returncode, completed.stdout + completed.stderr, time.monotonic() - started)
