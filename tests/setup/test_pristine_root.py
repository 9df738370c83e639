"""The set-up's install path, run in a pristine Debian root (bookworm and trixie).

The machine the tests run on already has everything, so a package missing from the
set-up's list would pass unseen here. This test starts from a root filesystem exactly
as mmdebstrap makes it (minbase: no Python, no Docker, no mmdebstrap), imported into
the engine, and inside a container of it:

1. resolves every apt line the scripts run (``host-tools.sh simulate``: the same
   sources, trixie pin and per-package releases), and fails if an installed package
   (libc6 above all) would be upgraded to Debian 13's on Debian 12;
2. installs Debian's python3 (a bare VM has it) and runs the stdlib-only preflight;
3. installs the ``setup`` role from a copy of the list with one package removed, and
   checks that the preflight names the program that is then missing (the test can fail);
4. installs the ``setup`` role for real, and checks the preflight finds every program.

The engine and browser packages are resolved, not installed: a container cannot
start an engine, and Chromium is 300 MB.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from stagelab import labels
from stagelab.images import rootfs
from stagelab.images.stand_ins import cache_dir

pytestmark = [pytest.mark.engine, pytest.mark.slow]

SCRIPT = r"""
set -eu
export DEBIAN_FRONTEND=noninteractive
cd /repo
echo "=== simulate"
bash scripts/host-tools.sh simulate setup engine browser
echo "=== python"
apt-get install -y -qq --no-install-recommends python3 >/dev/null
python3 --version
echo "=== preflight-before"
PYTHONPATH=/repo/src python3 -m stagelab.preflight --role setup --json || true
echo "=== broken-list"
mkdir -p /tmp/broken && cp scripts/host-tools.sh /tmp/broken/
grep -v '^setup *mmdebstrap ' scripts/host-packages.txt > /tmp/broken/host-packages.txt
bash /tmp/broken/host-tools.sh install setup >/dev/null 2>&1 || true
echo "=== preflight-broken"
PYTHONPATH=/repo/src python3 -m stagelab.preflight --role setup --json || true
echo "=== install"
bash scripts/host-tools.sh install setup
echo "=== preflight-after"
PYTHONPATH=/repo/src python3 -m stagelab.preflight --role setup --json
echo "=== end"
"""


def _sections(output: str) -> dict[str, str]:
    parts = re.split(r"^=== (\S+)$", output, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _missing(preflight_json: str) -> set[str]:
    findings = json.loads(preflight_json[preflight_json.index("[") :])
    return {f["item"] for f in findings if not f["ok"]}


@pytest.fixture(scope="module", params=["bookworm", "trixie"])
def pristine_run(request, engine, repo):
    """Run the install path in a fresh container of a pristine root; yields (suite, sections)."""
    from stagelab.engine import image_store

    suite = request.param
    tarball = rootfs.ensure_minbase(suite, cache_dir() / "rootfs")
    reference = f"stagelab-test/pristine-{suite}:{os.environ['STAGELAB_OWNER']}"
    image_store.import_tarball(
        tarball,
        reference,
        labels=labels.labels_for("pristine", "test-fixture"),
        env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    container = engine.containers.run(
        reference,
        ["bash", "-c", SCRIPT],
        detach=True,
        volumes={str(repo): {"bind": "/repo", "mode": "ro"}},
        labels=labels.labels_for("pristine", "test-fixture"),
    )
    try:
        status = container.wait(timeout=600)
        output = container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)
        engine.images.remove(reference, force=True)
    assert status["StatusCode"] == 0, output[-3000:]
    yield suite, _sections(output)


def test_every_apt_line_resolves_in_a_pristine_root(pristine_run):
    suite, sections = pristine_run
    simulated = sections["simulate"]
    for package in ("mmdebstrap", "python3-venv", "docker.io", "docker-buildx", "chromium"):
        assert re.search(rf"^Inst {re.escape(package)} ", simulated, re.M), f"{package} not resolved on {suite}"


def test_nothing_already_installed_is_upgraded_to_debian_13_on_debian_12(pristine_run):
    suite, sections = pristine_run
    if suite != "bookworm":
        return  # on trixie every package is trixie's; the pin question does not arise
    upgraded = re.findall(r"^Inst (\S+) \[[^\]]+\] \(\S+ Debian:13", sections["simulate"], re.M)
    assert not upgraded, f"packages Debian 12 already has would come from Debian 13: {upgraded}"
    assert not re.search(r"^Inst libc6 ", sections["simulate"], re.M), "libc6 would be pulled from trixie"


def test_preflight_runs_on_bare_python_and_names_what_is_missing(pristine_run):
    _, sections = pristine_run
    missing = _missing(sections["preflight-before"])
    assert "mmdebstrap (setup)" in missing and "Python venv" in missing


def test_a_package_removed_from_the_list_is_caught_by_the_preflight(pristine_run):
    _, sections = pristine_run
    assert "mmdebstrap (setup)" in _missing(sections["preflight-broken"])


def test_after_the_setup_install_every_setup_program_is_there(pristine_run):
    _, sections = pristine_run
    assert _missing(sections["preflight-after"]) == set()
