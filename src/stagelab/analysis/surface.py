"""The attack surface of an image: what an intruder (or a learner with `docker exec`) would find.

Everything is read from the image's merged file tree, without starting a container:
shells, package managers, compilers and build tools, interpreters, setuid/setgid
files, the number of executables, and the installed Debian packages (from
``/var/lib/dpkg/status``, or distroless-style ``/var/lib/dpkg/status.d/*``).
Symlinks are resolved inside the image (merged /usr: ``/bin`` -> ``usr/bin``), and a
tool only counts when the file it names is really there. A name that is a link to
busybox (``/busybox/dpkg`` in distroless ``:debug``) is a busybox *applet*, listed
as such: busybox's ``dpkg`` and ``rpm`` applets are not package managers (no
package database, no repositories), while its ``sh`` is a real shell.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from .layers import FileEntry, resolve

DPKG_STATUS = "/var/lib/dpkg/status"
DPKG_STATUS_D = "/var/lib/dpkg/status.d"

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "rbash", "csh", "tcsh", "fish", "busybox"})

#: Program name -> the package manager it belongs to.
PACKAGE_MANAGERS = {
    "apt": "apt",
    "apt-get": "apt",
    "dpkg": "dpkg",
    "apk": "apk",
    "npm": "npm",
    "npx": "npm",
    "pip": "pip",
    "pip3": "pip",
    "yarn": "yarn",
    "corepack": "corepack",
    "pnpm": "pnpm",
    "yum": "yum",
    "dnf": "dnf",
    "microdnf": "dnf",
    "rpm": "rpm",
    "gem": "gem",
    "conda": "conda",
}
#: Package managers usable without their launcher script (``python3 -m pip``, ``node …/npm-cli.js``).
_MANAGER_MODULES = (
    (re.compile(r"/(site|dist)-packages/pip/__init__\.py$"), "pip"),
    (re.compile(r"/node_modules/npm/package\.json$"), "npm"),
    (re.compile(r"/node_modules/corepack/package\.json$"), "corepack"),
)

COMPILERS = frozenset(
    {
        "gcc",
        "g++",
        "cc",
        "c++",
        "clang",
        "clang++",
        "tcc",
        "make",
        "gmake",
        "cmake",
        "ninja",
        "go",
        "rustc",
        "cargo",
        "javac",
        "gfortran",
        "ld",
        "as",
    }
)
INTERPRETERS = frozenset(
    {"node", "nodejs", "python", "python2", "python3", "perl", "ruby", "php", "lua", "java", "deno", "bun", "tclsh"}
)

# x86_64-linux-gnu-gcc-14, python3.13, perl5.40.1 -> gcc, python3, perl
_TRIPLET = re.compile(r"^[a-z0-9_]+-linux-gnu[a-z]*-")
_VERSIONED = re.compile(r"^(?P<name>python[23]?|[a-z][a-z+_-]*?)(?:[-.]?\d+(?:\.\d+)*)?$")


@dataclass(frozen=True)
class Package:
    """An installed Debian package."""

    name: str
    version: str
    source: str  # "dpkg" (/var/lib/dpkg/status) or "status.d" (distroless)


@dataclass(frozen=True)
class AttackSurface:
    """What can be run inside the image besides the app."""

    shells: tuple[str, ...]
    package_managers: tuple[str, ...]
    compilers: tuple[str, ...]
    interpreters: tuple[str, ...]
    setuid_files: tuple[str, ...]
    executables_count: int
    packages: tuple[Package, ...]
    #: Names that are links to busybox (applets), e.g. ``/busybox/dpkg``; their shells count as shells.
    busybox_applets: tuple[str, ...] = ()

    @property
    def has_shell(self) -> bool:
        return bool(self.shells)

    @property
    def has_package_manager(self) -> bool:
        return bool(self.package_managers)

    @property
    def has_compilers(self) -> bool:
        return bool(self.compilers)

    def to_dict(self) -> dict:
        return {
            "shells": list(self.shells),
            "package_managers": list(self.package_managers),
            "compilers": list(self.compilers),
            "interpreters": list(self.interpreters),
            "setuid_files": list(self.setuid_files),
            "executables_count": self.executables_count,
            "packages_count": len(self.packages),
            "packages": [{"name": p.name, "version": p.version, "source": p.source} for p in self.packages],
            "busybox_applets_count": len(self.busybox_applets),
            "has_shell": self.has_shell,
            "has_package_manager": self.has_package_manager,
            "has_compilers": self.has_compilers,
        }


def program_name(filename: str) -> str:
    """A program's name without target triplet or version (``x86_64-linux-gnu-gcc-14`` -> ``gcc``)."""
    name = _TRIPLET.sub("", filename)
    match = _VERSIONED.match(name)
    return match.group("name") if match else name


def _runnable(files: dict[str, FileEntry], path: str) -> bool:
    """The path (after symlinks) is an executable regular file in the image."""
    real = resolve(files, path)
    if real is None:
        return False
    entry = files.get(real)
    if entry is None:
        return False
    if entry.kind == "hardlink" and entry.link_target:
        entry = files.get(entry.link_target, entry)
    return entry.kind in ("file", "hardlink") and bool(entry.mode & 0o111)


def _real_file(files: dict[str, FileEntry], path: str) -> str | None:
    """The regular file a path ends at: symlinks resolved, a hardlink taken to the file it links to."""
    real = resolve(files, path)
    entry = files.get(real) if real is not None else None
    if entry is not None and entry.kind == "hardlink" and entry.link_target:
        return "/" + entry.link_target.lstrip("/")
    return real


def _busybox_files(files: dict[str, FileEntry]) -> set[str]:
    """The busybox binaries of an image: files named busybox, and the files hardlinked under that name."""
    found = set()
    for path, entry in files.items():
        if posixpath.basename(path) == "busybox" and entry.kind in ("file", "hardlink"):
            found.add(path)
            if entry.kind == "hardlink" and entry.link_target:
                found.add("/" + entry.link_target.lstrip("/"))
    return found


def _in_program_folder(path: str) -> bool:
    folder = posixpath.dirname(path)
    return posixpath.basename(folder) in ("bin", "sbin", "busybox") or folder == "/busybox"


def parse_control(text: str) -> list[dict[str, str]]:
    """Parse Debian control stanzas (the dpkg status format) into dicts of fields."""
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last_key = None
    for line in text.splitlines():
        if not line.strip():
            if current:
                stanzas.append(current)
            current, last_key = {}, None
        elif line[0] in " \t":
            if last_key:
                current[last_key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            last_key = key.strip()
            current[last_key] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def installed_packages(files: dict[str, FileEntry], contents: dict[str, bytes]) -> tuple[Package, ...]:
    """Packages from dpkg's status file and from distroless-style ``status.d`` files."""
    found: dict[str, Package] = {}
    status = contents.get(DPKG_STATUS)
    if status is not None:
        for stanza in parse_control(status.decode("utf-8", "replace")):
            state = stanza.get("Status", "").split()
            if "Package" in stanza and state and state[-1] == "installed":
                found[stanza["Package"]] = Package(stanza["Package"], stanza.get("Version", ""), "dpkg")
    for path, data in sorted(contents.items()):
        if posixpath.dirname(path) != DPKG_STATUS_D or path.endswith(".md5sums"):
            continue
        for stanza in parse_control(data.decode("utf-8", "replace")):
            if "Package" in stanza and stanza["Package"] not in found:
                found[stanza["Package"]] = Package(stanza["Package"], stanza.get("Version", ""), "status.d")
    return tuple(sorted(found.values(), key=lambda package: package.name))


def wants_content(path: str) -> bool:
    """The small files a report reads the contents of (see :func:`stagelab.analysis.layers.read_layer`)."""
    return (
        path == DPKG_STATUS
        or (posixpath.dirname(path) == DPKG_STATUS_D and not path.endswith(".md5sums"))
        or path in ("/etc/passwd", "/etc/group", "/etc/os-release", "/usr/lib/os-release")
    )


def attack_surface(files: dict[str, FileEntry], contents: dict[str, bytes]) -> AttackSurface:
    """Find shells, package managers, compilers, interpreters, setuid files and packages in a merged tree."""
    shells: list[str] = []
    managers: set[str] = set()
    compilers: set[str] = set()
    interpreters: set[str] = set()
    setuid: list[str] = []
    applets: list[str] = []
    executables = 0
    busybox = _busybox_files(files)
    for path, entry in files.items():
        if entry.kind not in ("file", "hardlink", "symlink"):
            continue
        if entry.kind != "symlink":
            executables += entry.is_executable
            if entry.mode & 0o6000:
                setuid.append(path)
            managers.update(manager for pattern, manager in _MANAGER_MODULES if pattern.search(path))
        if not _in_program_folder(path):
            continue
        filename = posixpath.basename(path)
        name = program_name(filename)
        kinds = (
            filename in SHELLS,
            filename in PACKAGE_MANAGERS,
            name in COMPILERS,
            name in INTERPRETERS,
        )
        if not any(kinds) or not _runnable(files, path):
            continue
        is_shell, is_manager, is_compiler, is_interpreter = kinds
        if busybox and filename != "busybox" and _real_file(files, path) in busybox:
            # An applet: busybox's own dpkg/rpm are no package managers; its sh is a shell.
            applets.append(path)
            is_manager = is_compiler = False
        if is_shell:
            shells.append(path)
        if is_manager:
            managers.add(PACKAGE_MANAGERS[filename])
        if is_compiler:
            compilers.add(name)
        if is_interpreter:
            interpreters.add(name)
    return AttackSurface(
        shells=tuple(sorted(shells)),
        package_managers=tuple(sorted(managers)),
        compilers=tuple(sorted(compilers)),
        interpreters=tuple(sorted(interpreters)),
        setuid_files=tuple(sorted(setuid)),
        executables_count=executables,
        packages=installed_packages(files, contents),
        busybox_applets=tuple(sorted(applets)),
    )
