"""The lab spec (``labs/NN-name/lab.yaml``): load it and validate it with clear errors.

Every problem names the file, the key and what is wrong, e.g.
``labs/03-x/lab.yaml: checks[2].id: unknown check 'image.tiny' (did you mean 'image.size-budget'?)``.
Checks and budgets come only from here, never from a learner's files.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..engine import CEILINGS, BuildLimits
from ..errors import LabSpecError
from .checks.base import CheckSpec  # one entry of ``checks:``, defined beside the checks (lint needs no spec)

SPEC_FILE = "lab.yaml"

_TOP_KEYS = {"id", "title", "chapter", "language", "app", "build", "run", "checks", "description"}
_BUILD_KEYS = {"context", "dockerfile", "target", "build_args", "network", "limits"}
#: build.limits keys: (type, what, smallest value a build can work with).
_LIMIT_KEYS = {
    "processes": ((int,), "a whole number of processes", 16),
    "memory_mb": ((int,), "a whole number of MiB", 32),
    "cpus": ((int, float), "a number of CPUs", 0.1),
    "time_s": ((int, float), "a number of seconds", 1),
    "log_mb": ((int, float), "a number of MB", 0.01),
    "file_mb": ((int,), "a whole number of MiB", 1),
    "context_mb": ((int,), "a whole number of MiB", 1),
    "disk_mb": ((int,), "a whole number of MiB", 16),
}
_RUN_KEYS = {"port", "http", "command", "output_contains", "output_regex", "exit_code", "timeout_s", "memory_mb", "app"}
_APP_KEYS = {"entry", "verify"}
#: The languages a lab may declare (hints and the app's identity depend on it).
LANGUAGES = ("python", "node", "go", "other")
_HTTP_KEYS = {"path", "status", "body_contains", "body_regex"}
_CHECK_KEYS = {"id", "points", "with"}


@dataclass(frozen=True)
class BuildSpec:
    """How to build: context folder and Dockerfile (relative to the lab or submission), network and budget."""

    context: str = "app"
    dockerfile: str = "Dockerfile"
    target: str | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    #: Whether RUN steps may reach the network (package mirrors); False builds with --network=none.
    network: bool = True
    #: The budget of every build of this lab (lowered to the room's maxima at build time).
    limits: BuildLimits = field(default_factory=BuildLimits)


@dataclass(frozen=True)
class HttpExpectation:
    """What the app must answer on ``path``. ``{nonce}`` is replaced by a fresh random token."""

    path: str = "/"
    status: int = 200
    body_contains: str | None = None
    body_regex: str | None = None


@dataclass(frozen=True)
class AppSpec:
    """Which program must serve the probe: the lab's app, started from its entry.

    ``entry`` is relative to the build context: the script (Python, Node) the serving
    process runs, compared by content with the lab's copy; for Go, the folder of the
    main package (its module path and functions must be in the running binary).
    None means "derive it from the lab" (see :mod:`stagelab.grading.app_identity`).
    """

    entry: str | None = None
    verify: bool = True


@dataclass(frozen=True)
class RunSpec:
    """How the built image must behave when run."""

    port: int | None = None
    http: HttpExpectation | None = None
    command: tuple[str, ...] | None = None
    output_contains: str | None = None
    output_regex: str | None = None
    exit_code: int | None = 0
    timeout_s: float = 20
    memory_mb: int = 256
    app: AppSpec = field(default_factory=AppSpec)

    @property
    def is_http(self) -> bool:
        return self.port is not None


@dataclass(frozen=True)
class LabSpec:
    """A validated lab spec."""

    id: str
    title: str
    chapter: str | None
    build: BuildSpec
    run: RunSpec | None
    checks: tuple[CheckSpec, ...]
    path: Path | None = None
    #: Declared in lab.yaml (python, node, go, other), or None: detected from the lab's files.
    language: str | None = None
    #: The example app the lab builds (a folder under the course's ``examples/``), or None when
    #: the lab folder's build context holds its own app (see :mod:`stagelab.labs`).
    app: str | None = None

    @property
    def lab_dir(self) -> Path | None:
        return self.path.parent if self.path else None

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)


class _Problems:
    def __init__(self, where: str):
        self.where = where
        self.items: list[str] = []

    def add(self, key: str, problem: str) -> None:
        self.items.append(f"{self.where}: {key}: {problem}" if key else f"{self.where}: {problem}")

    def raise_if_any(self) -> None:
        if self.items:
            if len(self.items) == 1:
                raise LabSpecError(self.items[0])
            raise LabSpecError(
                f"{len(self.items)} problems in the lab spec:\n" + "\n".join(f"  - {i}" for i in self.items)
            )


def _type_name(value: Any) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _suggest(word: str, choices: list[str] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown_keys(problems: _Problems, mapping: dict, allowed: set[str], prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            problems.add(
                f"{prefix}{key}", f"unknown key{_suggest(str(key), allowed)}; allowed: {', '.join(sorted(allowed))}"
            )


def _expect(problems: _Problems, key: str, value: Any, types: tuple[type, ...], what: str) -> bool:
    if isinstance(value, bool) and bool not in types:
        problems.add(key, f"must be {what}, not {_type_name(value)} ({value!r})")
        return False
    if not isinstance(value, types):
        problems.add(key, f"must be {what}, not {_type_name(value)} ({value!r})")
        return False
    return True


def parse_spec(data: Any, where: str = SPEC_FILE, folder_name: str | None = None) -> LabSpec:
    """Validate already-loaded YAML data; raises :class:`LabSpecError` listing every problem."""
    # Import here: registering the checks imports this module's neighbours.
    from . import catalogue, hints

    known = catalogue.registry()
    problems = _Problems(where)
    if not isinstance(data, dict):
        problems.add("", f"the file must be a mapping of keys (id, title, build, checks…), not {_type_name(data)}")
        problems.raise_if_any()
    _unknown_keys(problems, data, _TOP_KEYS, "")
    for key in ("id", "title", "checks"):
        if key not in data:
            problems.add(key, "missing (required)")

    lab_id = data.get("id")
    if "id" in data and _expect(problems, "id", lab_id, (str,), "text"):
        if folder_name and lab_id != folder_name:
            problems.add("id", f"'{lab_id}' must equal the lab's folder name '{folder_name}'")
    title = data.get("title")
    if "title" in data:
        _expect(problems, "title", title, (str,), "text")
    chapter = data.get("chapter")
    if chapter is not None:
        _expect(problems, "chapter", chapter, (str,), "text (notebooks/NN-name.ipynb#anchor)")

    language = data.get("language")
    if language is not None and _expect(problems, "language", language, (str,), f"one of {', '.join(LANGUAGES)}"):
        if language not in LANGUAGES:
            problems.add(
                "language",
                f"unknown language '{language}'{_suggest(language, set(LANGUAGES))}; allowed: {', '.join(LANGUAGES)}",
            )
            language = None
    elif language is not None:
        language = None

    app = data.get("app")
    if app is not None and _expect(problems, "app", app, (str,), "a folder under examples/, e.g. node-app"):
        if Path(app).is_absolute() or ".." in Path(app).parts:
            problems.add("app", f"'{app}' must be a folder under the course's examples/ (relative, no '..')")
            app = None
    elif app is not None:
        app = None

    build = _parse_build(problems, data.get("build", {}))
    run = _parse_run(problems, data.get("run")) if data.get("run") is not None else None

    checks: list[CheckSpec] = []
    raw_checks = data.get("checks")
    if "checks" in data and _expect(problems, "checks", raw_checks, (list,), "a list of checks"):
        if not raw_checks:
            problems.add("checks", "the list is empty: a lab needs at least one check")
        for index, entry in enumerate(raw_checks):
            key = f"checks[{index}]"
            if isinstance(entry, str):
                entry = {"id": entry}
            if not _expect(problems, key, entry, (dict,), "a mapping with id, points and optional with"):
                continue
            _unknown_keys(problems, entry, _CHECK_KEYS, f"{key}.")
            check_id = entry.get("id")
            if check_id is None:
                problems.add(f"{key}.id", "missing (required): which check from the catalogue")
                continue
            if not _expect(problems, f"{key}.id", check_id, (str,), "text"):
                continue
            if check_id not in known:
                problems.add(f"{key}.id", f"unknown check '{check_id}'{_suggest(check_id, set(known))}")
                continue
            definition = known[check_id]
            points = entry.get("points", 1)
            if not _expect(problems, f"{key}.points", points, (int, float), "a number") or points < 0:
                if isinstance(points, (int, float)) and not isinstance(points, bool):
                    problems.add(f"{key}.points", f"must be 0 or more, not {points}")
                points = 0
            params = definition.defaults()
            given = entry.get("with") or {}
            if _expect(problems, f"{key}.with", given, (dict,), "a mapping of parameters"):
                for name, value in given.items():
                    param = definition.param(str(name))
                    if param is None:
                        names = [p.name for p in definition.params]
                        allowed = (
                            f"; {check_id} takes: {', '.join(names)}" if names else f"; {check_id} takes no parameters"
                        )
                        problems.add(f"{key}.with.{name}", f"unknown parameter{_suggest(str(name), names)}{allowed}")
                        continue
                    if value is not None and not _matches(value, param.types):
                        wanted = " or ".join(_type_word(t) for t in param.types)
                        problems.add(f"{key}.with.{name}", f"must be {wanted}, not {_type_name(value)} ({value!r})")
                        continue
                    params[str(name)] = value
            checks.append(CheckSpec(check_id, float(points), params))
            for unmet in definition.unmet(lambda name: _run_value(run, name)):
                problems.add(f"{key}.id", unmet)
            fits = hints.ONLY_FOR.get(check_id)
            if language and fits and language not in fits:
                problems.add(
                    f"{key}.id", f"{check_id} is for {' and '.join(fits)} labs; this lab's language is {language}"
                )
    problems.raise_if_any()
    return LabSpec(
        id=lab_id,
        title=title,
        chapter=chapter,
        build=build,
        run=run,
        checks=tuple(checks),
        language=language,
        app=app,
    )


def _type_word(t: type) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
    }.get(t, t.__name__)


def _matches(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def _parse_build(problems: _Problems, raw: Any) -> BuildSpec:
    if not _expect(problems, "build", raw, (dict,), "a mapping (context, dockerfile, target, build_args)"):
        return BuildSpec()
    _unknown_keys(problems, raw, _BUILD_KEYS, "build.")
    values: dict[str, Any] = {}
    for key in ("context", "dockerfile"):
        if key in raw and _expect(problems, f"build.{key}", raw[key], (str,), "a path relative to the lab folder"):
            if Path(raw[key]).is_absolute() or ".." in Path(raw[key]).parts:
                problems.add(f"build.{key}", f"'{raw[key]}' must stay inside the lab folder (relative, no '..')")
            else:
                values[key] = raw[key]
    if raw.get("target") is not None and _expect(problems, "build.target", raw["target"], (str,), "a stage name"):
        values["target"] = raw["target"]
    args = raw.get("build_args") or {}
    if _expect(problems, "build.build_args", args, (dict,), "a mapping NAME: value"):
        values["build_args"] = {str(k): str(v) for k, v in args.items()}
    if "network" in raw and _expect(
        problems, "build.network", raw["network"], (bool,), "true (RUN may reach package mirrors) or false (no network)"
    ):
        values["network"] = raw["network"]
    if raw.get("limits") is not None:
        values["limits"] = _parse_limits(problems, raw["limits"])
    return BuildSpec(**values)


def _parse_limits(problems: _Problems, raw: Any) -> BuildLimits:
    if not _expect(problems, "build.limits", raw, (dict,), f"a mapping ({', '.join(_LIMIT_KEYS)})"):
        return BuildLimits()
    _unknown_keys(problems, raw, set(_LIMIT_KEYS), "build.limits.")
    values: dict[str, Any] = {}
    for key, (types, what, smallest) in _LIMIT_KEYS.items():
        if key not in raw or not _expect(problems, f"build.limits.{key}", raw[key], types, what):
            continue
        value, ceiling = raw[key], getattr(CEILINGS, key)
        if value < smallest:
            problems.add(f"build.limits.{key}", f"{value} is too small for any build (at least {smallest:g})")
        elif value > ceiling:
            problems.add(f"build.limits.{key}", f"{value} is more than any machine allows (at most {ceiling:g})")
        else:
            values[key] = value
    return BuildLimits(**values)


def _parse_run(problems: _Problems, raw: Any) -> RunSpec | None:
    if not _expect(problems, "run", raw, (dict,), "a mapping (port, http, command, …)"):
        return None
    _unknown_keys(problems, raw, _RUN_KEYS, "run.")
    values: dict[str, Any] = {}
    if "port" in raw and _expect(problems, "run.port", raw["port"], (int,), "a port number"):
        if not 1 <= raw["port"] <= 65535:
            problems.add("run.port", f"{raw['port']} is not a port number (1-65535)")
        values["port"] = raw["port"]
    http = raw.get("http")
    if http is not None and _expect(problems, "run.http", http, (dict,), "a mapping (path, status, body_contains)"):
        _unknown_keys(problems, http, _HTTP_KEYS, "run.http.")
        expectation: dict[str, Any] = {}
        for key, types, what in (
            ("path", (str,), "text starting with /"),
            ("status", (int,), "an HTTP status code"),
            ("body_contains", (str,), "text"),
            ("body_regex", (str,), "a regular expression"),
        ):
            if key in http and _expect(problems, f"run.http.{key}", http[key], types, what):
                expectation[key] = http[key]
        if "path" in expectation and not expectation["path"].startswith("/"):
            problems.add("run.http.path", f"'{expectation['path']}' must start with /")
        if "body_regex" in expectation:
            _regex(problems, "run.http.body_regex", expectation["body_regex"])
        values["http"] = HttpExpectation(**expectation)
        if "port" not in raw:
            problems.add("run.port", "missing: run.http needs the port the app listens on inside the container")
    if "command" in raw and raw["command"] is not None:
        command = raw["command"]
        if isinstance(command, str):
            problems.add("run.command", 'must be a list of arguments, e.g. ["--version"] (exec form, no shell)')
        elif _expect(problems, "run.command", command, (list,), "a list of arguments"):
            values["command"] = tuple(str(c) for c in command)
    for key, types, what in (
        ("output_contains", (str,), "text"),
        ("output_regex", (str,), "a regular expression"),
        ("timeout_s", (int, float), "a number of seconds"),
        ("memory_mb", (int,), "a whole number of MB"),
    ):
        if key in raw and _expect(problems, f"run.{key}", raw[key], types, what):
            values[key] = raw[key]
    if "exit_code" in raw:
        if raw["exit_code"] is None or _expect(problems, "run.exit_code", raw["exit_code"], (int,), "a whole number"):
            values["exit_code"] = raw["exit_code"]
    if "output_regex" in values:
        _regex(problems, "run.output_regex", values["output_regex"])
    app = raw.get("app")
    if app is not None and _expect(problems, "run.app", app, (dict,), "a mapping (entry, verify)"):
        _unknown_keys(problems, app, _APP_KEYS, "run.app.")
        entry = app.get("entry")
        if entry is not None and _expect(
            problems, "run.app.entry", entry, (str,), "a path relative to the build context"
        ):
            if Path(entry).is_absolute() or ".." in Path(entry).parts:
                problems.add(
                    "run.app.entry", f"'{entry}' must be relative to the build context (no leading /, no '..')"
                )
                entry = None
        elif entry is not None:
            entry = None
        verify = app.get("verify", True)
        if not _expect(problems, "run.app.verify", verify, (bool,), "true or false"):
            verify = True
        values["app"] = AppSpec(entry=entry, verify=verify)
    if values.get("timeout_s", 1) <= 0:
        problems.add("run.timeout_s", "must be more than 0")
    if values.get("memory_mb", 64) < 6:
        problems.add("run.memory_mb", "must be at least 6 (MB)")
    return RunSpec(**values)


def _regex(problems: _Problems, key: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as error:
        problems.add(key, f"not a valid regular expression ({error})")


def _run_value(run: RunSpec | None, key: str) -> object:
    """The value a check's requirement names (``run.port``…), None when the lab does not set it."""
    section, _, name = key.partition(".")
    if section != "run" or run is None:
        return None
    return getattr(run, name, None)


def load_spec(lab_dir: str | Path) -> LabSpec:
    """Load and validate ``lab_dir/lab.yaml`` (or a path to the yaml itself)."""
    path = Path(lab_dir)
    if path.is_dir():
        path = path / SPEC_FILE
    where = str(path)
    if not path.is_file():
        raise LabSpecError(f"{where}: not found. A lab folder holds lab.yaml, README.md and a Dockerfile.")

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise LabSpecError(f"{where}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise LabSpecError(f"{where}:{line}: not valid YAML ({problem})") from None
    spec = parse_spec(data, where=where, folder_name=path.parent.name)
    return dataclasses.replace(spec, path=path)
