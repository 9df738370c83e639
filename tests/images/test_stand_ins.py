"""Each stand-in matches the facts its catalogue entry (stagelab.images.catalogue) gives for its upstream image.

Files are read with the engine's archive API on a created (never started) container,
so the shell-less distroless images are inspected the same way as the others.
"""

from __future__ import annotations

import stat

import pytest

from stagelab import labels
from stagelab.engine import image_store
from stagelab.images import catalogue, site_certs

pytestmark = pytest.mark.engine

DISTROLESS_PASSWD = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
)
DISTROLESS_GROUP = "root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FLAVOURS = ("static", "base", "cc", "nodejs24", "python3")
TAGS = ("latest", "nonroot", "debug", "debug-nonroot")
DISTROLESS = [f"gcr.io/distroless/{flavour}-debian13:{tag}" for flavour in FLAVOURS for tag in TAGS]
STATUS_D = {
    "static": {"base-files", "netbase", "tzdata", "tzdata-legacy", "media-types"},
    "base": {"libc6", "libssl3t64", "libzstd1", "zlib1g"},
    "cc": {"libgcc-s1", "libstdc++6", "libgomp1", "gcc-14-base"},
    "python3": {"python3.13-minimal", "libpython3.13-stdlib"},
}


def _flavour(reference: str) -> str:
    return reference.split("/")[-1].split("-debian13")[0]


@pytest.fixture(scope="module")
def distroless(course_images):
    course_images(*DISTROLESS)


@pytest.mark.parametrize("reference", DISTROLESS)
def test_distroless_passwd_and_group_are_exactly_upstreams(distroless, reference):
    files = image_store.read_files(reference, ["/etc/passwd", "/etc/group"])
    assert files["/etc/passwd"].decode() == DISTROLESS_PASSWD
    assert files["/etc/group"].decode() == DISTROLESS_GROUP


@pytest.mark.parametrize("reference", DISTROLESS)
def test_distroless_has_no_shell_and_no_package_manager_outside_busybox(distroless, reference):
    found = image_store.stat_paths(reference, ["/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/apt", "/usr/bin/dpkg"])
    assert all(entry is None for entry in found.values()), {p: e.kind for p, e in found.items() if e}


@pytest.mark.parametrize("reference", DISTROLESS)
def test_distroless_homes_tmp_and_merged_usr_have_upstreams_modes(distroless, reference):
    found = image_store.stat_paths(reference, ["/root", "/home/nonroot", "/tmp", "/bin", "/lib"])
    assert stat.S_IMODE(found["/root"].mode) == 0o700
    assert stat.S_IMODE(found["/home/nonroot"].mode) == 0o700 and found["/home/nonroot"].uid == 65532
    assert stat.S_IMODE(found["/tmp"].mode) == 0o1777
    assert found["/bin"].kind == "symlink" and found["/bin"].link_target == "usr/bin"
    assert found["/lib"].kind == "symlink" and found["/lib"].link_target == "usr/lib"


@pytest.mark.parametrize("reference", DISTROLESS)
def test_distroless_has_the_ca_bundle_tzdata_and_status_d_records(distroless, reference):
    found = image_store.stat_paths(
        reference, ["/etc/ssl/certs/ca-certificates.crt", "/usr/share/zoneinfo/Europe/Paris", "/etc/nsswitch.conf"]
    )
    assert found["/etc/ssl/certs/ca-certificates.crt"].size > 100_000
    assert found["/usr/share/zoneinfo/Europe/Paris"] is not None
    assert found["/etc/nsswitch.conf"] is not None
    records = set(image_store.list_dir(reference, "/var/lib/dpkg/status.d"))
    flavour = _flavour(reference)
    expected = set(STATUS_D["static"])
    for layer in {
        "static": [],
        "base": ["base"],
        "cc": ["base", "cc"],
        "nodejs24": ["base", "cc"],
        "python3": ["base", "cc", "python3"],
    }[flavour]:
        expected |= STATUS_D[layer]
    assert expected <= records, expected - records
    record = image_store.read_files(reference, ["/var/lib/dpkg/status.d/base-files"])[
        "/var/lib/dpkg/status.d/base-files"
    ]
    assert record.startswith(b"Package: base-files\n")


@pytest.mark.parametrize("reference", DISTROLESS)
def test_distroless_config_matches_upstream_for_each_tag(distroless, reference):
    facts = image_store.require(reference)
    tag = reference.rsplit(":", 1)[1]
    flavour = _flavour(reference)
    nonroot = tag.endswith("nonroot")
    assert facts.config.user == ("65532" if nonroot else "0")
    assert facts.config.workdir == ("/home/nonroot" if nonroot else "/")
    assert facts.config.env.get("SSL_CERT_FILE") == "/etc/ssl/certs/ca-certificates.crt"
    assert facts.config.env.get("PATH") == (PATH + ":/busybox" if tag.startswith("debug") else PATH)
    own = {"nodejs24": ("/nodejs/bin/node",), "python3": ("/usr/bin/python3.13",)}.get(flavour)
    debug = ("/busybox/sh",) if tag.startswith("debug") else None
    assert facts.config.entrypoint == (own or debug)
    assert facts.config.cmd is None


@pytest.mark.parametrize("tag", ["debug", "debug-nonroot"])
def test_distroless_debug_has_busybox_with_applet_links(distroless, tag):
    found = image_store.stat_paths(
        f"gcr.io/distroless/static-debian13:{tag}", ["/busybox/busybox", "/busybox/sh", "/busybox/ls"]
    )
    assert found["/busybox/busybox"].kind == "file"
    assert found["/busybox/sh"].kind == "symlink" and found["/busybox/ls"].kind == "symlink"


def test_distroless_nodejs_has_node_only_and_not_on_path(distroless):
    reference = "gcr.io/distroless/nodejs24-debian13:latest"
    found = image_store.stat_paths(
        reference, ["/nodejs/bin/node", "/nodejs/LICENSE", "/nodejs/bin/npm", "/nodejs/bin/npx", "/nodejs/bin/corepack"]
    )
    assert found["/nodejs/bin/node"].kind == "file" and found["/nodejs/LICENSE"] is not None
    assert (
        found["/nodejs/bin/npm"] is None and found["/nodejs/bin/npx"] is None and found["/nodejs/bin/corepack"] is None
    )
    assert "/nodejs" not in image_store.require(reference).config.env.get("PATH")


def test_distroless_nodejs_runs_a_script_given_as_cmd(distroless):
    status, output = image_store.run_quiet(
        "gcr.io/distroless/nodejs24-debian13:nonroot", ["-e", "console.log(process.getuid(), process.version)"]
    )
    assert status == 0 and output.strip() == f"65532 v{catalogue.NODE_VERSION}"


def test_distroless_python_runs_with_debians_python(distroless):
    status, output = image_store.run_quiet(
        "gcr.io/distroless/python3-debian13:latest", ["-c", "import ssl, sqlite3, sys; print(sys.executable)"]
    )
    assert status == 0 and output.strip() == "/usr/bin/python3.13"
    link = image_store.stat_paths("gcr.io/distroless/python3-debian13:latest", ["/usr/bin/python3"])["/usr/bin/python3"]
    assert link.kind == "symlink" and link.link_target == "python3.13"
    assert image_store.require("gcr.io/distroless/python3-debian13:latest").config.env.get("LANG") == "C.UTF-8"


NODE_IMAGES = ["node:24-trixie", "node:24-trixie-slim", "node:24", "node:24-slim"]


@pytest.mark.parametrize("reference", NODE_IMAGES)
def test_node_images_have_node_in_usr_local_the_node_user_and_the_entrypoint(course_images, reference):
    course_images(reference)
    facts = image_store.require(reference)
    assert facts.config.entrypoint == ("docker-entrypoint.sh",) and facts.config.cmd == ("node",)
    assert facts.config.env.get("NODE_VERSION") == catalogue.NODE_VERSION and facts.config.env.get("YARN_VERSION")
    found = image_store.stat_paths(
        reference,
        [
            "/usr/local/bin/node",
            "/usr/local/bin/npm",
            "/usr/local/bin/npx",
            "/usr/local/bin/corepack",
            "/usr/local/lib/node_modules/npm",
            "/usr/local/include/node",
            "/home/node",
            "/usr/local/bin/docker-entrypoint.sh",
        ],
    )
    assert all(entry is not None for entry in found.values()), [p for p, e in found.items() if e is None]
    assert found["/usr/local/bin/npm"].link_target == "../lib/node_modules/npm/bin/npm-cli.js"
    assert found["/home/node"].uid == 1000
    passwd = image_store.read_files(reference, ["/etc/passwd"])["/etc/passwd"].decode()
    assert "node:x:1000:1000::/home/node:/bin/bash" in passwd.splitlines()


def test_full_node_image_has_the_builder_tools_and_slim_has_none(course_images):
    course_images("node:24-trixie", "node:24-trixie-slim")
    tools = ["/usr/bin/gcc", "/usr/bin/g++", "/usr/bin/make", "/usr/bin/git", "/usr/bin/curl", "/usr/bin/python3"]
    full = image_store.stat_paths("node:24-trixie", tools)
    slim = image_store.stat_paths("node:24-trixie-slim", tools)
    assert all(full[t] is not None for t in tools), [t for t in tools if full[t] is None]
    assert all(slim[t] is None for t in tools), [t for t in tools if slim[t] is not None]


def test_golang_image_has_go_in_usr_local_go_and_upstreams_env(course_images):
    course_images("golang:1.27-trixie")
    facts = image_store.require("golang:1.27-trixie")
    assert facts.config.workdir == "/go"
    assert facts.config.env.get("GOPATH") == "/go" and facts.config.env.get("GOTOOLCHAIN") == "local"
    assert facts.config.env.get("PATH").startswith("/go/bin:/usr/local/go/bin:")
    found = image_store.stat_paths(
        "golang:1.27-trixie", ["/usr/local/go/bin/go", "/usr/local/go/src/net/http", "/usr/bin/gcc", "/usr/bin/make"]
    )
    assert all(entry is not None for entry in found.values()), [p for p, e in found.items() if e is None]
    status, output = image_store.run_quiet("golang:1.27-trixie", ["go", "version"])
    assert status == 0 and f"go{catalogue.GO_VERSION}" in output


@pytest.mark.parametrize("reference", ["python:3.13-trixie", "python:3.13-slim-trixie"])
def test_python_images_link_debians_python_into_usr_local_bin(course_images, reference):
    course_images(reference)
    status, output = image_store.run_quiet(reference, ["python", "-c", "import sys; print(sys.version_info[:2])"])
    assert status == 0 and output.strip() == "(3, 13)"
    assert image_store.require(reference).config.cmd == ("python3",)
    assert image_store.stat_paths(reference, ["/usr/local/bin/pip"])["/usr/local/bin/pip"] is not None


def test_debian_images_run_bash_and_slim_leaves_out_docs(course_images):
    course_images("debian:trixie", "debian:trixie-slim")
    assert image_store.require("debian:trixie").config.cmd == ("bash",)
    full = image_store.stat_paths("debian:trixie", ["/usr/share/doc/bash/README.gz", "/usr/share/doc/bash/copyright"])
    slim = image_store.stat_paths(
        "debian:trixie-slim", ["/usr/share/doc/bash/README.gz", "/usr/share/doc/bash/copyright"]
    )
    assert full["/usr/share/doc/bash/README.gz"] is not None
    assert slim["/usr/share/doc/bash/README.gz"] is None and slim["/usr/share/doc/bash/copyright"] is not None


def test_busybox_has_a_shell_and_runs_it_by_default(course_images):
    reference = f"busybox:{catalogue.BUSYBOX_TAG}"
    course_images(reference)
    assert image_store.require(reference).config.cmd == ("sh",)
    status, output = image_store.run_quiet(reference, ["sh", "-c", "echo hello from $0"])
    assert status == 0 and output.strip() == "hello from sh"


STAND_INS = [e.reference for e in catalogue.entries() if e.recipe.method.value in ("rootfs", "dockerfile")]


@pytest.mark.parametrize("reference", STAND_INS)
def test_every_stand_in_is_labelled_with_what_it_really_contains(course_images, reference):
    course_images(reference)
    facts = image_store.require(reference)
    if facts.labels.get(labels.STAND_IN) is None:
        pytest.fail(f"{reference} is present but is not our stand-in; this test checks stand-ins")
    assert facts.labels[labels.STAND_IN] == "true"
    assert facts.labels[labels.STAND_IN_CONTENT] == catalogue.lookup(reference).content
    assert facts.labels[labels.OWNER]


SIZED = [e.reference for e in catalogue.entries() if e.upstream_size_bytes and e.recipe.method.value != "none"]


@pytest.mark.parametrize("reference", SIZED)
def test_stand_in_size_is_within_a_quarter_of_upstream_or_says_why(course_images, reference):
    course_images(reference)
    entry = catalogue.lookup(reference)
    facts = image_store.require(reference)
    ratio = facts.size_bytes / entry.upstream_size_bytes
    # Tiny images (static: ~2 MB) are compared with a 1 MB slack: one CA certificate more is not a lesson.
    within = 0.75 <= ratio <= 1.25 or abs(facts.size_bytes - entry.upstream_size_bytes) < 1_000_000
    assert within or facts.labels.get("org.stagelab.stand-in.size-note"), (
        f"{reference}: {facts.size_bytes / 1e6:.0f} MB vs upstream {entry.upstream_size_bytes / 1e6:.0f} MB"
    )


def test_site_cas_are_in_the_distroless_bundle_and_node_trusts_them(distroless):
    certificates = site_certs.find()
    assert certificates, (
        "this machine has extra CAs in /usr/local/share/ca-certificates (a TLS-intercepting proxy: see 'Extra CA certificates' in stagelab doctor)"
    )
    bundle = image_store.read_files("gcr.io/distroless/static-debian13:latest", ["/etc/ssl/certs/ca-certificates.crt"])
    body = bundle["/etc/ssl/certs/ca-certificates.crt"]
    for certificate in certificates:
        middle = certificate.pem.strip().splitlines()[3]
        assert middle in body, certificate.name
    facts = image_store.require("gcr.io/distroless/nodejs24-debian13:latest")
    assert facts.config.env.get("NODE_EXTRA_CA_CERTS") == "/etc/ssl/certs/ca-certificates.crt"
