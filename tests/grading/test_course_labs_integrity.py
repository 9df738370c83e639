"""The course labs cannot be passed by an image that only pretends to be the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagelab.grading import grader
from stagelab.grading.spec import load_spec

REPO = Path(__file__).resolve().parents[2]
LABS = sorted(path.parent for path in (REPO / "labs").glob("*/lab.yaml"))
HTTP_LABS = [lab for lab in LABS if load_spec(lab).run is not None and load_spec(lab).run.http is not None]

#: Answers every request with what the real app said before the labs asked for a nonce.
CANNED = """\
"use strict";
const answer = '{"app":"stagelab-node-app","version":"1.0.0","nonce":"0123456789ab","visits":1}';
require("node:http")
  .createServer((req, res) => res.setHeader("content-type", "application/json").end(answer))
  .listen(3000);
process.on("SIGTERM", () => process.exit(0));
"""
CANNED_DOCKERFILE = """\
FROM gcr.io/distroless/nodejs24-debian13:nonroot
COPY canned.js /canned.js
EXPOSE 3000
CMD ["/canned.js"]
"""


@pytest.mark.parametrize("lab", HTTP_LABS, ids=[lab.name for lab in HTTP_LABS])
def test_every_http_lab_asks_for_a_fresh_nonce_and_expects_it_back(lab):
    http = load_spec(lab).run.http
    assert "{nonce}" in http.path
    assert "{nonce}" in (http.body_contains or "") + (http.body_regex or "")


@pytest.mark.parametrize("lab", HTTP_LABS, ids=[lab.name for lab in HTTP_LABS])
def test_every_http_lab_names_the_app_in_the_expected_answer(lab):
    http = load_spec(lab).run.http
    assert '"app":' in (http.body_contains or "") + (http.body_regex or "")


@pytest.mark.engine
def test_canned_responder_on_the_labs_runtime_base_fails_runtime_responds(tmp_path, engine, leak_check):
    lab = REPO / "labs" / "04-node-distroless"
    submission = tmp_path / "canned"
    (submission / "app").mkdir(parents=True)
    (submission / "app" / "canned.js").write_text(CANNED)
    (submission / "Dockerfile").write_text(CANNED_DOCKERFILE)

    report = grader.grade(lab, submission_dir=submission)

    assert report.could_not_grade is None, report.could_not_grade
    responds = report.result("runtime.responds")
    # It did answer (with the app's old fixed text); the program that answered gives it away.
    assert responds.evidence.http_status == 200
    assert "/canned.js is not the lab's server.js" in responds.message
    assert responds.status == "failed"
    assert report.result("image.files-present").status == "failed"
