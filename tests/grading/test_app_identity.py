"""What the lab's app is, derived from the lab's own files (the engine side is tested with the held-out labs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagelab.grading import app_identity
from stagelab.grading.spec import load_spec
from stagelab.labs import app_source

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("lab", "language", "entry"),
    [
        ("05-python-distroless", "python", "app.py"),
        ("04-node-distroless", "node", "server.js"),
        ("06-fix-the-seed", "node", "index.js"),
        ("01-first-image", "node", "server.js"),
    ],
)
def test_the_entry_script_is_derived_from_the_labs_files(lab, language, entry):
    spec = load_spec(REPO / "labs" / lab)
    app = app_source(spec, REPO / "labs" / lab)
    found = app_identity.lab_entry(spec, app, language)
    assert found.path == entry
    assert found.script == (app / entry).read_bytes()


@pytest.mark.parametrize("lab", ["03-go-static", "08-make-it-small"])
def test_a_go_labs_app_is_its_module_and_main_functions(lab):
    spec = load_spec(REPO / "labs" / lab)
    found = app_identity.lab_entry(spec, app_source(spec, REPO / "labs" / lab), "go")
    assert found.module == "example.com/stagelab-go-app"
    assert {"main.main", "main.newHandler"} <= set(found.functions)


def test_a_lab_of_another_language_is_not_app_checked():
    lab = REPO / "tests" / "grading" / "newlab" / "09-static-site"
    assert app_identity.lab_entry(load_spec(lab), lab / "app", "other") is None


@pytest.mark.parametrize(
    ("arguments", "script"),
    [
        (("app.py",), "app.py"),
        (("-u", "/app/app.py", "--port", "1"), "/app/app.py"),
        (("-X", "dev", "app.py"), "app.py"),
        (("-c", "import http.server"), None),
        (("-m", "http.server", "8000"), "http/server"),
    ],
)
def test_the_script_a_python_command_line_runs(arguments, script):
    assert app_identity._python_script(arguments) == script


def test_a_file_without_go_build_information_is_not_a_go_program():
    assert app_identity.go_build_info(b"\x7fELF" + b"\0" * 4096) is None
