"""The corpus of broken or wrong Dockerfiles: each fails the right static check, with a hint, fast."""

from __future__ import annotations

import time

import pytest
from gradinghelp import CORPUS, generate, run_one, static_corpus

ENTRIES = static_corpus()


def test_corpus_has_at_least_thirty_cases_with_the_engine_ones():
    import yaml

    engine = yaml.safe_load((CORPUS / "engine.yaml").read_text())
    assert len(ENTRIES) + len(engine) >= 30


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_corpus_dockerfile_fails_the_right_check_with_a_hint(name, tmp_path):
    entry = ENTRIES[name]
    path = generate(name, tmp_path) if entry.get("generated") else CORPUS / "static" / name
    started = time.perf_counter()
    result = run_one(path, entry["check"], entry.get("with"))
    elapsed = time.perf_counter() - started
    assert result.status == "failed", f"{name}: {result.status}: {result.message}"
    assert entry["contains"] in result.message, result.message
    assert result.hint, "a failed check must teach: no hint"
    assert elapsed < 2.0, f"static check took {elapsed:.2f} s"
