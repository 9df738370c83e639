"""Submission folders named to break the gradebook: spaces, bytes that are not UTF-8, dots, a link elsewhere."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import hostile
import pytest

pytestmark = pytest.mark.engine


def test_gradebook_grades_oddly_named_folders_and_refuses_a_link(engine, tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    reference = (hostile.CASES / "reference" / "Dockerfile").read_text()
    for name in (b"with space", b"caf\xe9", b"mallory..%2f..%2fetc"):
        folder = os.path.join(bytes(submissions), name)
        os.mkdir(folder)
        with open(os.path.join(folder, b"Dockerfile"), "w") as handle:
            handle.write(reference)
    # A link to the lab itself: grading it would grade the course's own files as a learner's.
    (submissions / "linked-outside").symlink_to(hostile.LAB)
    prefix = tmp_path / "out" / "book"
    prefix.parent.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "stagelab.cli", "gradebook", str(submissions), "--lab", str(hostile.LAB), "--out", str(prefix)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 2, done.stdout + done.stderr  # 2: one submission (the link) could not be graded
    assert sorted(p.name for p in prefix.parent.iterdir()) == ["book.csv", "book.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "submissions"]  # nothing written anywhere else
    rows = {row["learner"]: row for row in csv.DictReader(prefix.with_suffix(".csv").open(encoding="utf-8"))}
    assert set(rows) == {"with space", "caf\N{REPLACEMENT CHARACTER}", "mallory..%2f..%2fetc", "linked-outside"}
    for learner in ("with space", "caf\N{REPLACEMENT CHARACTER}", "mallory..%2f..%2fetc"):
        assert rows[learner]["status"] == "passed", rows[learner]
    assert rows["linked-outside"]["status"] == "could not grade"
    assert "links are not followed" in rows["linked-outside"]["note"]
    page = prefix.with_suffix(".html").read_text(encoding="utf-8")
    assert "with space" in page and "caf\N{REPLACEMENT CHARACTER}" in page
