"""One piece of work at a time in a background thread, for a widget's button.

The kernel stays responsive while a build or a grading runs (ipywidgets ≥ 8.1.9 with
ipykernel ≥ 7.4 let a thread update widgets). A second click while the work runs
does nothing; :meth:`wait` lets notebooks and tests block until it is over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class BackgroundRunner:
    """Runs ``work`` in a daemon thread, never two at once."""

    def __init__(self, work: Callable[[], None], name: str):
        self._work = work
        self._name = name
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._finished.set()
        self._thread: threading.Thread | None = None
        #: How many times the work was started (clicks while it runs do not count).
        self.starts = 0

    def start(self, before: Callable[[], None] | None = None) -> bool:
        """Start the work unless it is running; ``before`` runs first, under the lock. False if busy."""
        with self._lock:
            if not self._finished.is_set():
                return False
            self._finished.clear()
            self.starts += 1
            if before is not None:
                before()
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
        return True

    def _run(self) -> None:
        try:
            self._work()
        finally:
            self._finished.set()

    def mark_finished(self) -> None:
        """Let :meth:`wait` return now (the work calls it once its result is shown)."""
        self._finished.set()

    @property
    def running(self) -> bool:
        return not self._finished.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the work is over; ``TimeoutError`` after ``timeout`` seconds."""
        if not self._finished.wait(timeout):
            raise TimeoutError(f"still running after {timeout} s")
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
