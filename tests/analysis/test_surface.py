"""The attack surface: shells, package managers, compilers, interpreters, setuid files, packages —
read from a file tree, with symlinks resolved inside the image."""

from __future__ import annotations

import pytest

from stagelab.analysis.layers import FileEntry
from stagelab.analysis.surface import attack_surface, installed_packages, program_name


def tree(*entries: FileEntry) -> dict[str, FileEntry]:
    files: dict[str, FileEntry] = {}
    for entry in entries:
        parent = entry.path.rsplit("/", 1)[0]
        while parent and parent not in files:
            files[parent] = FileEntry(parent, 0, 0o755, 0, 0, "dir")
            parent = parent.rsplit("/", 1)[0]
        files[entry.path] = entry
    return files


def program(path: str, mode: int = 0o755, size: int = 1000) -> FileEntry:
    return FileEntry(path, size, mode, 0, 0, "file")


def symlink(path: str, target: str) -> FileEntry:
    return FileEntry(path, 0, 0o777, 0, 0, "symlink", target)


MERGED_USR = (symlink("/bin", "usr/bin"), symlink("/sbin", "usr/sbin"))


def test_a_shell_reached_through_merged_usr_symlinks_is_found():
    files = tree(*MERGED_USR, program("/usr/bin/dash"), symlink("/usr/bin/sh", "dash"))
    surface = attack_surface(files, {})
    assert surface.shells == ("/usr/bin/dash", "/usr/bin/sh")
    assert surface.has_shell


def test_a_dangling_shell_symlink_is_not_a_shell():
    files = tree(symlink("/bin/sh", "/bin/bash"))
    assert attack_surface(files, {}).shells == ()


def test_a_shell_without_execute_bits_is_not_a_shell():
    files = tree(program("/bin/sh", mode=0o644))
    assert not attack_surface(files, {}).has_shell


def test_distroless_node_has_an_interpreter_and_nothing_else():
    files = tree(program("/nodejs/bin/node"), program("/usr/lib/x86_64-linux-gnu/libc.so.6"))
    surface = attack_surface(files, {})
    assert surface.interpreters == ("node",)
    assert (surface.shells, surface.package_managers, surface.compilers) == ((), (), ())


def test_package_managers_are_named_by_their_manager():
    files = tree(
        program("/usr/bin/apt-get"),
        program("/usr/bin/dpkg"),
        program("/usr/local/lib/node_modules/npm/bin/npm-cli.js"),
        symlink("/usr/local/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js"),
        symlink("/usr/local/bin/corepack", "../lib/node_modules/corepack/dist/corepack.js"),
        program("/usr/local/lib/node_modules/corepack/dist/corepack.js"),
    )
    assert attack_surface(files, {}).package_managers == ("apt", "corepack", "dpkg", "npm")


def test_npm_left_in_node_modules_counts_even_without_its_launcher():
    files = tree(program("/usr/lib/node_modules/npm/package.json", mode=0o644))
    assert attack_surface(files, {}).package_managers == ("npm",)


def test_versioned_and_triplet_compiler_names_are_reduced_to_the_tool():
    files = tree(
        program("/usr/bin/x86_64-linux-gnu-gcc-14"),
        symlink("/usr/bin/cc", "x86_64-linux-gnu-gcc-14"),
        program("/usr/bin/make"),
    )
    assert attack_surface(files, {}).compilers == ("cc", "gcc", "make")


@pytest.mark.parametrize(
    "filename, name",
    [("gcc-14", "gcc"), ("python3.13", "python3"), ("perl5.40.1", "perl"), ("g++", "g++"), ("node", "node")],
)
def test_program_names_drop_versions(filename, name):
    assert program_name(filename) == name


def test_setuid_and_setgid_files_are_listed_but_setgid_folders_are_not():
    files = tree(
        program("/usr/bin/su", mode=0o4755),
        program("/usr/bin/chage", mode=0o2755),
        FileEntry("/var/mail", 0, 0o2775, 0, 8, "dir"),
    )
    assert attack_surface(files, {}).setuid_files == ("/usr/bin/chage", "/usr/bin/su")


def test_executables_are_regular_files_with_any_execute_bit():
    files = tree(program("/a", 0o700), program("/b", 0o644), program("/c", 0o001), symlink("/d", "/a"))
    assert attack_surface(files, {}).executables_count == 2


DPKG_STATUS = b"""\
Package: base-files
Status: install ok installed
Version: 13.8
Description: Debian base system
 miscellaneous files

Package: removed-thing
Status: deinstall ok config-files
Version: 1.0

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.41-12
"""


def test_dpkg_status_lists_only_installed_packages():
    packages = installed_packages({}, {"/var/lib/dpkg/status": DPKG_STATUS})
    assert [(p.name, p.version, p.source) for p in packages] == [
        ("base-files", "13.8", "dpkg"),
        ("libc6", "2.41-12", "dpkg"),
    ]


def test_distroless_status_d_files_list_packages():
    contents = {
        "/var/lib/dpkg/status.d/libc6": b"Package: libc6\nVersion: 2.41-12\nArchitecture: amd64\n",
        "/var/lib/dpkg/status.d/tzdata": b"Package: tzdata\nVersion: 2025b-4\n",
    }
    packages = installed_packages({}, contents)
    assert [(p.name, p.source) for p in packages] == [("libc6", "status.d"), ("tzdata", "status.d")]


def test_busybox_applets_named_dpkg_and_rpm_are_not_package_managers():
    # distroless :debug: a static busybox at /busybox with a symlink per applet.
    files = tree(
        program("/busybox/busybox"),
        symlink("/busybox/dpkg", "busybox"),
        symlink("/busybox/rpm", "busybox"),
        symlink("/busybox/sh", "busybox"),
    )
    surface = attack_surface(files, {})
    assert surface.package_managers == ()
    assert "/busybox/sh" in surface.shells
    assert surface.busybox_applets == ("/busybox/dpkg", "/busybox/rpm", "/busybox/sh")


def test_hardlinked_busybox_applets_are_applets_too():
    files = tree(program("/bin/busybox"), FileEntry("/bin/dpkg", 0, 0o755, 0, 0, "hardlink", "bin/busybox"))
    assert attack_surface(files, {}).package_managers == ()


def test_a_real_dpkg_beside_busybox_is_still_a_package_manager():
    files = tree(program("/busybox/busybox"), symlink("/busybox/rpm", "busybox"), program("/usr/bin/dpkg"))
    assert attack_surface(files, {}).package_managers == ("dpkg",)
