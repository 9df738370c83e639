"""Hints fit the lab's language: every check × language, every evidence hint, the chapters they link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stagelab.errors import LabSpecError
from stagelab.grading import catalogue, hints
from stagelab.grading.spec import LANGUAGES, parse_spec

REPO = Path(__file__).resolve().parents[2]
PAIRS = [(c.id, language) for c in catalogue.all_checks() for language in hints.LANGUAGES]


def _applies(check_id: str, language: str) -> bool:
    return language in hints.ONLY_FOR.get(check_id, hints.LANGUAGES)


@pytest.mark.parametrize(("check_id", "language"), PAIRS)
def test_no_hint_of_a_check_mentions_another_language(check_id, language):
    if not _applies(check_id, language):
        pytest.raises(LabSpecError, parse_spec, {"id": "x", "title": "x", "language": language, "checks": [check_id]})
        return
    advice = hints.advice(catalogue.get(check_id), language)
    assert language in advice.languages, f"{check_id} has no advice for {language}"
    for text in advice.texts():
        assert not hints.foreign_words(text, language), (check_id, language, hints.foreign_words(text, language), text)
    for hint in hints.HINTS:
        if check_id in hint.checks and language in hint.languages:
            assert not hints.foreign_words(hint.text, language), (hint.id, language, hint.text)


def test_every_check_says_which_languages_its_own_texts_fit():
    assert set(hints.DEFAULT_FITS) == {c.id for c in catalogue.all_checks()}


def test_every_check_has_advice_for_every_language_it_applies_to():
    for definition in catalogue.all_checks():
        covered = set(hints.DEFAULT_FITS[definition.id])
        for advice in hints.ADVICE.get(definition.id, ()):
            assert not covered & set(advice.languages), (
                f"{definition.id}: two advices for {covered & set(advice.languages)}"
            )
            covered |= set(advice.languages)
        assert covered >= set(hints.ONLY_FOR.get(definition.id, hints.LANGUAGES)), definition.id


def test_the_vocabulary_catches_what_the_issue_saw():
    assert hints.foreign_words("build it with CGO_ENABLED=0", "python")
    assert hints.foreign_words('CMD ["server.js"]', "python")
    assert hints.foreign_words("Node exits on SIGTERM", "python")
    assert hints.foreign_words("install production dependencies only", "python")
    assert hints.foreign_words("notebooks/03-distroless.ipynb#the-node-app-on-distroless", "python")
    assert not hints.foreign_words("add a signal handler: signal.signal(signal.SIGTERM, stop)", "python")


def _anchors(notebook: Path) -> set[str]:
    anchors = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    title = line.lstrip("#").strip().lower()
                    anchors.add(re.sub(r"\s+", "-", re.sub(r"[^\w\s-]", "", title)).strip("-"))
    return anchors


def test_every_advice_links_a_chapter_section_that_exists():
    for definition in catalogue.all_checks():
        for advice in hints.variants(definition):
            notebook, _, anchor = advice.chapter.partition("#")
            assert (REPO / notebook).is_file(), (definition.id, advice.chapter)
            assert anchor in _anchors(REPO / notebook), (definition.id, advice.chapter)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_start_failure_hint_fits_the_language(language):
    evidence = [
        'exec: "/bin/sh": stat /bin/sh: no such file or directory',
        "/usr/bin/python3.13: can't open file '/home/nonroot/python3': [Errno 2] No such file or directory",
        "ModuleNotFoundError: No module named 'bottle'",
        "Error: Cannot find module '/app/node'",
        "exec /app: no such file or directory",
        'exec: "node": executable file not found in $PATH',
        "permission denied",
    ]
    for text in evidence:
        for check_id in ("runtime.responds", "runtime.output"):
            _, hint = hints.start_failure_hint(text, check_id, language)
            # What the learner wrote may be quoted (`node`, 'bottle'); the words around it must fit.
            ours = re.sub(r"`[^`]*`|'[^']*'", "", hint or "")
            assert hints.fits(ours, language), (text, language, hint)


def test_python_three_twice_on_distroless_python_says_so():
    _, hint = hints.start_failure_hint(
        "/usr/bin/python3.13: can't open file '/home/nonroot/python3': [Errno 2] No such file or directory",
        "runtime.responds",
        "python",
    )
    assert "entrypoint is already python3" in hint and 'CMD ["app.py"]' in hint


def test_a_dynamic_go_binary_gets_the_cgo_hint():
    _, hint = hints.start_failure_hint("exec /app: no such file or directory", "runtime.output", "go")
    assert "CGO_ENABLED=0" in hint
