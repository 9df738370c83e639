"""The workshop hub: seeding (kit vs registry), spawn times, memory and disk per learner, a room grading at once.

Runs a real hub (its own instance ``bench``, its own ports) with N learners (default 10) who sign
in through the login page and start their servers through the REST API, all at once as a room
does. Measures:

* seeding one new engine with a lab's base images: ``docker load`` of the workshop kit vs
  ``docker pull`` from a local registry (Debian's docker-registry) on the hub network;
* spawn time per learner (request → server ready), cold (new engine store, seeding follows in
  the background) and warm (servers stopped, stores kept, started again);
* memory per idle learner (engine + JupyterLab, ``docker stats`` less page cache; and the host's
  MemAvailable before/after) and disk per learner (their store and home volumes);
* N learners grading the lab's solution at once through ``stagelab hub gradebook``'s code path:
  time to verdict per learner.

Usage: python bench/bench_hub.py [--learners 10] [--lab labs/04-node-distroless]
Prints a markdown section; everything it made is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import REPO, docker, median, percentile, table

os.environ.setdefault("STAGELAB_OWNER", f"stagelab-bench-{uuid.uuid4().hex[:6]}")

from stagelab.engine import workshop  # noqa: E402
from stagelab.grading.spec import load_spec  # noqa: E402
from stagelab.hub import auth, grading, runner, settings  # noqa: E402
from stagelab.hub.learner_client import LearnerSession  # noqa: E402
from stagelab.images import kit  # noqa: E402
from stagelab.units import GB, MB  # noqa: E402


def say(text: str) -> None:
    """Progress on stderr (the markdown goes to stdout)."""
    print(f"[bench_hub {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _mem_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable"):
            return int(line.split()[1]) * 1024
    return 0


def _lab_images(lab: Path) -> list[str]:
    refs = []
    for line in (lab / "solution" / "Dockerfile").read_text().splitlines():
        if line.upper().startswith("FROM "):
            ref = line.split()[1]
            if ref != "scratch" and ref not in refs:
                refs.append(ref)
    return refs


def _seeded_seconds(engine_container: str, timeout_s: float = 900) -> float:
    """Seconds seed.sh took in an engine (it writes start and end times into its marker)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        code, out = workshop.exec_in(engine_container, ["cat", "/var/lib/docker/.stagelab-seeded"])
        if code == 0 and out.strip():
            start, end = (float(x) for x in out.split()[:2])
            return end - start
        time.sleep(1)
    raise RuntimeError(f"{engine_container} was not seeded within {timeout_s} s")


def seeding_comparison(base: settings.HubSettings, refs: list[str], kit_path: Path) -> list[list[object]]:
    """One fresh engine seeded from the kit, one from a local registry: time and bytes."""
    rows = []
    hub_kit = workshop.Hub(base.hub.instance, base.hub.engine_image, base.hub.lab_image, base.hub.limits,
                           workshop.Seeding("kit", kit_path))  # fmt: skip
    gateway = workshop.ensure_network(hub_kit)
    engine = workshop.start_learner_engine(hub_kit, "seedkit")
    kit_s = _seeded_seconds(engine.container)
    store = workshop.volume_sizes([hub_kit.store_volume("seedkit")])[hub_kit.store_volume("seedkit")]
    rows.append(
        [
            "workshop kit (`docker load`, read-only bind mount)",
            f"{kit_s:.1f}",
            f"{kit_path.stat().st_size / GB:.2f} GB (one file)",
            f"{store / GB:.2f}",
        ]
    )
    workshop.stop_learner_engine(hub_kit, "seedkit")

    port = _free_port()
    labels = hub_kit.labels("registry")
    label_args = [arg for key, value in labels.items() for arg in ("--label", f"{key}={value}")]
    docker("run", "-d", "--name", f"{hub_kit.prefix}-registry", *label_args, "-p", f"127.0.0.1:{port}:5000",
           "-p", f"{gateway}:{port}:5000", "--mount", f"type=volume,src={hub_kit.prefix}-registry,dst=/var/lib/docker-registry,volume-label={workshop.HUB}={hub_kit.instance}",
           "stagelab/hub-registry:1")  # fmt: skip
    time.sleep(1)
    started = time.perf_counter()
    for ref in refs:
        docker("tag", ref, f"127.0.0.1:{port}/{ref}")
        docker("push", "-q", f"127.0.0.1:{port}/{ref}")
        docker("rmi", f"127.0.0.1:{port}/{ref}")
    push_s = time.perf_counter() - started
    registry_bytes = int(
        docker("exec", f"{hub_kit.prefix}-registry", "du", "-sb", "/var/lib/docker-registry").split()[0]
    )
    hub_reg = workshop.Hub(base.hub.instance, base.hub.engine_image, base.hub.lab_image, base.hub.limits,
                           workshop.Seeding("registry", None, f"{gateway}:{port}", tuple(refs)))  # fmt: skip
    engine = workshop.start_learner_engine(hub_reg, "seedreg")
    reg_s = _seeded_seconds(engine.container)
    store = workshop.volume_sizes([hub_reg.store_volume("seedreg")])[hub_reg.store_volume("seedreg")]
    rows.append([f"local registry (`docker pull` over the hub network; filling it took {push_s:.0f} s once)",
                 f"{reg_s:.1f}", f"{registry_bytes / GB:.2f} GB (compressed layers)", f"{store / GB:.2f}"])  # fmt: skip
    workshop.stop_learner_engine(hub_reg, "seedreg")
    docker("rm", "-f", "-v", f"{hub_kit.prefix}-registry")
    docker(
        "volume",
        "rm",
        "-f",
        f"{hub_kit.prefix}-registry",
        hub_kit.store_volume("seedkit"),
        hub_kit.store_volume("seedreg"),
        check=False,
    )
    return rows


def spawn_all(sessions: list[LearnerSession]) -> list[float]:
    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(lambda session: session.start_server(timeout_s=600), sessions))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--lab", default="labs/04-node-distroless")
    args = parser.parse_args(argv)
    lab = (REPO / args.lab).resolve()
    spec = load_spec(lab)
    refs = _lab_images(lab)
    work = Path(tempfile.mkdtemp(prefix="stagelab-bench-hub-"))
    env = {"STAGELAB_HUB_INSTANCE": "bench", "STAGELAB_HUB_STATE_DIR": str(work / "state"), "STAGELAB_HUB_IP": "127.0.0.1",
           "STAGELAB_HUB_PORT": str(_free_port()), "STAGELAB_HUB_API_PORT": str(_free_port()), "STAGELAB_HUB_SEED": "kit",
           "STAGELAB_HUB_KIT": str(work / "kit.tar"), "STAGELAB_HUB_ENGINE_MEMORY": "2g", "STAGELAB_HUB_ENGINE_CPUS": "1",
           "STAGELAB_HUB_LAB_MEMORY": "1g"}  # fmt: skip
    os.environ.update(env)
    s = settings.from_env()
    out: list[str] = ["## Workshop hub (one engine per learner)", ""]
    started_all = time.perf_counter()
    try:
        runner.build_images(s, say=say)
        say("writing the kit")
        t0 = time.perf_counter()
        kit.export(work / "kit.tar", refs=refs)
        export_s = time.perf_counter() - t0
        out += [f"Lab `{spec.id}`, its base images {', '.join(f'`{r}`' for r in refs)}; workshop kit written in {export_s:.0f} s "
                f"({(work / 'kit.tar').stat().st_size / GB:.2f} GB).", "",
                "### Seeding a new learner engine", "",
                table(["source", "seconds", "served from", "learner's engine store after (GB)"], seeding_comparison(s, refs, work / "kit.tar")),
                ""]  # fmt: skip

        say("seeding compared; starting the hub")
        names = [f"l{i:02d}" for i in range(args.learners)]
        tokens = {l.name: l.token for l in auth.add_learners(s.learners_file, names)}  # noqa: E741
        available_before = _mem_available()
        runner.start(s, say=lambda text: None)
        sessions = []
        for name in names:
            session = LearnerSession(s.url, name)
            assert session.login(tokens[name])
            sessions.append(session)
        cold = spawn_all(sessions)
        say(f"cold spawns: {[round(x, 1) for x in cold]}")
        seeded = []
        with ThreadPoolExecutor(len(names)) as pool:
            seeded = list(pool.map(lambda n: _seeded_seconds(s.hub.engine_name(n)), names))
        say(f"seeded: {[round(x, 1) for x in seeded]}")
        time.sleep(30)  # let JupyterLab and dockerd settle
        containers = [s.hub.engine_name(n) for n in names] + [s.hub.lab_name(n) for n in names]
        stats = workshop.container_stats(containers)
        engine_mem = [stats[s.hub.engine_name(n)] for n in names]
        lab_mem = [stats[s.hub.lab_name(n)] for n in names]
        host_per_learner = (available_before - _mem_available()) / len(names)

        # The room hands in the lab's solution and the instructor grades everyone at once.
        solution = (lab / "solution" / "Dockerfile").read_text()
        for name in names:
            workshop.exec_in(
                s.hub.lab_name(name),
                ["sh", "-c", f"cat > /home/learner/course/labs/{lab.name}/Dockerfile <<'EOF'\n{solution}\nEOF"],
            )
        verdicts: dict[str, float] = {}

        def grade(name: str):
            t = time.perf_counter()
            report = grading.grade_learner(s, name, lab)
            verdicts[name] = time.perf_counter() - t
            return report

        t = time.perf_counter()
        with ThreadPoolExecutor(len(names)) as pool:
            reports = list(pool.map(grade, names))
        room_s = time.perf_counter() - t
        say(f"graded in {room_s:.0f} s: {sorted(round(v, 1) for v in verdicts.values())}")
        passed = sum(1 for r in reports if r.all_passed)
        not_graded = [r.could_not_grade for r in reports if r.could_not_grade]
        sizes = workshop.volume_sizes([s.hub.store_volume(n) for n in names] + [s.hub.home_volume(n) for n in names])
        store = [sizes.get(s.hub.store_volume(n), 0) for n in names]
        home = [sizes.get(s.hub.home_volume(n), 0) for n in names]

        for session in sessions:
            session.stop_server()
        deadline = time.monotonic() + 300
        while workshop.learner_engines(s.hub) and time.monotonic() < deadline:
            time.sleep(1)
        warm = spawn_all(sessions)
        say(f"warm spawns: {[round(x, 1) for x in warm]}")
        shutil.copy(s.log_file, Path(tempfile.gettempdir()) / "bench_hub_jupyterhub.log")

        n = len(names)
        out += ["### Spawning (request → JupyterLab ready, all learners at once)", "",
                table(["", "learners", "p50 (s)", "p95 (s)", "max (s)"], [
                    ["cold: new engine store", n, f"{median(cold):.1f}", f"{percentile(cold, 0.95):.1f}", f"{max(cold):.1f}"],
                    ["cold: seeding the base images (seed.sh alone, in the background from the engine's start)", n, f"{median(seeded):.1f}", f"{percentile(seeded, 0.95):.1f}", f"{max(seeded):.1f}"],
                    ["warm: store kept, server restarted", n, f"{median(warm):.1f}", f"{percentile(warm, 0.95):.1f}", f"{max(warm):.1f}"],
                ]), "",
                "### Per learner, idle (after the room's first grading)", "",
                table(["", "median", "max"], [
                    ["engine container memory (docker stats, less page cache)", f"{median(engine_mem) / MB:.0f} MB", f"{max(engine_mem) / MB:.0f} MB"],
                    ["JupyterLab container memory", f"{median(lab_mem) / MB:.0f} MB", f"{max(lab_mem) / MB:.0f} MB"],
                    ["engine store volume (base images + build cache)", f"{median(store) / GB:.2f} GB", f"{max(store) / GB:.2f} GB"],
                    ["home volume (course copy)", f"{median(home) / MB:.1f} MB", f"{max(home) / MB:.1f} MB"],
                ]), "",
                f"Host MemAvailable fell by {host_per_learner / MB:.0f} MB per learner with {n} learners running (page cache included).", "",
                f"### {n} learners grading `{spec.id}` at once (each in their own engine, 1 CPU and 2 GB each, on 2 cores)", "",
                table(["learners", "p50 to verdict (s)", "p95 to verdict (s)", "whole room (s)", "passed", "could not grade"], [
                    [n, f"{median(list(verdicts.values())):.1f}", f"{percentile(list(verdicts.values()), 0.95):.1f}", f"{room_s:.1f}", f"{passed}/{n}", len(not_graded)],
                ]), ""]  # fmt: skip
        if not_graded:
            out += ["Could not grade: " + "; ".join(sorted(set(not_graded)))[:500], ""]
    except BaseException as error:
        say(f"failed: {error!r}")
        raise
    finally:
        say("stopping the hub")
        runner.stop(s, purge=True)
        shutil.rmtree(work, ignore_errors=True)
    left = workshop.leftovers(s.hub)
    out.append(
        f"<sub>bench_hub.py: {time.perf_counter() - started_all:.0f} s; left behind: {sum(len(v) for v in left.values())} objects</sub>"
    )
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
