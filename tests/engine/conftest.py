"""Tiny test images for engine tests, made with the library itself and labelled for clean-up.

``busybox_image`` has a shell and the usual tools (busybox applets) — enough for RUN
steps, an HTTP server (``httpd``) and memory hogs. ``shell_less_image`` holds one
static binary and nothing else, like a distroless image: no ``/bin/sh``.
The busybox binary comes from Debian's ``busybox-static`` package (fetched once with
apt and kept in the user's cache), so these fixtures need no registry.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import static_busybox


@pytest.fixture(scope="module")
def own_build_slots(tmp_path_factory):
    """Build slots for one test module only: its timing checks must not wait behind other work on the machine."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STAGELAB_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        yield


@pytest.fixture(scope="session")
def busybox_binary() -> Path:
    """A statically linked busybox (see tests/static_busybox.py)."""
    return static_busybox.busybox_binary()


def _build_fixture(root: Path, busybox: Path, dockerfile: str, name: str) -> str:
    from stagelab.engine import Build

    (root / "Dockerfile").write_text(dockerfile)
    shutil.copy2(busybox, root / "busybox")
    # The session's owner label (set by the top conftest) marks the image for removal at the end.
    tag = f"stagelab-test/{name}:{os.environ['STAGELAB_OWNER']}"
    Build(root, tag=tag, kind="test-fixture", use_slots=False).run()
    return tag


@pytest.fixture(scope="session")
def busybox_image(engine, busybox_binary, tmp_path_factory) -> str:
    """An image with a shell: busybox and its applets on PATH."""
    return _build_fixture(
        tmp_path_factory.mktemp("busybox"),
        busybox_binary,
        "FROM scratch\n"
        "COPY busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
        "ENV PATH=/usr/local/bin:/usr/bin:/bin\n",
        "busybox",
    )


@pytest.fixture(scope="session")
def shell_less_image(engine, busybox_binary, tmp_path_factory) -> str:
    """One static binary as the entrypoint and nothing else: no shell, like distroless."""
    return _build_fixture(
        tmp_path_factory.mktemp("shell-less"),
        busybox_binary,
        "FROM scratch\n"
        "COPY busybox /busybox\n"
        # busybox picks its applet from argv[0] or, when named busybox, from its first argument.
        'ENTRYPOINT ["/busybox", "sleep", "3600"]\n',
        "shell-less",
    )
