"""stagelab-python-app: a small web app that the Stagelab course packs into images.

It runs on Python's own WSGI server (bottle's default), so the only dependency is
bottle itself: one pure-Python file, installed into a virtual environment.
"""

from __future__ import annotations

import os
import platform
import signal
import sys

import bottle

APP_NAME = "stagelab-python-app"
VERSION = "1.0.0"

app = bottle.Bottle()


@app.get("/")
def index() -> dict:
    """Name the app: only the real server knows these values."""
    answer = {
        "app": APP_NAME,
        "version": VERSION,
        "python": platform.python_version(),
        "executable": sys.executable,
        "bottle": bottle.__version__,
        "user": os.getuid(),
    }
    # GET /?nonce=X answers with "nonce": "X": a grader sends a fresh random token,
    # so only a server that really runs this code can answer it.
    if "nonce" in bottle.request.query:
        answer["nonce"] = bottle.request.query.getunicode("nonce")
    return answer


@app.get("/healthz")
def healthz() -> str:
    bottle.response.content_type = "text/plain"
    return "ok\n"


def _stop(signum: int, frame: object) -> None:
    # As PID 1 in a container the process gets no default SIGTERM action, and
    # Python installs none: without this, `docker stop` waits 10 s and kills.
    raise KeyboardInterrupt


def main() -> None:
    """Serve on 0.0.0.0:$PORT (default 8000) until SIGTERM or Ctrl-C."""
    signal.signal(signal.SIGTERM, _stop)
    port = int(os.environ.get("PORT", "8000"))
    print(f"{APP_NAME} {VERSION} listening on port {port}", flush=True)
    try:
        bottle.run(app, host="0.0.0.0", port=port, quiet=True)
    except KeyboardInterrupt:
        pass
    print("stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
