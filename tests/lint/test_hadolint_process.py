"""The hadolint process: a run that hangs is stopped after the time limit, with a message."""

from __future__ import annotations

import json
import os

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


def _texts_with_their_own_findings() -> list[str]:
    return [
        "FROM node:24\nRUN cd /app\n",  # DL3003: use WORKDIR
        "FROM debian:12\nRUN apt-get install curl\n",  # DL3014 (-y), DL3015 (--no-install-recommends)
        "FROM alpine:3.20\nRUN apk add curl\n",  # DL3019: --no-cache
    ]


def test_a_batch_gives_each_file_its_own_findings():
    texts = _texts_with_their_own_findings()
    batch = hadolint_process.Batch(texts)
    codes = [{f["code"] for f in json.loads(batch.output(index)[0])} for index in range(len(texts))]
    assert "DL3003" in codes[0] and not codes[0] & {"DL3014", "DL3019"}
    assert "DL3014" in codes[1] and not codes[1] & {"DL3003", "DL3019"}
    assert "DL3019" in codes[2] and not codes[2] & {"DL3003", "DL3014"}
    for index, text in enumerate(texts):  # the same answer as a run of its own
        assert json.loads(batch.output(index)[0]) == json.loads(hadolint_process.Run(text).output()[0])


def test_a_batch_removes_its_temporary_folder_once_read():
    batch = hadolint_process.Batch(_texts_with_their_own_findings())
    assert os.path.isdir(batch.folder)
    batch.output(0)
    assert not os.path.exists(batch.folder)


def test_a_file_hadolint_cannot_parse_costs_the_others_nothing():
    texts = ["FROM node:24\nRUN cd /app\n", "FROM alpine:3.20\nFROM\n", "FROM alpine:3.20\nRUN apk add curl\n"]
    batch = hadolint_process.Batch(texts)
    codes = [{f["code"] for f in json.loads(batch.output(index)[0])} for index in range(len(texts))]
    assert codes[1] == {"DL1000"} and "DL3003" in codes[0] and "DL3019" in codes[2]


def test_a_batch_whose_answer_cannot_be_read_lints_each_file_alone(monkeypatch, tmp_path):
    real = hadolint_process.binary()
    unreadable_for_many = tmp_path / "hadolint"
    # Given files by name (a batch) it answers nonsense; reading stdin (one file) it is the real hadolint.
    unreadable_for_many.write_text(
        f'#!/bin/sh\nfor a in "$@"; do [ "$a" = - ] && exec {real} "$@"; done\necho "not json"\n'
    )
    unreadable_for_many.chmod(0o755)
    monkeypatch.setattr(hadolint_process, "binary", lambda: str(unreadable_for_many))
    texts = _texts_with_their_own_findings()
    batch = hadolint_process.Batch(texts)
    codes = [{f["code"] for f in json.loads(batch.output(index)[0])} for index in range(len(texts))]
    assert "DL3003" in codes[0] and "DL3014" in codes[1] and "DL3019" in codes[2]
    assert not os.path.exists(batch.folder)


def test_prestart_shares_one_process_among_many_texts_and_one_run_for_one():
    texts = [t.replace("FROM", "FROM --platform=linux/amd64") for t in _texts_with_their_own_findings()]
    hadolint_process.prestart(*texts)
    shares = [hadolint_process.take(hadolint_process.fed_text(text)) for text in texts]
    assert {id(share.batch) for share in shares} == {id(shares[0].batch)}
    for share in shares:
        share.output()
    single = "FROM node:24\nRUN cd /srv\n"
    hadolint_process.prestart(single)
    assert isinstance(hadolint_process.take(hadolint_process.fed_text(single)), hadolint_process.Run)
