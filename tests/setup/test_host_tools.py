"""Every program the code runs on the host is installed by the set-up (scripts/host-packages.txt) or the venv.

A fresh machine has only what the project's own scripts install. This test reads the
code for the programs it runs (`subprocess` argument lists and `shutil.which` names)
and fails for any that neither the venv provides nor a set-up script installs, so a
tool that happens to be on the developer's machine cannot hide a missing install step.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from stagelab.preflight import host_tools

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / "scripts" / "host-packages.txt"
#: Part of every Debian/Ubuntu system (Essential or Priority: required), so never installed by us.
DEBIAN_BASE = {"apt-get", "dpkg-deb", "dpkg-query", "bash", "sh", "true", "kill", "env", "uname", "id"}
#: Provided by requirements.txt inside the venv (console scripts and wheel-shipped binaries).
VENV = Path(sys.executable).parent


def manifest() -> dict[str, tuple[str, str]]:
    """program -> (role, package), from the one list the install script reads (parsed by the preflight)."""
    return {program: (tool.role, tool.package) for tool in host_tools(PACKAGES) for program in tool.programs}


def _strings_by_name(tree: ast.AST) -> dict[str, str]:
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _first_program(node: ast.AST, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    return None


def programs_in(path: Path) -> set[str]:
    """Programs a Python file runs: first items of list literals in modules that use subprocess, and which() names."""
    text = path.read_text()
    tree = ast.parse(text)
    names = _strings_by_name(tree)
    found: set[str] = set()
    uses_subprocess = "subprocess" in text
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "which"
            and node.args
        ):
            program = _first_program(node.args[0], names)
            if program:
                found.add(program)
        if uses_subprocess and isinstance(node, ast.List) and node.elts:
            program = _first_program(node.elts[0], names)
            if program and _looks_like_a_program(program) and _is_a_command(node, tree):
                found.add(program)
    return found


def _looks_like_a_program(word: str) -> bool:
    return (
        bool(word)
        and " " not in word
        and not word.startswith(("-", "/", "."))
        and word.replace("-", "").replace("_", "").isalnum()
    )


def _is_a_command(node: ast.List, tree: ast.AST) -> bool:
    """The list is passed to subprocess.run/Popen/check_output, or assigned to a name that is."""
    for call in ast.walk(tree):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in {"run", "Popen", "check_output", "check_call"}
        ):
            if call.args and (
                call.args[0] is node or (isinstance(call.args[0], ast.BinOp) and node in ast.walk(call.args[0]))
            ):
                return True
    for assign in ast.walk(tree):
        if (
            isinstance(assign, ast.Assign)
            and assign.value is node
            and any(isinstance(t, ast.Name) and t.id in {"command", "cmd", "argv", "args"} for t in assign.targets)
        ):
            return True
    return False


def code_files() -> list[Path]:
    return sorted(p for folder in ("src", "tests", "bench") for p in (REPO / folder).rglob("*.py"))


def all_programs() -> dict[str, set[str]]:
    where: dict[str, set[str]] = {}
    for path in code_files():
        for program in programs_in(path):
            where.setdefault(program, set()).add(str(path.relative_to(REPO)))
    return where


def test_the_scan_finds_the_host_programs_we_know_the_code_runs():
    # If this fails the scan went blind, and the test below would pass for nothing.
    found = all_programs()
    for program in ("mmdebstrap", "docker", "hadolint", "apt-get"):
        assert program in found, sorted(found)


def test_every_program_the_code_runs_is_installed_by_the_setup_or_the_venv():
    listed = manifest()
    unaccounted = {
        program: sorted(files)
        for program, files in all_programs().items()
        if program not in listed
        and program not in DEBIAN_BASE
        and not (VENV / program).exists()
        and program not in {"python", "python3", sys.executable}
    }
    assert not unaccounted, (
        f"programs run by the code that no set-up script installs: {unaccounted}. "
        "Add each to scripts/host-packages.txt (with the Debian package that provides it)."
    )


def test_every_role_the_make_targets_install_is_known_to_the_script():
    makefile = (REPO / "Makefile").read_text()
    assert "host-tools.sh install setup" in makefile
    assert 'host-tools.sh" install --upgrade engine' in (REPO / "scripts" / "engine.sh").read_text()
    assert 'host-tools.sh" install browser' in (REPO / "scripts" / "browser.sh").read_text()


@pytest.mark.parametrize("role", ["setup", "engine", "browser"])
def test_this_host_has_every_program_of_each_role(role):
    # make test installed them; a program missing here means the install path is broken.
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "host-tools.sh"), "check", role], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_packages_list_names_a_program_for_each_tool_the_code_checks_for():
    listed = manifest()
    for program in ("mmdebstrap", "docker", "dockerd", "chromium"):
        assert program in listed


def test_nothing_binary_is_tracked_in_git():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    archives = [p for p in tracked if p.endswith((".whl", ".tar.gz", ".tgz", ".zip", ".deb", ".tar", ".so", ".exe"))]
    big = [p for p in tracked if (REPO / p).is_file() and (REPO / p).stat().st_size > 2 * 1024 * 1024]
    assert not archives, f"wheels/archives tracked in git: {archives}"
    assert not big, f"files over 2 MB tracked in git: {big}"
