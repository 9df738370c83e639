"""The learner engine's authorization plugin (hub/images/engine/authz.py), rule by rule.

The end-to-end test drives it through a real dockerd; these pin each rule in milliseconds.
"""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(scope="module")
def authz(repo):
    spec = importlib.util.spec_from_file_location("stagelab_engine_authz", repo / "hub/images/engine/authz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create(authz, **host_config):
    return authz.request_problem("POST", "/v1.45/containers/create?name=x", {"Image": "x", "HostConfig": host_config})


@pytest.mark.parametrize("host_config", [
    {"Privileged": True},
    {"Binds": ["/:/host"]},
    {"Binds": ["/var/run/docker.sock:/var/run/docker.sock"]},
    {"Mounts": [{"Type": "bind", "Source": "/", "Target": "/h"}]},
    {"CapAdd": ["SYS_ADMIN"]},
    {"CapAdd": ["ALL"]},
    {"Devices": [{"PathOnHost": "/dev/vda", "PathInContainer": "/dev/vda", "CgroupPermissions": "rwm"}]},
    {"PidMode": "host"},
    {"UsernsMode": "host"},
    {"SecurityOpt": ["seccomp=unconfined"]},
    {"SecurityOpt": ["apparmor=unconfined"]},
])  # fmt: skip
def test_containers_that_could_reach_the_engine_container_are_refused(authz, host_config):
    assert create(authz, **host_config)


@pytest.mark.parametrize("host_config", [
    {},
    {"Binds": ["data:/data"]},
    {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data"}, {"Type": "tmpfs", "Target": "/tmp"}]},
    {"CapAdd": ["NET_BIND_SERVICE", "SYS_PTRACE"], "CapDrop": ["ALL"]},
    {"PidMode": "container:abc", "NetworkMode": "container:abc"},
    {"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}, "Memory": 268435456, "ReadonlyRootfs": True},
])  # fmt: skip
def test_what_the_course_does_is_allowed(authz, host_config):
    assert create(authz, **host_config) is None


def test_a_create_whose_body_could_not_be_read_is_refused(authz):
    assert authz.request_problem("POST", "/v1.45/containers/create", None)


def test_privileged_exec_and_plugins_are_refused_reads_are_not(authz):
    assert authz.request_problem("POST", "/v1.45/containers/abc/exec", {"Cmd": ["sh"], "Privileged": True})
    assert authz.request_problem("POST", "/v1.45/containers/abc/exec", {"Cmd": ["sh"]}) is None
    assert authz.request_problem("POST", "/v1.45/plugins/pull?remote=x", {})
    assert authz.request_problem("GET", "/v1.45/containers/json", None) is None


def test_volumes_with_driver_options_are_refused(authz):
    assert authz.request_problem(
        "POST", "/v1.45/volumes/create", {"Name": "h", "DriverOpts": {"o": "bind", "device": "/"}}
    )
    assert authz.request_problem("POST", "/v1.45/volumes/create", {"Name": "data"}) is None
