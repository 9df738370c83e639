"""The workshop hub end to end: a real JupyterHub, three learners, three private engines.

One hub for the whole module (its own instance name, ports and state folder, this session's
owner label). Learners sign in through the hub's login page and start their servers through
its REST API; gradings run in each learner's engine; then isolation is checked from inside the
learners' containers, and stopping the hub must leave nothing labelled behind.
"""

from __future__ import annotations

import io
import json
import os
import socket
import tarfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = [pytest.mark.engine, pytest.mark.slow]

LEARNERS = ("ada", "bea", "cy")
TINY_LAB = Path(__file__).resolve().parent.parent / "browser" / "fixtures" / "99-tiny"
SEEDED_IMAGE = "busybox:1.37"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def hub(tmp_path_factory, engine):
    from stagelab.hub import auth, runner, settings
    from stagelab.images import kit

    state = tmp_path_factory.mktemp("hub")
    port = _free_port()
    env = {
        "STAGELAB_HUB_INSTANCE": f"t{uuid.uuid4().hex[:6]}",
        "STAGELAB_HUB_STATE_DIR": str(state / "state"),
        "STAGELAB_HUB_IP": "127.0.0.1",
        "STAGELAB_HUB_PORT": str(port),
        "STAGELAB_HUB_API_PORT": str(_free_port()),
        "STAGELAB_HUB_SEED": "kit",
        "STAGELAB_HUB_KIT": str(state / "kit.tar"),
        "STAGELAB_HUB_ENGINE_MEMORY": "1g",
        "STAGELAB_HUB_ENGINE_CPUS": "0.5",
        "STAGELAB_HUB_ENGINE_PIDS": "512",
        "STAGELAB_HUB_LAB_MEMORY": "768m",
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        s = settings.from_env()
        kit.export(state / "kit.tar", refs=[SEEDED_IMAGE])  # a one-image workshop kit
        runner.build_images(s, say=lambda text: None)  # no-op when `make hub` built them already
        tokens = {learner.name: learner.token for learner in auth.add_learners(s.learners_file, list(LEARNERS))}
        runner.start(s, say=lambda text: None)
        yield s, tokens
    finally:
        try:
            runner.stop(settings.from_env(), purge=True)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(scope="module")
def sessions(hub):
    """The three learners signed in and their servers started (in parallel, as a room does)."""
    from stagelab.hub.learner_client import LearnerSession

    s, tokens = hub
    signed_in = {}
    for name in LEARNERS:
        session = LearnerSession(s.url, name)
        assert session.login(tokens[name]), f"{name} could not sign in"
        signed_in[name] = session
    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        list(pool.map(lambda session: session.start_server(), signed_in.values()))
    return signed_in


def _in_lab(s, learner: str, script: str) -> tuple[int, str]:
    from stagelab.engine import workshop

    return workshop.exec_in(s.hub.lab_name(learner), ["sh", "-c", script])


def _copy_tiny_lab_into(s, learner: str) -> None:
    from stagelab.engine import client

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(TINY_LAB.rglob("*")):
            if "solution" in path.relative_to(TINY_LAB).parts:
                continue
            info = archive.gettarinfo(str(path), arcname=f"99-tiny/{path.relative_to(TINY_LAB)}")
            info.uid = info.gid = 1000
            archive.addfile(info, path.open("rb") if path.is_file() else None)
    client().containers.get(s.hub.lab_name(learner)).put_archive("/home/learner/course/labs", buffer.getvalue())


def test_a_learner_signs_in_only_with_their_own_token(hub):
    from stagelab.hub.learner_client import LearnerSession

    s, tokens = hub
    assert not LearnerSession(s.url, "ada").login("not-the-token")
    assert not LearnerSession(s.url, "ada").login(tokens["bea"])
    assert not LearnerSession(s.url, "mallory").login(tokens["ada"])


def test_each_learner_gets_a_running_server_through_the_rest_api(hub, sessions):
    for name, session in sessions.items():
        status, model = session.api("GET", "/user")
        assert status == 200 and model["name"] == name
        assert model["servers"][""]["ready"]


def test_learner_containers_are_unprivileged_and_never_mount_an_engine_socket(hub, sessions):
    from stagelab.engine import workshop

    s, _ = hub
    labs = workshop.hub_containers(s.hub, "lab")
    assert sorted(c.labels[workshop.LEARNER] for c in labs) == sorted(LEARNERS)
    for lab in labs:
        learner = lab.labels[workshop.LEARNER]
        assert not lab.privileged and not lab.cap_add
        assert lab.mounts == (f"{s.hub.home_volume(learner)} -> /home/learner",)
        assert not any("docker.sock" in mount for mount in lab.mounts)
        engine_id = next(e.container_id for e in workshop.learner_engines(s.hub) if e.learner == learner)
        assert lab.network_mode == f"container:{engine_id}"
        code, listing = _in_lab(s, learner, "ls /var/run/docker.sock /run/docker.sock 2>&1; id -u")
        assert "No such file" in listing and listing.strip().endswith("1000")


def test_each_engine_runs_with_the_learners_limits(hub, sessions):
    from stagelab.engine import client, workshop

    s, _ = hub
    for engine in workshop.learner_engines(s.hub):
        host = client().containers.get(engine.container).attrs["HostConfig"]
        assert host["Memory"] == 1024**3 and host["NanoCpus"] == 500_000_000 and host["PidsLimit"] == 512
        assert host["CgroupnsMode"] == "private"  # the learner's containers nest under these limits


def test_each_learners_engine_is_their_own_and_has_the_course_images(hub, sessions):
    s, _ = hub
    versions = set()
    for learner in LEARNERS:
        code, output = _in_lab(s, learner, "docker info --format '{{.Name}}'")
        assert code == 0, output
        versions.add(output.strip())
        # Seeded from the workshop kit in the background on the engine's first start.
        code, output = _in_lab(
            s,
            learner,
            f"for i in $(seq 120); do docker image inspect {SEEDED_IMAGE} >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1",
        )
        assert code == 0, f"{SEEDED_IMAGE} never appeared in {learner}'s engine"
    assert versions == {f"engine-{learner}" for learner in LEARNERS}  # three engines, not one


def test_a_grading_runs_in_each_learners_engine(hub, sessions):
    s, _ = hub
    for learner in LEARNERS:
        _copy_tiny_lab_into(s, learner)

    def grade(learner):
        return _in_lab(s, learner, "cd ~/course && stagelab grade labs/99-tiny --format json --no-progress --quiet")

    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        results = dict(zip(LEARNERS, pool.map(grade, LEARNERS)))
    for _learner, (code, output) in results.items():
        report = json.loads(output[output.index("{") :])
        assert report["could_not_grade"] is None, report
        assert report["score"] == 6 and code == 1  # the starter runs as root: image.non-root fails


def test_a_fork_bomb_in_one_learners_engine_is_stopped_by_its_build_limits(hub, sessions):
    # The engine holds everything it builds to the course's build budget, in a cgroup below dockerd's:
    # here 512 engine processes - 256 of room for dockerd = 256 for builds. The learner sees the limit
    # named, as on a single machine, and their engine keeps answering.
    s, _ = hub
    _copy_tiny_lab_into(s, "cy")
    code, output = _in_lab(s, "cy", "stagelab doctor --json --no-registry")
    limits = next(f for f in json.loads(output[output.index("{") :])["findings"] if f["item"] == "Build limits")
    assert limits["status"] == "ok" and "by the engine itself" in limits["detail"], limits
    assert "256 processes" in limits["detail"], limits
    bomb = "FROM busybox:1.37\nRUN i=0; while [ $i -lt 600 ]; do sleep 60 & i=$((i+1)); done; wait\n"
    code, output = _in_lab(
        s,
        "cy",
        f"printf '{bomb}' > ~/course/labs/99-tiny/Dockerfile && cd ~/course && "
        "stagelab grade labs/99-tiny --format json --no-progress --quiet",
    )
    report = json.loads(output[output.index("{") :])
    builds = next(r for r in report["results"] if r["check_id"] == "image.builds")
    assert code == 1 and report["could_not_grade"] is None, report
    assert "RUN at line 2 was stopped: it started more than 256 processes" in builds["message"], builds
    code, output = _in_lab(s, "cy", "docker info --format '{{.Name}}' && docker ps -aq | wc -l")
    assert code == 0 and output.split() == ["engine-cy", "0"], output


def test_the_instructor_gradebook_grades_every_learner_in_their_own_engine(hub, sessions, tmp_path):
    from stagelab.grading import gradebook
    from stagelab.hub import grading

    s, _ = hub
    for learner in LEARNERS:
        _copy_tiny_lab_into(s, learner)
    # bea fixes her working copy; the gradebook must see it.
    code, _ = _in_lab(
        s, "bea", "printf 'FROM scratch\\nCOPY hello.txt /hello.txt\\nUSER 65532\\n' > ~/course/labs/99-tiny/Dockerfile"
    )
    assert code == 0
    entries = grading.grade_all(s, TINY_LAB, jobs=3)
    assert [e.learner for e in entries] == sorted(LEARNERS)
    scores = {e.learner: (e.report.score, e.report.could_not_grade) for e in entries}
    assert scores == {"ada": (6, None), "bea": (8, None), "cy": (6, None)}
    csv_path = gradebook.write_csv(entries, tmp_path / "book.csv")
    assert "bea,8,8,passed" in csv_path.read_text()


def test_a_learner_cannot_list_or_remove_another_learners_images_or_containers(hub, sessions):
    s, _ = hub
    code, image_id = _in_lab(s, "ada", "printf 'FROM scratch\\nCOPY Dockerfile /secret\\n' > /tmp/Dockerfile && "
                                       "docker buildx build -q -t ada-secret:1 -f /tmp/Dockerfile /tmp")  # fmt: skip
    assert code == 0, image_id
    code, output = _in_lab(s, "ada", f"docker create --name ada-box {SEEDED_IMAGE} true")
    assert code == 0, output
    image_id = image_id.strip().splitlines()[-1]
    code, listing = _in_lab(s, "bea", "docker images --no-trunc -a; docker ps -a --no-trunc")
    assert code == 0 and "ada-secret" not in listing and image_id not in listing and "ada-box" not in listing
    code, output = _in_lab(s, "bea", f"docker rmi {image_id}")
    assert code != 0 and "No such image" in output
    code, output = _in_lab(s, "bea", "docker rm ada-box")
    assert code != 0 and "No such container" in output
    code, still_there = _in_lab(
        s, "ada", "docker image inspect ada-secret:1 --format ok && docker inspect ada-box --format ok"
    )
    assert code == 0 and still_there.split() == ["ok", "ok"]


def test_a_learner_cannot_reach_another_learners_engine_or_server(hub, sessions):
    from stagelab.engine import workshop

    s, _ = hub
    ada = next(e for e in workshop.learner_engines(s.hub) if e.learner == "ada")
    probe = ("python3 -c \"import socket,sys\n"
             "for port in (2375, 8888):\n"
             "    try:\n"
             f"        socket.create_connection(('{ada.ip}', port), timeout=3); print(port, 'open')\n"
             "    except OSError as e: print(port, 'closed', e)\"")  # fmt: skip
    code, output = _in_lab(s, "bea", probe)
    assert "2375 closed" in output and "8888 closed" in output, output
    code, output = _in_lab(s, "bea", f"DOCKER_HOST=tcp://{ada.ip}:2375 docker images")
    assert code != 0


def test_the_learners_engine_refuses_what_would_reach_the_host(hub, sessions):
    s, _ = hub
    for flags, reason in [("--privileged", "privileged"), ("-v /:/host", "bind mounts"),
                          ("--cap-add SYS_ADMIN", "capabilities"), ("--pid=host", "PidMode=host")]:  # fmt: skip
        code, output = _in_lab(s, "cy", f"docker run --rm {flags} {SEEDED_IMAGE} true")
        assert code != 0 and "authorization denied by plugin stagelab-authz" in output and reason in output, output


def test_stopping_the_hub_leaves_nothing_behind(hub, sessions):
    from stagelab.engine import workshop
    from stagelab.hub import runner

    s, _ = hub
    assert workshop.leftovers(s.hub)["containers"]  # the servers and engines run until now
    stopped = runner.stop(s, purge=True)
    assert stopped.hub_was_running
    assert workshop.leftovers(s.hub) == {"containers": [], "networks": [], "volumes": []}
    assert runner.running_pid(s) is None
