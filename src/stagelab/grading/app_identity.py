"""Is the program answering the probe the lab's app? Read from the running container, not from its answer.

The per-grading nonce proves that *something* echoes it; a seven-line responder does
that too. So while the app runs (right after it answered), the grader reads the
container's processes through the engine's top API and the files they run through
the archive API (:class:`stagelab.engine.processes.ContainerView`), and compares them
with the lab's app, as ``run.app`` in ``lab.yaml`` declares it or as derived here:

- **python**: an interpreter (``python3``, ``/venv/bin/python3``…) running a script whose
  bytes equal the lab's entry script (default: the one ``.py`` file at the top of the
  context with ``if __name__ == "__main__"``, else ``app.py``/``main.py``/``server.py``);
- **node**: ``node`` running a script equal to the lab's entry (default: package.json's
  ``main``, or the file its ``start`` script runs, else ``server.js``/``index.js``/``app.js``);
- **go**: a Go binary whose build information names the lab's module (from ``go.mod``)
  and holds every top-level function of the lab's main package (``main.newHandler``…).

Every other process in the container must be a wrapper (an init such as tini, or a
shell) — a responder running beside the real app fails too. The scripts are compared
with the *lab's* copy, so a submission that overlays the app's files gains nothing.
A lab of language ``other`` (or with ``run.app.verify: false``) is not checked.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Processes that may run beside the app: inits and shells (a shell as PID 1 is runtime.stops-cleanly's business).
WRAPPERS = frozenset({"tini", "docker-init", "dumb-init", "catatonit", "sh", "bash", "dash", "ash"})
_PYTHON = re.compile(r"^python[\d.]*$")
_NODE = re.compile(r"^(node|nodejs)$")
#: Python options that take no value, which may come before the script.
_PY_FLAGS = re.compile(r"^-[BdEhiIOqsSuvVxR]+$")


@dataclass(frozen=True)
class Entry:
    """What the lab's app is: its language, how it is started, and what to compare with."""

    language: str
    #: The entry file relative to the build context (python/node script; go: the main package folder).
    path: str
    #: python/node: the entry script's bytes, from the lab's own copy.
    script: bytes = b""
    #: go: the module path (go.mod) and the functions of the main package (``main.name``).
    module: str = ""
    functions: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.language == "go":
            return f"the Go program of module {self.module}" + (f" ({self.path})" if self.path not in ("", ".") else "")
        return self.path


@dataclass(frozen=True)
class Verdict:
    """What was found: whether the lab's app serves, and what runs instead or beside it."""

    checked: bool
    is_app: bool
    message: str = ""
    #: The processes seen, as command lines (PID 1 first).
    processes: tuple[str, ...] = ()
    pid1: str = ""
    details: dict = field(default_factory=dict)
    #: Set when the engine could not be asked (the machine failed, not the submission).
    error: str | None = None


NOT_CHECKED = Verdict(False, True)


# -- what the lab's app is --------------------------------------------------------------------


def lab_entry(spec, lab_context: Path | None, language: str) -> Entry | None:
    """The lab's app from ``run.app`` and the lab's files; None when it cannot be known (then nothing is checked)."""
    run = spec.run if spec is not None else None
    if run is None or not run.app.verify or language not in ("python", "node", "go"):
        return None
    if lab_context is None or not lab_context.is_dir():
        return None
    declared = run.app.entry
    if language == "go":
        return _go_entry(lab_context, declared or ".")
    path = declared or (_python_default(lab_context) if language == "python" else _node_default(lab_context))
    if path is None or not (lab_context / path).is_file():
        return None
    return Entry(language, path, script=(lab_context / path).read_bytes())


def _python_default(context: Path) -> str | None:
    scripts = sorted(p for p in context.glob("*.py") if not p.name.startswith("test"))
    mains = [
        p for p in scripts if re.search(r"""if\s+__name__\s*==\s*["']__main__["']""", p.read_text("utf-8", "replace"))
    ]
    if len(mains) == 1:
        return mains[0].name
    for name in ("app.py", "main.py", "server.py"):
        if (context / name).is_file():
            return name
    return scripts[0].name if len(scripts) == 1 else None


def _node_default(context: Path) -> str | None:
    try:
        manifest = json.loads((context / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    start = str((manifest.get("scripts") or {}).get("start", ""))
    match = re.search(r"\bnode\s+(?:--?\S+\s+)*(\S+\.[cm]?js)\b", start)
    for candidate in (match.group(1) if match else None, manifest.get("main"), "server.js", "index.js", "app.js"):
        if isinstance(candidate, str) and (context / candidate).is_file():
            return posixpath.normpath(candidate)
    return None


def _go_entry(context: Path, folder: str) -> Entry | None:
    go_mod = context / "go.mod"
    if not go_mod.is_file():
        return None
    match = re.search(r"^module\s+(\S+)", go_mod.read_text("utf-8", "replace"), re.M)
    if not match:
        return None
    module = match.group(1)
    package_dir = context / folder
    functions = set()
    for source in sorted(package_dir.glob("*.go")):
        if source.name.endswith("_test.go"):
            continue
        text = source.read_text("utf-8", "replace")
        if not re.search(r"^package\s+main\b", text, re.M):
            continue
        functions.update(re.findall(r"^func\s+([A-Za-z_]\w*)\s*\(", text, re.M))
    functions.discard("init")
    return Entry("go", folder, module=module, functions=tuple(sorted(f"main.{name}" for name in functions)))


# -- what runs in the container ---------------------------------------------------------------


def verify(view, entry: Entry | None) -> Verdict:
    """Compare what runs in the container (a :class:`~stagelab.engine.processes.ContainerView`) with the lab's app."""
    if entry is None:
        return NOT_CHECKED
    processes = view.processes()
    if processes:
        pids = {p.pid for p in processes}
        ordered = sorted(processes, key=lambda p: (p.parent_pid in pids, p.pid))
        argvs = [p.argv for p in ordered]
    else:
        # A program that already exited (a CLI app): what the engine started is all there is.
        argvs = [view.argv] if view.argv else []
    shown = tuple(_short(" ".join(argv)) for argv in argvs)
    pid1 = shown[0] if shown else ""
    app_found = False
    others: list[str] = []
    reasons: list[str] = []
    for argv in argvs:
        if not argv:
            continue
        is_app, reason = _is_app(view, argv, entry)
        if is_app:
            app_found = True
        elif Path(argv[0]).name not in WRAPPERS:
            others.append(_short(" ".join(argv)))
            if reason:
                reasons.append(reason)
    if app_found and not others:
        return Verdict(True, True, f"the lab's app ({entry.describe()}) serves", shown, pid1)
    if app_found:
        message = (
            f"another program runs beside the lab's app ({entry.describe()}): `{others[0]}` — it may be what answered"
        )
    elif others:
        why = f" ({reasons[0]})" if reasons else ""
        message = f"the program that answered is not the lab's app ({entry.describe()}): it runs `{others[0]}`{why}"
    else:
        message = f"no process of the lab's app ({entry.describe()}) runs in the container"
    return Verdict(True, False, message, shown, pid1)


def _short(command: str, limit: int = 72) -> str:
    return command if len(command) <= limit else command[: limit - 1] + "…"


def _is_app(view, argv: tuple[str, ...], entry: Entry) -> tuple[bool, str]:
    program = Path(argv[0]).name
    if entry.language == "python":
        if not _PYTHON.match(program):
            return False, ""
        script = _python_script(argv[1:])
        if script is None:
            return False, "code given on the command line, not a script"
        if "-m" in argv[1:] and not view.read_file(script + ".py", limit=1):
            return False, f"the module {script.replace('/', '.')}, not a script of the lab"
        return _same_script(view, script, entry, (".py", "/__main__.py"))
    if entry.language == "node":
        if not _NODE.match(program):
            return False, ""
        script = next((a for a in argv[1:] if not a.startswith("-")), None)
        if script is None:
            return False, "no script"
        return _same_script(view, script, entry, (".js", "/index.js"))
    return _is_go_app(view, argv[0], entry)


def _python_script(arguments: tuple[str, ...]) -> str | None:
    """The script a python3 command line runs (``-m name`` gives ``name``'s file); None for ``-c``."""
    for index, argument in enumerate(arguments):
        if argument == "-c":
            return None
        if argument == "-m":
            return arguments[index + 1].replace(".", "/") if index + 1 < len(arguments) else None
        if _PY_FLAGS.match(argument) or argument in ("-W", "-X") or (index and arguments[index - 1] in ("-W", "-X")):
            continue
        return argument
    return None


def _same_script(view, script: str, entry: Entry, suffixes: tuple[str, ...]) -> tuple[bool, str]:
    candidates = [script] + [script + suffix for suffix in suffixes if not script.endswith(suffix.lstrip("/"))]
    for candidate in candidates:
        found = view.read_file(candidate, limit=max(4 * len(entry.script), 1024 * 1024))
        if found is None:
            continue
        if hashlib.sha256(found.data).digest() == hashlib.sha256(entry.script).digest():
            return True, ""
        return False, f"{found.resolved} is not the lab's {entry.path}"
    return False, f"{script} is not a file in the image"


_BUILDINFO_MAGIC = b"\xff Go buildinf:"


def go_build_info(binary: bytes) -> dict[str, str] | None:
    """The main package path and module of a Go binary (what `go version -m` shows); None if not a Go binary."""
    at = binary.find(_BUILDINFO_MAGIC)
    if at < 0:
        return None
    flags = binary[at + 15] if len(binary) > at + 15 else 0
    if not flags & 0x2:
        # Before Go 1.18 the strings sat elsewhere (pointers); read the module lines by pattern instead.
        text = binary.decode("latin-1")
        path = re.search(r"\npath\t([^\n]+)\n", text)
        module = re.search(r"\nmod\t([^\t\n]+)", text)
        return {"path": path.group(1) if path else "", "module": module.group(1) if module else ""}
    position = at + 32
    strings = []
    for _ in range(2):
        length, shift = 0, 0
        while position < len(binary):
            byte = binary[position]
            position += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        strings.append(binary[position : position + length].decode("utf-8", "replace"))
        position += length
    modinfo = strings[1] if len(strings) > 1 else ""
    # The module text sits between two 16-byte sentinels: no anchors at the start of its first line.
    path = re.search(r"path\t([^\n]+)", modinfo)
    module = re.search(r"\nmod\t([^\t\n]+)", modinfo)
    return {"version": strings[0], "path": path.group(1) if path else "", "module": module.group(1) if module else ""}


def _is_go_app(view, program: str, entry: Entry) -> tuple[bool, str]:
    found = view.read_file(view.which(program))
    if found is None:
        return False, f"{program} cannot be read from the image"
    info = go_build_info(found.data)
    if info is None:
        return False, f"{found.resolved} is not a Go program"
    wanted_path = entry.module if entry.path in ("", ".") else f"{entry.module}/{entry.path.strip('./')}"
    if info.get("path") != wanted_path:
        return False, f"{found.resolved} is the Go program {info.get('path') or '(unnamed)'}, not {wanted_path}"
    missing = [name for name in entry.functions if name.encode() not in found.data]
    if missing:
        return False, f"{found.resolved} lacks the lab's functions {', '.join(missing[:3])}"
    return True, ""
