"""Layers: the tars of `docker save` read as file lists and stacked with whiteouts (no engine)."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from stagelab.analysis.layers import LayerContents, merge, read_layer, read_saved_image, resolve

# -- tar files made in memory -----------------------------------------------------------------


def make_tar(members: list[tuple[str, str, bytes | str]], tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    """A tar from (name, kind, data-or-link-target) triples; kind is file, dir, symlink or hardlink."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tar_format) as archive:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                data = payload if isinstance(payload, bytes) else payload.encode()
                info.size = len(data)
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(data))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
            info.mode = 0o755
            info.linkname = payload if isinstance(payload, str) else ""
            archive.addfile(info)
    return buffer.getvalue()


def layer_of(*members: tuple[str, str, bytes | str], capture=None) -> LayerContents:
    return read_layer("layer", io.BytesIO(make_tar(list(members))), capture)


LONG_NAME = "usr/lib/" + "/".join(["a-rather-long-folder-name"] * 6) + "/file.txt"


@pytest.mark.parametrize("tar_format", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
def test_long_names_are_read_from_pax_and_gnu_headers(tar_format):
    data = make_tar([(LONG_NAME, "file", b"x" * 10)], tar_format)
    layer = read_layer("layer", io.BytesIO(data))
    assert layer.entries[0].path == "/" + LONG_NAME
    assert layer.entries[0].size_bytes == 10


def test_layer_entries_keep_kind_mode_and_link_targets():
    layer = layer_of(
        ("usr/", "dir", ""),
        ("usr/bin/tool", "file", b"#!x"),
        ("usr/bin/alias", "symlink", "tool"),
        ("usr/bin/twin", "hardlink", "usr/bin/tool"),
    )
    kinds = {entry.path: (entry.kind, entry.link_target) for entry in layer.entries}
    assert kinds == {
        "/usr": ("dir", None),
        "/usr/bin/tool": ("file", None),
        "/usr/bin/alias": ("symlink", "tool"),
        "/usr/bin/twin": ("hardlink", "/usr/bin/tool"),
    }
    assert layer.content_bytes == 3


def test_whiteout_and_opaque_markers_become_entries_for_the_path_they_affect():
    layer = layer_of(("data/.wh.gone", "file", b""), ("keep/.wh..wh..opq", "file", b""))
    assert [(entry.path, entry.kind) for entry in layer.entries] == [("/data/gone", "whiteout"), ("/keep", "opaque")]


def test_gzip_compressed_layers_are_read():
    import gzip

    data = gzip.compress(make_tar([("etc/hostname", "file", b"box\n")]))
    layer = read_layer("layer", io.BytesIO(data))
    assert [entry.path for entry in layer.entries] == ["/etc/hostname"]


def test_asked_for_contents_are_captured_and_others_skipped():
    layer = layer_of(
        ("var/lib/dpkg/status", "file", b"Package: a\n"),
        ("big", "file", b"0" * 5000),
        capture=lambda path: path == "/var/lib/dpkg/status",
    )
    assert layer.captured == {"/var/lib/dpkg/status": b"Package: a\n"}
    assert [entry.path for entry in layer.entries] == ["/var/lib/dpkg/status", "/big"]


def test_a_legacy_save_archive_with_a_linked_duplicate_layer_is_read_in_manifest_order():
    base = make_tar([("bin/", "dir", ""), ("bin/tool", "file", b"1234")])
    top = make_tar([("etc/motd", "file", b"hi")])
    config = {"rootfs": {"diff_ids": ["sha256:a", "sha256:b", "sha256:a"]}, "history": []}
    manifest = [{"Config": "cfg.json", "Layers": ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"]}]
    outer = io.BytesIO()
    with tarfile.open(fileobj=outer, mode="w") as archive:
        for name, data in [
            ("bbb/layer.tar", top),
            ("aaa/layer.tar", base),
            ("cfg.json", json.dumps(config).encode()),
            ("manifest.json", json.dumps(manifest).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("ccc/layer.tar")
        link.type, link.linkname = tarfile.SYMTYPE, "../aaa/layer.tar"
        archive.addfile(link)
    outer.seek(0)
    saved = read_saved_image(outer)
    assert [[entry.path for entry in layer.entries] for layer in saved.layers] == [
        ["/bin", "/bin/tool"],
        ["/etc/motd"],
        ["/bin", "/bin/tool"],
    ]
    assert saved.config["rootfs"]["diff_ids"][1] == "sha256:b"


# -- stacking layers --------------------------------------------------------------------------


def test_a_whiteout_deletes_the_path_and_everything_under_it():
    lower = layer_of(
        ("data/", "dir", ""), ("data/gone/", "dir", ""), ("data/gone/big", "file", b"x"), ("data/kept", "file", b"y")
    )
    upper = layer_of(("data/", "dir", ""), ("data/.wh.gone", "file", b""))
    assert sorted(merge([lower, upper]).files) == ["/data", "/data/kept"]


def test_an_opaque_folder_hides_lower_content_but_keeps_its_own_layers_files():
    lower = layer_of(("keep/", "dir", ""), ("keep/old", "file", b"x"))
    upper = layer_of(("keep/", "dir", ""), ("keep/new", "file", b"y"), ("keep/.wh..wh..opq", "file", b""))
    assert sorted(merge([lower, upper]).files) == ["/keep", "/keep/new"]


def test_a_file_replacing_a_folder_hides_the_folders_content():
    lower = layer_of(("cache/", "dir", ""), ("cache/tmp", "file", b"x"))
    upper = layer_of(("cache", "file", b"now a file"))
    files = merge([lower, upper]).files
    assert sorted(files) == ["/cache"] and files["/cache"].kind == "file"


def test_captured_contents_follow_overwrites_and_deletions():
    capture = lambda path: path.startswith("/etc/")  # noqa: E731
    first = layer_of(("etc/passwd", "file", b"root"), ("etc/group", "file", b"root"), capture=capture)
    second = layer_of(("etc/passwd", "file", b"root\nnode"), ("etc/.wh.group", "file", b""), capture=capture)
    assert merge([first, second]).contents == {"/etc/passwd": b"root\nnode"}


def test_paths_resolve_through_symlinked_folders_and_relative_links():
    files = merge(
        [
            layer_of(
                ("bin", "symlink", "usr/bin"),
                ("usr/bin/dash", "file", b"x"),
                ("usr/bin/sh", "symlink", "dash"),
                ("etc/alternatives/node", "symlink", "../../usr/bin/dash"),
            )
        ]
    ).files
    assert resolve(files, "/bin/sh") == "/usr/bin/dash"
    assert resolve(files, "/etc/alternatives/node") == "/usr/bin/dash"
    assert resolve(files, "/bin/bash") is None


def test_a_symlink_loop_does_not_resolve():
    files = merge([layer_of(("a", "symlink", "b"), ("b", "symlink", "a"))]).files
    assert resolve(files, "/a") is None
