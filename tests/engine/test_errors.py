"""Friendly errors: each names what went wrong and what to do next, never a traceback."""

from __future__ import annotations

import pytest

from stagelab.cli import main
from stagelab.engine import Build, client
from stagelab.engine.client import translate
from stagelab.engine.probes import probe, try_exec
from stagelab.errors import BuildContextError, DiskFull, EngineUnavailable, ImageNotFound

NOWHERE = "unix:///nonexistent.sock"


@pytest.fixture
def engine_unreachable(monkeypatch):
    # client() and buildx_version() are cached per DOCKER_HOST, so a new value is a new engine.
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)


def test_unreachable_engine_says_how_to_start_it(engine_unreachable):
    with pytest.raises(EngineUnavailable) as caught:
        client()
    message = str(caught.value)
    assert "not running" in message and NOWHERE in message
    assert "make engine" in message and "Docker Desktop" in message


def test_build_on_unreachable_engine_raises_engine_unavailable(engine_unreachable, make_context):
    context = make_context({"Dockerfile": "FROM scratch\nCOPY Dockerfile /\n"})
    with pytest.raises(EngineUnavailable, match="not running"):
        Build(context, use_slots=False).run()


def test_probe_on_unreachable_engine_raises_engine_unavailable(engine_unreachable):
    with pytest.raises(EngineUnavailable, match="not running"):
        probe("anything:latest")


def test_cli_reports_unreachable_engine_with_exit_status_3(engine_unreachable, capsys):
    status = main(["run", "anything:latest"])
    captured = capsys.readouterr()
    assert status == 3
    assert captured.err.startswith("error: The Docker engine is not running")
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.engine
def test_exec_attempt_on_missing_image_says_prepare(engine):
    with pytest.raises(ImageNotFound) as caught:
        try_exec("stagelab-test/no-such-image:never", ["sh"])
    assert "stagelab-test/no-such-image:never" in str(caught.value)
    assert "stagelab images prepare" in str(caught.value)


def test_missing_build_context_says_which_folder(tmp_path):
    missing = tmp_path / "no-such-app"
    with pytest.raises(BuildContextError) as caught:
        Build(missing)
    assert str(missing) in str(caught.value)
    assert "Give the folder that holds your app" in str(caught.value)


def test_missing_dockerfile_says_create_or_point_to_it(tmp_path):
    with pytest.raises(BuildContextError) as caught:
        Build(tmp_path)
    assert str(tmp_path / "Dockerfile") in str(caught.value)
    assert "-f/--dockerfile" in str(caught.value)


def test_cli_build_of_missing_context_exits_2_without_traceback(tmp_path, capsys):
    status = main(["build", str(tmp_path / "nowhere")])
    captured = capsys.readouterr()
    assert status == 2
    assert "is not a folder" in captured.err and "Traceback" not in captured.err


def test_full_disk_says_how_to_free_space():
    error = translate(OSError(28, "write /var/lib/docker/tmp/x: no space left on device"))
    assert isinstance(error, DiskFull)
    assert "stagelab clean" in str(error)


def test_socket_permission_denied_says_join_docker_group():
    error = translate(PermissionError(13, "Permission denied"))
    assert isinstance(error, EngineUnavailable)
    assert "docker' group" in str(error)
