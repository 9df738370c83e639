"""The one place containers are made: whatever happens in the block, the container is gone after it."""

from __future__ import annotations

import docker.errors
import pytest

from stagelab import labels
from stagelab.engine import Engine
from stagelab.engine.containers import container_name

pytestmark = pytest.mark.engine


def _exists(engine, name: str) -> bool:
    try:
        engine.containers.get(name)
    except docker.errors.NotFound:
        return False
    return True


def test_a_container_is_removed_when_its_block_ends(engine, busybox_image):
    run_id = labels.new_run_id("test")
    with Engine().containers.create(
        busybox_image, run_id=run_id, kind="test", command=["sleep", "30"], start=True
    ) as made:
        assert made.name == container_name(run_id) and _exists(engine, made.name)
    assert not _exists(engine, container_name(run_id))


def test_a_container_is_removed_when_its_block_raises(engine, busybox_image):
    run_id = labels.new_run_id("test")
    with pytest.raises(RuntimeError, match="the caller's own error"):
        with Engine().containers.create(busybox_image, run_id=run_id, kind="test", command=["sleep", "30"], start=True):
            raise RuntimeError("the caller's own error")
    assert not _exists(engine, container_name(run_id))


def test_a_container_that_cannot_start_is_removed_and_the_engine_error_reaches_the_caller(engine, busybox_image):
    run_id = labels.new_run_id("test")
    with pytest.raises(docker.errors.APIError, match="no-such-program"):
        with Engine().containers.create(
            busybox_image, run_id=run_id, kind="test", command=["/no-such-program"], start=True
        ):
            pass
    assert not _exists(engine, container_name(run_id))


def test_hardened_containers_drop_capabilities_and_see_no_network(engine, busybox_image):
    run_id = labels.new_run_id("test")
    with Engine().containers.create(busybox_image, run_id=run_id, kind="test", command=["sleep", "30"]) as made:
        host = engine.api.inspect_container(made.id)["HostConfig"]
    assert host["CapDrop"] == ["ALL"] and host["NetworkMode"] == "none" and host["Memory"] == 256 * 1024 * 1024
    assert made.labels[labels.RUN] == run_id and made.labels[labels.OWNER] == labels.owner()
