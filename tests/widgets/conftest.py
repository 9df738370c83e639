"""Fixtures for the widget tests: a tiny busybox base image made with our own Build.

No registry is reachable, so the base comes from Debian's static busybox (the
``busybox-static`` package, fetched once with ``apt-get download`` and cached). The
image carries this test session's owner label and is removed with the rest.
"""

from __future__ import annotations

import os
import shutil

import pytest
from static_busybox import busybox_binary


@pytest.fixture(scope="session")
def widget_base_image(engine, tmp_path_factory) -> str:
    """A local image with busybox as /bin/sh, tagged for this session (removed at its end)."""
    from stagelab.engine import Build

    context = tmp_path_factory.mktemp("widget-base")
    shutil.copy2(busybox_binary(), context / "busybox")
    (context / "Dockerfile").write_text(
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
        "ENV PATH=/usr/local/bin:/usr/bin:/bin\n"
    )
    tag = f"stagelab-test/widget-base:{os.environ['STAGELAB_OWNER']}"
    Build(context, tag=tag, kind="test-fixture", use_slots=False).run()
    return tag
