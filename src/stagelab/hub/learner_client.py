"""A learner's browser, reduced to HTTP: sign in through the hub's login form, then use the REST API.

Used by the test suite and ``bench/bench_hub.py`` to sign learners in exactly as a browser does
(the hub's own login page and session cookie), start their server and wait until it answers.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from ..errors import StagelabError


class LearnerSession:
    """One learner signed in to the hub (cookies and the hub's XSRF token)."""

    def __init__(self, hub_url: str, name: str):
        self.hub_url = hub_url.rstrip("/")
        self.name = name
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _xsrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "_xsrf"), "")

    def login(self, token: str) -> bool:
        """Sign in through /hub/login; True when the hub accepted the name and token."""
        page = self.opener.open(f"{self.hub_url}/hub/login", timeout=30).read().decode()
        found = re.search(r'name="_xsrf" value="([^"]+)"', page)
        form = {"username": self.name, "password": token, "_xsrf": found.group(1) if found else self._xsrf()}
        # next=/hub/home: without it the hub redirects to /hub/spawn, which starts the server at sign-in.
        request = urllib.request.Request(
            f"{self.hub_url}/hub/login?next=%2Fhub%2Fhome", data=urllib.parse.urlencode(form).encode()
        )
        try:
            self.opener.open(request, timeout=30).read()
        except urllib.error.HTTPError as error:
            if error.code in (403, 401):
                return False
            raise
        return any(c.name.startswith("jupyterhub-hub-login") for c in self.cookies)

    def api(self, method: str, path: str, body: dict | None = None, timeout_s: float = 60.0):
        """Call /hub/api as this learner (session cookie + XSRF header); returns (status, JSON or None)."""
        request = urllib.request.Request(
            f"{self.hub_url}/hub/api{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"X-XSRFToken": self._xsrf(), "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with self.opener.open(request, timeout=timeout_s) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text.strip() else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, {"message": text[:300]}

    def start_server(self, timeout_s: float = 300.0) -> float:
        """Ask for this learner's server and wait until it is ready; returns the seconds it took."""
        started = time.perf_counter()
        status, body = self.api("POST", f"/users/{self.name}/server")
        if status not in (201, 202, 400):  # 400: already running
            raise StagelabError(f"The hub refused to start {self.name}'s server: {status} {body}")
        while time.perf_counter() - started < timeout_s:
            status, model = self.api("GET", "/user")
            server = ((model or {}).get("servers") or {}).get("")
            if server and server.get("ready"):
                return time.perf_counter() - started
            if server is None and status == 200 and not (model or {}).get("pending"):
                raise StagelabError(f"{self.name}'s server stopped while starting (see the hub log).")
            time.sleep(0.25)
        raise StagelabError(f"{self.name}'s server was not ready within {timeout_s:.0f} s.")

    def stop_server(self) -> None:
        self.api("DELETE", f"/users/{self.name}/server")
