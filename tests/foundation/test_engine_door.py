"""The engine has one door: code outside stagelab.engine imports only the package's exports, and
only stagelab.engine.containers makes containers."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "stagelab"


def _imported_modules(path: Path) -> list[str]:
    """Every module a file imports, relative imports resolved to ``stagelab.…`` names."""
    package = ["stagelab", *path.relative_to(SRC).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.append(module)
            found += [f"{module}.{alias.name}" for alias in node.names if module == "stagelab.engine"]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def _outside_the_engine() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "engine" not in p.relative_to(SRC).parts[:1]]


def test_nothing_outside_the_engine_imports_its_modules():
    from stagelab import engine

    exported = {f"stagelab.engine.{name}" for name in engine.__all__}
    reaching_in = [
        f"{path.relative_to(SRC)}: {module}"
        for path in _outside_the_engine()
        for module in _imported_modules(path)
        if module.startswith("stagelab.engine.") and module not in exported
    ]
    assert reaching_in == []


def test_nothing_outside_the_engine_imports_docker():
    importing = [
        str(path.relative_to(SRC))
        for path in _outside_the_engine()
        if any(m == "docker" or m.startswith("docker.") for m in _imported_modules(path))
    ]
    assert importing == []


def _creates_a_container(node: ast.AST) -> bool:
    """``….containers.create(…)``, ``….containers.run(…)`` or the low-level ``create_container(…)``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    owner = node.func.value
    on_containers = isinstance(owner, ast.Attribute) and owner.attr == "containers"
    return (on_containers and node.func.attr in ("create", "run")) or node.func.attr == "create_container"


def test_containers_are_created_in_one_place():
    creating = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(_creates_a_container(node) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
    )
    assert creating == ["engine/containers.py"]


def test_the_analysis_package_never_imports_the_engine_or_docker():
    for path in (SRC / "analysis").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        runtime_imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        modules = [getattr(node, "module", None) or "" for node in runtime_imports]
        assert not [m for m in modules if m.startswith(("docker", "..engine", "stagelab.engine")) or m == "engine"], (
            path
        )
