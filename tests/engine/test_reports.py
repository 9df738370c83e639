"""Image reports: the layer tars of `docker save` read as file lists, stacked with whiteouts, and the
report built from them (size, layers, config, tree, surface), cached by image id."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from stagelab.cli import main as cli_main
from stagelab.engine import reports
from stagelab.engine.reports import clean_instruction, image_report
from stagelab.errors import ImageNotFound


@pytest.mark.parametrize(
    "created_by, instruction",
    [
        ("RUN /bin/sh -c apt-get update # buildkit", "RUN apt-get update"),
        ("RUN |1 NODE_ENV=production /bin/sh -c npm ci # buildkit", "RUN npm ci"),
        ('/bin/sh -c #(nop)  CMD ["node"]', 'CMD ["node"]'),
        ("COPY . /app # buildkit", "COPY . /app"),
    ],
)
def test_history_entries_read_as_the_dockerfile_instruction(created_by, instruction):
    assert clean_instruction(created_by) == instruction


# -- reports of real images -------------------------------------------------------------------

APP_IMAGE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /app /etc /tmp/junk && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd \\
 && echo 'app:x:1000:1000::/app:/bin/sh' >> /etc/passwd && head -c 20000 /dev/urandom > /tmp/junk/blob
RUN rm -rf /tmp/junk && cp /bin/busybox /bin/suidtool && chmod 4755 /bin/suidtool && echo hello > /app/hello.txt
ENV GREETING=hello
WORKDIR /app
EXPOSE 8080
LABEL course.example=yes
USER app
ENTRYPOINT ["/bin/busybox"]
CMD ["httpd", "-f"]
"""


@pytest.fixture(scope="module")
def app_image(engine, busybox_binary, tmp_path_factory) -> str:
    from stagelab.engine import Build

    root = tmp_path_factory.mktemp("report-app")
    (root / "Dockerfile").write_text(APP_IMAGE)
    shutil.copy2(busybox_binary, root / "busybox")
    tag = f"stagelab-test/report-app:{os.environ['STAGELAB_OWNER']}"
    Build(root, tag=tag, kind="test-fixture", use_slots=False).run()
    return tag


@pytest.mark.engine
def test_report_size_is_the_engines_image_size(engine, app_image):
    assert image_report(app_image).size_bytes == engine.images.get(app_image).attrs["Size"]


@pytest.mark.engine
def test_report_layers_carry_their_instruction_and_empty_steps_are_marked(app_image):
    layers = image_report(app_image).layers
    with_files = [layer.created_by for layer in layers if not layer.empty]
    assert with_files[:2] == ["COPY busybox /bin/busybox", "RUN /bin/busybox --install -s /bin"]
    assert with_files[2].startswith("RUN mkdir -p /app /etc /tmp/junk")
    assert with_files[3].startswith("RUN rm -rf /tmp/junk")
    assert {layer.created_by for layer in layers if layer.empty} >= {
        "ENV GREETING=hello",
        "EXPOSE map[8080/tcp:{}]",
        "USER app",
    }
    assert all(layer.digest.startswith("sha256:") for layer in layers if not layer.empty)


@pytest.mark.engine
def test_report_config_reads_user_entrypoint_cmd_env_workdir_ports_and_labels(app_image):
    config = image_report(app_image).config
    assert config.user == "app"
    assert config.entrypoint == ("/bin/busybox",)
    assert config.cmd == ("httpd", "-f")
    assert config.env["GREETING"] == "hello"
    assert config.workdir == "/app"
    assert config.exposed_ports == ("8080/tcp",)
    assert config.labels["course.example"] == "yes"


@pytest.mark.engine
def test_report_user_named_in_passwd_with_a_nonzero_uid_is_non_root(app_image):
    report = image_report(app_image)
    assert report.users["app"] == 1000
    assert report.non_root


@pytest.mark.engine
def test_report_tree_has_final_files_not_deleted_ones(app_image):
    report = image_report(app_image)
    assert report.exists("/app/hello.txt")
    assert not report.exists("/tmp/junk/blob")
    assert report.exists("/bin/sh") and report.resolve("/bin/sh") == "/bin/busybox"
    assert report.files["/bin/suidtool"].mode == 0o4755


@pytest.mark.engine
def test_report_biggest_counts_folders_as_their_subtree(app_image):
    report = image_report(app_image)
    biggest = dict(report.biggest(3))
    assert biggest["/bin"] == report.files["/bin/busybox"].size_bytes + report.files["/bin/suidtool"].size_bytes
    assert report.biggest(1, "file")[0][1] == report.files["/bin/busybox"].size_bytes


@pytest.mark.engine
def test_report_of_a_busybox_image_shows_its_shells_and_setuid_file(app_image):
    surface = image_report(app_image).surface
    assert "/bin/sh" in surface.shells
    assert surface.setuid_files == ("/bin/suidtool",)


@pytest.mark.engine
def test_a_second_report_of_the_same_image_comes_from_the_cache_in_milliseconds(app_image):
    first = image_report(app_image)
    started = time.perf_counter()
    second = image_report(app_image)
    assert time.perf_counter() - started < 0.1
    assert second.files is first.files


@pytest.mark.engine
def test_reports_are_cached_by_image_id_so_a_new_tag_shows_with_the_same_contents(engine, app_image):
    first = image_report(app_image)
    engine.images.get(app_image).tag("stagelab-test/report-app", tag=f"{os.environ['STAGELAB_OWNER']}-alias")
    try:
        again = image_report(f"stagelab-test/report-app:{os.environ['STAGELAB_OWNER']}-alias")
        assert again.files is first.files
        assert f"stagelab-test/report-app:{os.environ['STAGELAB_OWNER']}-alias" in again.tags
    finally:
        engine.images.remove(f"stagelab-test/report-app:{os.environ['STAGELAB_OWNER']}-alias", noprune=True)


@pytest.mark.engine
def test_a_report_on_disk_is_reused_by_a_new_process(monkeypatch, tmp_path, engine):
    monkeypatch.setenv("STAGELAB_STATE_DIR", str(tmp_path))
    reports.clear_cache()
    made = image_report("gcr.io/distroless/static-debian13")
    assert list((tmp_path / "reports").glob("*.pickle"))
    reports.clear_cache()  # as if this were a new process
    started = time.perf_counter()
    loaded = image_report("gcr.io/distroless/static-debian13")
    assert time.perf_counter() - started < 1.0
    assert loaded.files == made.files and loaded is not made


@pytest.mark.engine
@pytest.mark.parametrize("image", ["app", "gcr.io/distroless/nodejs24-debian13:debug"])
def test_the_layer_store_fast_path_gives_the_same_report_as_docker_save(app_image, image):
    ref = app_image if image == "app" else image
    fast = image_report(ref, use_cache=False, source="layer-store")
    saved = image_report(ref, use_cache=False, source="docker-save")
    assert (fast.source, saved.source) == ("layer-store", "docker-save")
    assert fast.files == saved.files
    assert fast.layers == saved.layers
    assert fast.efficiency_details == saved.efficiency_details
    assert fast.surface == saved.surface


@pytest.mark.engine
def test_a_missing_image_says_to_prepare_the_images(engine):
    with pytest.raises(ImageNotFound, match="stagelab images prepare"):
        image_report("stagelab-test/never-built:nope")


@pytest.mark.engine
def test_distroless_nodejs_has_no_shell_and_no_package_manager(engine):
    report = image_report("gcr.io/distroless/nodejs24-debian13")
    assert not report.surface.has_shell
    assert not report.exists("/bin/sh")
    assert not report.surface.has_package_manager
    assert report.surface.interpreters == ("node",)
    assert {"libc6", "tzdata"} <= {package.name for package in report.surface.packages}
    assert {package.source for package in report.surface.packages} == {"status.d"}
    assert report.config.entrypoint == ("/nodejs/bin/node",)


@pytest.mark.engine
def test_distroless_nonroot_runs_as_uid_65532_and_latest_as_root(engine):
    assert image_report("gcr.io/distroless/nodejs24-debian13:nonroot").non_root
    assert image_report("gcr.io/distroless/nodejs24-debian13:nonroot").config.user == "65532"
    assert not image_report("gcr.io/distroless/nodejs24-debian13:latest").non_root


@pytest.mark.engine
def test_the_full_node_image_has_a_shell_apt_compilers_and_npm(engine):
    report = image_report("node:24-trixie")
    assert report.exists("/bin/sh")
    assert {"apt", "dpkg", "npm"} <= set(report.surface.package_managers)
    assert {"gcc", "make"} <= set(report.surface.compilers)
    assert report.surface.interpreters and "node" in report.surface.interpreters
    assert any(package.name == "gcc" or package.name.startswith("gcc-") for package in report.surface.packages)


# -- the CLI ----------------------------------------------------------------------------------


@pytest.mark.engine
def test_inspect_json_prints_the_report(app_image, capsys):
    assert cli_main(["inspect", app_image, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["config"]["user"] == "app"
    assert printed["surface"]["has_shell"] is True


@pytest.mark.engine
def test_inspect_prints_a_readable_report(app_image, capsys):
    assert cli_main(["inspect", app_image]) == 0
    out = capsys.readouterr().out
    assert "Attack surface" in out and "/bin/suidtool" in out and "COPY busybox /bin/busybox" in out


@pytest.mark.engine
def test_inspect_of_a_missing_image_exits_non_zero_with_a_clear_message(engine, capsys):
    assert cli_main(["inspect", "stagelab-test/never-built:nope"]) != 0
    assert "stagelab images prepare" in capsys.readouterr().err
