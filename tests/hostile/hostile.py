"""The hostile corpus: submissions written to hurt the room, and how to lay them out for grading.

Each folder under ``cases/`` is one submission (its Dockerfile, maybe files of its own);
``expected.yaml`` says what grading it must give. What must not be kept in git (a 1 GB
file, a link to /etc/shadow, binary garbage, a 5 MB Dockerfile) is made at test time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LAB = HERE / "lab"
CASES = HERE / "cases"
#: Every process a hostile case starts to linger runs ``sleep 67``: none may be left afterwards.
MARKER_SLEEP = "67"


def expected() -> dict[str, dict]:
    return yaml.safe_load((HERE / "expected.yaml").read_text())


def submission(name: str, root: Path) -> Path:
    """Copy case ``name`` to ``root/name`` and add what is made at test time; returns the folder."""
    folder = root / name
    if (CASES / name).is_dir():
        shutil.copytree(CASES / name, folder, symlinks=True)
    else:  # a case made whole at test time (git keeps no empty folder for it)
        folder.mkdir(parents=True)
    app = folder / "app"
    if name == "symlink-out-of-context":
        shutil.copytree(LAB / "app", app, symlinks=True)
        os.symlink("/etc/shadow", app / "shadow")
    elif name == "one-gigabyte-context":
        shutil.copytree(LAB / "app", app, symlinks=True)
        with open(app / "big.bin", "wb") as handle:
            handle.truncate(1024**3)  # sparse: 1 GB long, almost nothing on disk
    elif name == "binary-garbage":
        (folder / "Dockerfile").write_bytes(bytes(range(256)) * 64)
    elif name == "five-megabyte-dockerfile":
        line = "RUN echo 'a Dockerfile made by a generator that went wrong'\n"
        (folder / "Dockerfile").write_text("FROM busybox:1.37\n" + line * (5 * 1024 * 1024 // len(line)))
    return folder
