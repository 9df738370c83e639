"""Reading a RUN's script as simple commands: what the package-cache check finds in it."""

from __future__ import annotations

import pytest

from stagelab.dockerfile.shell_words import removes_any, runs_verb, simple_commands

APT = ("/var/lib/apt/lists",)


def _installs_with_apt(script: str) -> bool:
    return any(runs_verb(command, ("apt", "apt-get"), "install") for command in simple_commands(script))


def _removes_apt_lists(script: str) -> bool:
    return any(removes_any(command, APT) for command in simple_commands(script))


@pytest.mark.parametrize(
    "script",
    [
        "apt-get update && apt-get install -y curl",
        "DEBIAN_FRONTEND=noninteractive apt-get -qq install curl",
        "sudo apt install -y curl",
        "/usr/bin/apt-get install curl",
        'sh -c "apt-get update; apt-get install -y curl"',
        "bash -c 'apt-get install'",
    ],
)
def test_an_apt_install_is_found_in_any_form(script):
    assert _installs_with_apt(script)


@pytest.mark.parametrize("script", ["apt-get update", "echo apt-get install", "apt-cache policy install"])
def test_what_is_not_an_apt_install_is_not_found(script):
    assert not _installs_with_apt(script)


@pytest.mark.parametrize(
    "script",
    [
        "rm -rf /var/lib/apt/lists/*",
        "rm -f /var/lib/apt/lists/*_*",
        'rm -r -- "/var/lib/apt/lists"',
        "sudo rm -rf /var/lib/apt/lists/*",
        'sh -c "apt-get install -y x && rm -rf /var/lib/apt/lists/*"',
        "rm -rf /tmp/* /var/lib/apt/lists/*",
    ],
)
def test_removing_the_apt_lists_is_found_in_any_form(script):
    assert _removes_apt_lists(script)


@pytest.mark.parametrize(
    "script",
    [
        "apt-get clean",
        "echo /var/lib/apt/lists",
        "rm -rf /var/cache/apt/archives",
        "rm -rf /tmp; ls /var/lib/apt/lists",
    ],
)
def test_what_does_not_remove_the_apt_lists_is_not_found(script):
    assert not _removes_apt_lists(script)
