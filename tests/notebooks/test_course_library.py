"""The library the chapters call: stagelab.course, engine.debugging, engine.compressed."""

from __future__ import annotations

import pytest

from stagelab import course
from stagelab.engine import BuildFailed

DISTROLESS_NODE = "gcr.io/distroless/nodejs24-debian13:nonroot"
KEEP_RUNNING = ["-e", "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0))"]


def test_show_file_numbers_lines_from_the_first_shown():
    view = course.show_file(course.example_dockerfile("node-app", "single"), lines=(2, 3))
    assert repr(view).splitlines()[1] == "2  FROM node:24-trixie"
    assert view._repr_markdown_().count("\n") == 5


def test_dockerfile_variant_changes_exactly_the_one_line(tmp_path):
    original = course.example_dockerfile("node-app", "distroless").read_text().splitlines()
    variant = course.dockerfile_variant("node-app", "distroless", 'CMD ["server.js"]', "CMD node server.js")
    changed = variant.read_text().splitlines()
    assert [(a, b) for a, b in zip(original, changed) if a != b] == [('CMD ["server.js"]', "CMD node server.js")]


def test_edit_refuses_text_that_is_not_there_exactly_once(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("a\na\n")
    with pytest.raises(ValueError, match="exactly one"):
        course.edit(path, "a", "b")


def test_workspace_is_a_clean_copy_without_host_node_modules_or_course_dockerfiles():
    work = course.workspace("node-app", "test-workspace", files={".env": "SECRET=1\n"})
    assert (work / "server.js").is_file() and (work / ".env").read_text() == "SECRET=1\n"
    assert not (work / "node_modules").exists()
    assert not list(work.glob("Dockerfile.*"))


def test_table_renders_as_html_and_aligned_text():
    shown = course.table(("name", "size"), [("a<b", 1), ("c", None)])
    assert "a&lt;b" in shown._repr_html_()
    assert repr(shown).splitlines() == ["name  size", "----  ----", "a<b   1", "c"]


def test_tags_of_course_images_name_app_and_variant():
    assert course.tag("go-app", "scratch") == "stagelab-course/go-app:scratch"


@pytest.mark.engine
def test_seed_dockerfile_as_written_fails_at_line_3_with_buildkits_words(engine):
    failure = course.try_build(course.example("seed") / "app", course.example("seed") / "Dockerfile.multistage")
    assert isinstance(failure, BuildFailed)
    assert failure.line == 3
    assert "FROM requires either one or three arguments" in failure.reason


@pytest.mark.engine
def test_sidecar_sees_the_apps_processes_and_network(engine, leak_check):
    from stagelab.engine.debugging import running, sidecar

    with running(DISTROLESS_NODE, command=KEEP_RUNNING) as app:
        listing = sidecar(app, ["ps", "-o", "pid,args"])
        assert listing.ok
        assert "/nodejs/bin/node" in listing.output


@pytest.mark.engine
def test_copy_out_reads_files_from_a_container_without_a_shell(engine, leak_check):
    from stagelab.engine.debugging import copy_out, running

    with running(DISTROLESS_NODE, command=KEEP_RUNNING) as app:
        files = copy_out(app, "/etc/passwd")
    assert b"nonroot:x:65532" in files["passwd"]


@pytest.mark.engine
def test_logs_and_processes_come_from_the_engine(engine, leak_check):
    from stagelab.engine.debugging import running

    script = ["-e", "console.log('hello from the app'); setInterval(() => {}, 1000)"]
    with running(DISTROLESS_NODE, command=script) as app:
        assert "hello from the app" in app.logs()
        assert any("node" in line for line in app.processes())


@pytest.mark.engine
def test_compressed_size_is_the_gzip_of_the_layers_and_smaller(engine):
    from stagelab.engine.compressed import compressed_size

    measured = compressed_size("debian:trixie-slim")
    assert measured.layers_count >= 1
    # Debian's files compress to roughly a third; anything near 0 or 1 means a wrong measure.
    assert 0.15 < measured.ratio < 0.6


@pytest.mark.engine
def test_check_exits_reports_the_engines_words_for_a_shell_form_entrypoint(engine, make_context, leak_check):
    folder = make_context({"Dockerfile": "FROM gcr.io/distroless/static-debian13:nonroot\nENTRYPOINT echo hello\n"})
    image = "stagelab-test/course-shell-form:1"
    built = course.try_build(folder, tag=image)
    assert not isinstance(built, BuildFailed)
    shown = course.check_exits({"shell form": image})
    assert 'exec: "/bin/sh"' in shown.rows[0][3]


@pytest.mark.engine
def test_look_inside_names_shells_and_paths_of_an_image(engine):
    shown = dict(course.look_inside("gcr.io/distroless/static-debian13:debug", paths=["/busybox/sh", "/bin/bash"]).rows)
    assert "/busybox/sh" in shown["shells"]
    assert shown["/busybox/sh"].startswith("present") and shown["/bin/bash"] == "absent"


def test_change_a_line_makes_a_change_that_is_new_every_time(tmp_path):
    source = tmp_path / "app.js"
    source.write_text("console.log('hi');\n")
    first = course.change_a_line(source)
    second = course.change_a_line(source)
    assert first != second and first.startswith("// changed: ")
    assert source.read_text().splitlines() == ["console.log('hi');", first, second]
