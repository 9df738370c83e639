"""Build limits: every RUN step under the build's cgroup, limits from lab.yaml within the room's maxima, and engines that cannot have them."""

from __future__ import annotations

import socket
import threading
import uuid

import pytest

from stagelab.engine import Build, limits
from stagelab.errors import LabSpecError
from stagelab.grading.spec import parse_spec

pytestmark = [pytest.mark.engine, pytest.mark.usefixtures("own_build_slots")]


def test_every_run_step_runs_under_the_builds_cgroup_with_its_limits(make_context, busybox_image, leak_check):
    marker = uuid.uuid4().hex[:8]
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN echo {marker} && cat /proc/self/cgroup\n"})
    seen = []
    build = Build(context, no_cache=True, limits=limits.BuildLimits(processes=300, memory_mb=300))
    result = build.run(lambda event: event.text and seen.append(event.text))
    assert result.limits_enforced
    pids_line = next(line for line in seen if ":pids:" in line or line.startswith("0::"))
    assert "/stagelab-slot-" in pids_line and "/buildkit/" in pids_line, seen
    name = next(part for part in pids_line.split("/") if part.startswith("stagelab-slot-"))
    assert name not in limits.ours(), "the build's cgroup was not removed"


def test_a_labs_limits_are_lowered_to_the_rooms_maxima_with_a_notice(
    make_context, busybox_image, monkeypatch, leak_check
):
    monkeypatch.setenv("STAGELAB_MAX_BUILD_MEMORY_MB", "512")
    context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN true\n"})
    build = Build(context, limits=limits.BuildLimits(memory_mb=3072))
    assert build.limits.memory_mb == 512
    assert any("STAGELAB_MAX_BUILD_MEMORY_MB" in notice for notice in build.notices)


def test_lab_yaml_takes_network_and_limits_and_names_every_mistake():
    spec = parse_spec({"id": "x", "title": "x", "checks": ["dockerfile.parses"],
                       "build": {"network": False, "limits": {"processes": 512, "memory_mb": 1024}}})  # fmt: skip
    assert spec.build.network is False
    assert (spec.build.limits.processes, spec.build.limits.memory_mb, spec.build.limits.time_s) == (512, 1024, 600)
    with pytest.raises(LabSpecError) as caught:
        parse_spec({"id": "x", "title": "x", "checks": ["dockerfile.parses"],
                    "build": {"network": "sometimes", "limits": {"processes": 3, "memroy_mb": 10, "cpus": 1000}}})  # fmt: skip
    message = str(caught.value)
    assert "build.network: must be true" in message
    assert "build.limits.processes: 3 is too small" in message
    assert "build.limits.memroy_mb: unknown key (did you mean 'memory_mb'?)" in message
    assert "build.limits.cpus: 1000 is more than any machine allows" in message


def _relay(path: str, stop: threading.Event) -> threading.Thread:
    """A unix-socket relay in front of the engine, like Docker Desktop's socket proxy."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    server.settimeout(0.2)

    def pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve():
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                continue
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            engine.connect("/var/run/docker.sock")
            threading.Thread(target=pipe, args=(client, engine), daemon=True).start()
            threading.Thread(target=pipe, args=(engine, client), daemon=True).start()
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_an_engine_behind_a_relay_has_no_limits_the_doctor_says_so_and_builds_still_run(
    make_context, busybox_image, monkeypatch, tmp_path, leak_check
):
    from stagelab import doctor

    path = str(tmp_path / "relay.sock")
    stop = threading.Event()
    thread = _relay(path, stop)
    try:
        with monkeypatch.context() as patch:
            patch.setenv("DOCKER_HOST", f"unix://{path}")
            found = limits.support()
            assert not found.enforced and "not by dockerd itself" in found.detail, found
            finding = doctor._build_limits(True)
            assert finding.status is doctor.Status.WARN and finding.detail.startswith("not in force")
            context = make_context({"Dockerfile": f"FROM {busybox_image}\nRUN echo {uuid.uuid4().hex[:6]}\n"})
            result = Build(context).run()
            assert result.image_id and not result.limits_enforced
    finally:
        stop.set()
        thread.join(5)


def test_a_build_context_over_its_budget_is_stopped_and_named(engine, tmp_path, leak_check):
    # Deterministic, whatever the disk's speed: BuildKit reports the bytes it has received.
    from stagelab.engine import Build, BuildFailed
    from stagelab.engine.builds import FailureCause
    from stagelab.engine.limits import BuildLimits

    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY . /data\n")
    with open(tmp_path / "big.bin", "wb") as handle:
        handle.truncate(40 * 1024 * 1024)  # sparse: 40 MiB long, nothing on disk
    build = Build(tmp_path, limits=BuildLimits(context_mb=8))
    try:
        for _ in build.events():
            pass
    except BuildFailed as failure:
        assert failure.cause is FailureCause.CONTEXT_LIMIT
        assert failure.stopped == "The build was stopped: its build context is larger than 8 MiB", failure.stopped
    else:
        raise AssertionError("a 40 MiB context passed an 8 MiB budget")
    (tmp_path / ".dockerignore").write_text("big.bin\n")  # what .dockerignore leaves out does not count
    build = Build(tmp_path, limits=BuildLimits(context_mb=8))
    for _ in build.events():
        pass
    assert build.result is not None


def test_what_the_run_steps_write_to_disk_is_budgeted_across_files(make_context, busybox_image, leak_check):
    # Each file is far under the file-size limit; together they pass the build's disk budget.
    from stagelab.engine import BuildFailed
    from stagelab.engine.builds import FailureCause

    context = make_context(
        {
            "Dockerfile": (
                f"FROM {busybox_image}\n"
                "RUN for i in $(seq 40); do dd if=/dev/zero of=/f$i bs=1M count=8 2>/dev/null; sleep 0.1; done\n"
            )
        }
    )
    build = Build(context, no_cache=True, limits=limits.BuildLimits(disk_mb=64))
    with pytest.raises(BuildFailed) as caught:
        build.run()
    assert caught.value.cause is FailureCause.DISK_LIMIT
    assert caught.value.stopped == "RUN at line 2 was stopped: it wrote more than 64 MiB to disk"


def test_a_build_stopped_by_its_budget_leaves_no_cache_mount_behind(make_context, busybox_image, leak_check):
    from stagelab.engine import BuildFailed, cleanup
    from stagelab.engine.builds import FailureCause

    marker = uuid.uuid4().hex[:12]
    context = make_context(
        {
            "Dockerfile": (
                f"FROM {busybox_image}\n"
                f"RUN --mount=type=cache,target=/cache,id=runaway-{marker} dd if=/dev/zero of=/cache/junk bs=1M count=20 "
                "&& i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done; wait\n"
            )
        }
    )
    build = Build(context, no_cache=True, limits=limits.BuildLimits(processes=64))
    with pytest.raises(BuildFailed) as caught:
        build.run()
    assert caught.value.cause is FailureCause.PROCESS_LIMIT
    from datetime import datetime, timezone

    records = cleanup.build_cache_since(datetime(2000, 1, 1, tzinfo=timezone.utc), ("exec.cachemount",))
    assert not [r for r in records if marker in r.get("Description", "")], records


def test_an_abandoned_slot_cgroup_is_swept_once_idle_but_never_while_in_use(engine):
    # A slot whose folder is gone (a killed grader's, a test's tmp folder) has no next holder.
    if not limits.support().enforced:
        pytest.fail(f"build limits are not in force here: {limits.support().detail}")
    name = f"{limits.NAME_PREFIX}slot-{uuid.uuid4().hex[:10]}-0"
    pids = limits._v1_mounts().get("pids") or limits.CGROUP_ROOT
    (pids / name).mkdir()
    try:
        limits.sweep_stale(slot_idle_s=3600)
        assert name in limits.ours(), "a slot cgroup used a moment ago was removed"
        limits.sweep_stale(slot_idle_s=0)
        assert name not in limits.ours(), "an empty, idle slot cgroup was left"
    finally:
        limits.remove_tree(name, wait_s=2)
