"""An authorization plugin for the learner's engine: refuse what would reach past its container.

The learner owns this engine and may build, run, tag and remove anything in it. What it
refuses is what would let a container started here touch the engine container itself (and,
since that container is privileged, the host): privileged containers and exec sessions, bind
mounts of engine-container paths, devices, capabilities beyond Docker's default set, the
engine's own PID/IPC/user namespaces, unconfined seccomp/AppArmor, plugins and swarm.

Protocol: https://docs.docker.com/engine/extend/plugins_authorization/ (dockerd POSTs
AuthZReq / AuthZRes as JSON over this unix socket). Standard library only.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socketserver
import sys
from http.server import BaseHTTPRequestHandler

# Docker's default capability set: adding one of these back is harmless.
DEFAULT_CAPS = {
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
}
# SYS_PTRACE inside the learner's own containers (the debugging chapter's sidecar) stays in them.
ALLOWED_EXTRA_CAPS = {"SYS_PTRACE"}
VERSION_PREFIX = re.compile(r"^/v[0-9.]+")


def _caps(names: list[str] | None) -> set[str]:
    return {name.upper().removeprefix("CAP_") for name in names or []}


def host_config_problem(host: dict) -> str | None:
    """Why a container's HostConfig is refused, or None."""
    if host.get("Privileged"):
        return "privileged containers are not available in the workshop engine"
    extra = _caps(host.get("CapAdd")) - DEFAULT_CAPS - ALLOWED_EXTRA_CAPS
    if extra or "ALL" in _caps(host.get("CapAdd")):
        return f"adding capabilities {sorted(extra) or ['ALL']} is not available in the workshop engine"
    if host.get("Devices") or host.get("DeviceRequests") or host.get("DeviceCgroupRules"):
        return "devices are not available in the workshop engine"
    for bind in host.get("Binds") or []:
        source = bind.split(":", 1)[0]
        if source.startswith("/") or source.startswith("."):
            return f"bind mounts ({source}) are not available in the workshop engine; use a named volume or COPY"
    for mount in host.get("Mounts") or []:
        if mount.get("Type", "volume") not in ("volume", "tmpfs"):
            return f"{mount.get('Type')} mounts are not available in the workshop engine; use a named volume"
        if (mount.get("VolumeOptions") or {}).get("DriverConfig"):
            return "volume driver options are not available in the workshop engine"
    for key in ("PidMode", "IpcMode", "UsernsMode", "UTSMode", "CgroupnsMode"):
        if host.get(key) == "host":
            return f"{key}=host is not available in the workshop engine"
    for option in host.get("SecurityOpt") or []:
        if "unconfined" in option or option.startswith(("seccomp", "apparmor", "systempaths")):
            return f"security option {option!r} is not available in the workshop engine"
    return None


def request_problem(method: str, uri: str, body: dict | None) -> str | None:
    """Why an engine API request is refused, or None to allow it."""
    path = VERSION_PREFIX.sub("", uri.split("?", 1)[0])
    if method == "GET" or method == "HEAD":
        return None
    if path.startswith(("/plugins", "/swarm", "/services", "/nodes", "/secrets", "/configs")):
        return "plugins and swarm are not available in the workshop engine"
    if path == "/containers/create":
        if body is None:
            return "container settings could not be checked"
        return host_config_problem(body.get("HostConfig") or {})
    if path.endswith("/exec") and path.startswith("/containers/"):
        if body is None:
            return "exec settings could not be checked"
        if body.get("Privileged"):
            return "privileged exec is not available in the workshop engine"
    if path == "/volumes/create" and body is not None and body.get("DriverOpts"):
        return "volume driver options are not available in the workshop engine"
    if path.startswith("/containers/") and path.endswith("/update") and body is not None:
        if body.get("Devices") or body.get("DeviceCgroupRules"):
            return "devices are not available in the workshop engine"
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # dockerd logs refusals itself
        pass

    def _reply(self, data: dict) -> None:
        payload = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1.2+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            message = json.loads(raw or b"{}")
        except ValueError:
            message = {}
        if self.path == "/Plugin.Activate":
            return self._reply({"Implements": ["authz"]})
        if self.path == "/AuthZPlugin.AuthZRes":
            return self._reply({"Allow": True})
        if self.path == "/AuthZPlugin.AuthZReq":
            body = None
            if message.get("RequestBody"):
                try:
                    body = json.loads(base64.b64decode(message["RequestBody"]))
                except ValueError:
                    body = None
            method, uri = message.get("RequestMethod", ""), message.get("RequestUri") or message.get("RequestURI", "")
            problem = request_problem(method, uri, body)
            if os.environ.get("STAGELAB_AUTHZ_DEBUG"):
                print(
                    method,
                    uri,
                    "body" if body is not None else "no body",
                    problem or "allowed",
                    file=sys.stderr,
                    flush=True,
                )
            if problem:
                print(f"refused {method} {uri}: {problem}", file=sys.stderr, flush=True)
                return self._reply({"Allow": False, "Msg": problem})
            return self._reply({"Allow": True})
        self.send_error(404)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):  # BaseHTTPRequestHandler wants a (host, port) client address
        request, _ = super().get_request()
        return request, ("local", 0)


def main(socket_path: str) -> None:
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    with _Server(socket_path, _Handler) as server:
        os.chmod(socket_path, 0o600)
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
