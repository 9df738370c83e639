"""py-greeter: a tiny HTTP service on Python's standard library (no dependencies).

GET /hello?nonce=X answers {"app": "py-greeter", "greeting": "hello", "nonce": "X"}.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

APP_NAME = "py-greeter"


class Greeter(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        url = urlparse(self.path)
        if url.path != "/hello":
            self.send_error(404)
            return
        answer = {"app": APP_NAME, "greeting": "hello", "python": sys.version.split()[0]}
        nonce = parse_qs(url.query).get("nonce")
        if nonce:
            answer["nonce"] = nonce[0]
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        print(f"{self.address_string()} {format % args}", flush=True)


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Greeter)
    # As PID 1 in a container Python gets no default SIGTERM action: shut down on it.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"{APP_NAME} listening on port {port}", flush=True)
    server.serve_forever()
    print("stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
