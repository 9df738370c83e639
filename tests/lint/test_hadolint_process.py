"""The hadolint process: a run that hangs is stopped after the time limit, with a message."""

from __future__ import annotations

import pytest

from stagelab.errors import StagelabError
from stagelab.grading import hadolint_process


def test_a_hadolint_that_hangs_is_killed_after_the_time_limit(monkeypatch, tmp_path):
    hanging = tmp_path / "hadolint"
    hanging.write_text("#!/bin/sh\nexec sleep 60\n")
    hanging.chmod(0o755)
    monkeypatch.setattr(hadolint_process, "binary", lambda: str(hanging))
    monkeypatch.setattr(hadolint_process, "TIMEOUT_S", 1)
    run = hadolint_process.Run("FROM scratch\n")
    with pytest.raises(StagelabError, match="did not finish within 1 s"):
        run.output()
    assert run.process.poll() is not None  # killed, not left running


def test_a_finished_run_gives_hadolints_findings():
    run = hadolint_process.Run("FROM node:24\nRUN cd /app\n")
    stdout, _ = run.output()
    assert "DL3003" in stdout  # "Use WORKDIR to switch to a directory"


def test_a_text_bigger_than_a_pipe_holds_is_written_whole():
    text = "FROM node:24\n" + "".join(f"ENV VAR_{n}=value\n" for n in range(300)) + "RUN cd /app\n"
    assert len(text.encode()) > hadolint_process._WRITE_AT_ONCE
    run = hadolint_process.Run(text)
    stdout, _ = run.output()
    assert '"line":302' in stdout.replace(" ", "") and "DL3003" in stdout  # read to the last line
