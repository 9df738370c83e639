"""Runtime probes against the real engine: servers, crashes, time-outs, OOM, exec attempts."""

from __future__ import annotations

import threading
import time

import pytest

from stagelab import labels
from stagelab.engine.probes import probe, try_exec
from stagelab.errors import ImageNotFound

pytestmark = [pytest.mark.engine, pytest.mark.usefixtures("own_build_slots")]

# busybox httpd serving one page; `exec` makes it PID 1, which ignores SIGTERM (no handler).
HTTPD = "mkdir -p /tmp/www && echo hello-from-probe > /tmp/www/index.html && exec httpd -f -p 3000 -h /tmp/www"
# The same server behind a shell that handles SIGTERM, as a well-behaved app does.
HTTPD_WITH_TERM_HANDLER = (
    "mkdir -p /tmp/www && echo hello-from-probe > /tmp/www/index.html && "
    "trap 'exit 0' TERM; httpd -f -p 3000 -h /tmp/www & wait"
)


def test_working_server_answers_on_loopback_port(busybox_image, leak_check):
    result = probe(busybox_image, port=3000, command=["sh", "-c", HTTPD_WITH_TERM_HANDLER])
    assert result.started and result.ready
    assert result.http_status == 200
    assert result.http_body.strip() == "hello-from-probe"
    assert 0 < result.startup_s < 20
    assert result.error is None and result.ok


def test_server_that_handles_sigterm_stops_cleanly(busybox_image, leak_check):
    result = probe(busybox_image, port=3000, command=["sh", "-c", HTTPD_WITH_TERM_HANDLER], stop_timeout_s=5)
    assert result.stopped_cleanly is True
    assert result.stop_s < 5
    assert result.exit_code == 0


def test_pid1_without_sigterm_handler_is_killed_after_grace_time(busybox_image, leak_check):
    result = probe(busybox_image, port=3000, command=["sh", "-c", HTTPD], stop_timeout_s=1)
    assert result.ready and result.http_status == 200
    assert result.stopped_cleanly is False
    assert result.exit_code == 137
    assert "ignored SIGTERM" in result.error


def test_missing_path_reports_the_servers_404(busybox_image, leak_check):
    result = probe(busybox_image, port=3000, http_path="/nope", command=["sh", "-c", HTTPD_WITH_TERM_HANDLER])
    assert result.ready
    assert result.http_status == 404


def test_server_that_never_opens_its_port_times_out(busybox_image, leak_check):
    started = time.monotonic()
    result = probe(busybox_image, port=3000, command=["sleep", "60"], timeout_s=3)
    assert time.monotonic() - started < 10
    assert result.started and not result.ready
    assert result.timed_out
    assert "port 3000 never opened within 3 s" in result.error


def test_server_listening_on_another_port_is_not_ready(busybox_image, leak_check):
    wrong_port = HTTPD_WITH_TERM_HANDLER.replace("-p 3000", "-p 8080")
    result = probe(busybox_image, port=3000, command=["sh", "-c", wrong_port], timeout_s=3)
    assert not result.ready and result.timed_out


def test_container_that_exits_at_once_reports_code_and_logs(busybox_image, leak_check):
    result = probe(busybox_image, port=3000, command=["sh", "-c", "echo cannot find module >&2; exit 1"])
    assert result.started and not result.ready and not result.timed_out
    assert result.exit_code == 1
    assert "cannot find module" in result.logs
    assert result.error == "The container exited with code 1 before opening port 3000"


def test_memory_limit_hit_reports_oom(busybox_image, leak_check):
    result = probe(
        busybox_image, port=3000, command=["sh", "-c", "head -c 600m /dev/zero | tail"], memory_mb=64, timeout_s=20
    )
    assert result.oom_killed
    assert result.exit_code == 137
    assert result.error == "killed: out of memory (limit 64 MB)"


def test_missing_executable_is_reported_in_runc_words(busybox_image, leak_check):
    result = probe(busybox_image, port=3000, entrypoint=["node"], command=["server.js"])
    assert not result.started
    assert result.error == 'exec: "node": executable file not found in $PATH'


def test_command_line_app_exit_code_and_output(busybox_image, leak_check):
    result = probe(busybox_image, command=["sh", "-c", "echo done; exit 0"], expect_exit=True)
    assert result.exit_code == 0 and result.ok
    assert result.logs == "done\n"


def test_command_line_app_that_never_exits_times_out(busybox_image, leak_check):
    result = probe(busybox_image, command=["sleep", "60"], expect_exit=True, timeout_s=2)
    assert result.timed_out and not result.ok


def test_probe_container_runs_with_safe_defaults(busybox_image, leak_check):
    # The container reports its own limits: no capabilities, no-new-privileges, memory and pids caps.
    script = (
        "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; "
        # cgroup v2 file first, v1 file as the fallback (this machine's kernel mounts v1).
        "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; "
        "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max"
    )
    result = probe(busybox_image, command=["sh", "-c", script], expect_exit=True, memory_mb=96, pids=50)
    lines = result.logs.split()
    assert lines[lines.index("CapEff:") + 1] == "0000000000000000"
    assert lines[lines.index("NoNewPrivs:") + 1] == "1"
    assert lines[-2:] == [str(96 * 1024 * 1024), "50"]


def test_probed_app_has_loopback_only_and_nothing_is_published(busybox_image, engine, leak_check):
    seen: dict = {}
    run_id = labels.new_run_id("probe-test")

    def watch():  # look at the app's container while the probe runs
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not seen:
            for container in engine.containers.list(filters={"label": f"{labels.RUN}={run_id}"}):
                if container.name == f"stagelab-{run_id}":
                    seen.update(container.attrs["HostConfig"])
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    probe(busybox_image, port=3000, command=["sleep", "60"], timeout_s=3, run_id=run_id)
    watcher.join()
    assert seen["NetworkMode"] == "none"
    assert not seen.get("PortBindings")


def test_probed_app_cannot_reach_the_network_but_answers_over_loopback(busybox_image, leak_check):
    # The app tries the Debian archive (reachable from this host) and the engine's bridge gateway,
    # then serves what it saw: the probe still gets the answer, over the app's own loopback.
    script = (
        "mkdir -p /w; "
        "(wget -q -T 3 -O /dev/null http://deb.debian.org/ && echo internet-reached || echo no-internet; "
        " wget -q -T 3 -O /dev/null http://172.17.0.1/ && echo host-reached || echo no-host; "
        " ip route 2>/dev/null | grep -c default || true) > /w/index.html; "
        "httpd -f -p 3000 -h /w"
    )
    result = probe(busybox_image, port=3000, command=["sh", "-c", script], timeout_s=20)
    assert result.http_status == 200, result
    assert "no-internet" in result.http_body and "no-host" in result.http_body, result.http_body
    assert result.host_port is None


def test_cli_probe_has_no_network(busybox_image, leak_check):
    result = probe(
        busybox_image,
        command=["sh", "-c", "wget -q -T 3 -O /dev/null http://deb.debian.org/ && echo reached || echo unreachable"],
        expect_exit=True,
        timeout_s=15,
    )
    # Busybox's static wget may also crash resolving the name without a network ("Segmentation fault"
    # on stderr, in any order): what matters is that it never reached the archive.
    lines = result.logs.strip().splitlines()
    assert "unreachable" in lines and "reached" not in lines, result.logs


def test_container_is_removed_after_keyboard_interrupt(busybox_image, engine, monkeypatch, leak_check):
    from stagelab.engine import probes

    run_id = labels.new_run_id("probe-test")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(probes, "_wait_for_answer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        probe(busybox_image, port=3000, command=["sleep", "60"], run_id=run_id)
    assert engine.containers.list(all=True, filters={"label": f"{labels.RUN}={run_id}"}) == []


def test_unknown_image_raises_image_not_found_with_hint(engine):
    with pytest.raises(ImageNotFound, match="stagelab images prepare"):
        probe("stagelab-test/no-such-image:never")


def test_shell_attempt_on_shell_less_image_reports_real_error(shell_less_image, leak_check):
    attempt = try_exec(shell_less_image, ["sh"])
    assert not attempt.succeeded
    assert attempt.method == "exec"
    assert attempt.exit_code == 126
    assert 'exec: "sh": executable file not found in $PATH' in attempt.error
    assert attempt.error.startswith("OCI runtime exec failed")


def test_shell_attempt_on_image_with_shell_succeeds(busybox_image, leak_check):
    attempt = try_exec(busybox_image, ["sh", "-c", "echo i have a shell"])
    assert attempt.succeeded and attempt.exit_code == 0
    assert attempt.output == "i have a shell\n"


def test_run_attempt_without_entrypoint_reports_create_error(shell_less_image, engine, tmp_path, leak_check):
    # An image with no entrypoint that stays up: the attempt is `docker run --entrypoint sh`.
    from stagelab.engine import Build

    (tmp_path / "Dockerfile").write_text("FROM " + shell_less_image + "\nENTRYPOINT []\n")
    image = Build(tmp_path, use_slots=False).run().image_id
    attempt = try_exec(image, ["sh"])
    assert attempt.method == "run" and not attempt.succeeded
    assert 'exec: "sh": executable file not found in $PATH' in attempt.error


def test_app_bound_to_loopback_only_is_told_apart(busybox_image, leak_check):
    # The sidecar shares the app's loopback, so it must not count an answer there as "reachable".
    result = probe(
        busybox_image,
        port=3000,
        command=["sh", "-c", "mkdir -p /w; echo hi > /w/index.html; httpd -f -p 127.0.0.1:3000 -h /w"],
        timeout_s=15,
    )
    assert result.loopback_only and not result.ready, result
    assert "0.0.0.0" in result.error
    result = probe(
        busybox_image,
        port=3000,
        command=["sh", "-c", "mkdir -p /w; echo hi > /w/index.html; httpd -f -p 0.0.0.0:3000 -h /w"],
        timeout_s=15,
    )
    assert result.ready and not result.loopback_only, result
