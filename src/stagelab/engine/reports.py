"""What is inside an image, without starting a container: the image report.

Usage::

    report = image_report("gcr.io/distroless/nodejs24-debian13")
    report.size_bytes, report.layers, report.config.user
    report.exists("/bin/sh"), report.surface.has_shell, report.efficiency

Sizes are always ``docker image inspect``'s measure (uncompressed, as ``docker images``
shows). The file tree comes from ``docker save``, streamed; layer efficiency is
dive's (see :mod:`stagelab.analysis.efficiency`). Reports are cached by image id, in
the process and on disk (``~/.cache/stagelab/reports``), so asking again costs
milliseconds; a retagged image is the same image and reuses its report.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import posixpath
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import labels as stagelab_labels
from ..analysis.compare import Comparison, compare_reports
from ..analysis.efficiency import Efficiency, WastedPath, layer_efficiency
from ..analysis.layers import FileEntry, merge, read_layer_store, read_saved_image, resolve, stream_from_chunks
from ..analysis.surface import AttackSurface, Package, attack_surface, wants_content
from ..errors import StagelabError
from .client import client, engine_errors
from .image_config import ImageConfig, image_config

__all__ = [
    "AttackSurface",
    "Efficiency",
    "FileEntry",
    "ImageConfig",
    "ImageReport",
    "LayerInfo",
    "Package",
    "WastedPath",
    "clear_cache",
    "compare",
    "image_report",
]

#: Bump when the report's shape changes, so old disk-cache files are ignored.
CACHE_FORMAT = 3  # 3: the analysis types moved to stagelab.analysis (pickled paths)
_ROOT_USERS = ("", "0", "root")


@dataclass(frozen=True)
class LayerInfo:
    """One step of the image's history; ``empty`` steps (ENV, CMD, USER…) add no files."""

    index: int
    digest: str  # the layer's diff id ("sha256:…"); "" for an empty step
    size_bytes: int  # as `docker history` reports it
    created_by: str  # the instruction, cleaned of builder noise
    empty: bool
    #: Sum of the layer tar's header sizes (dive's measure of a layer); 0 for an empty step.
    content_bytes: int = 0
    files_count: int = 0


@dataclass(frozen=True)
class ImageReport:
    """Everything the course shows about one image."""

    image_id: str
    tags: tuple[str, ...]
    size_bytes: int
    created: str
    architecture: str
    os_name: str  # PRETTY_NAME from os-release, "" when the image has none
    layers: tuple[LayerInfo, ...]
    config: ImageConfig
    files: dict[str, FileEntry] = field(repr=False)
    efficiency_details: Efficiency = field(repr=False)
    surface: AttackSurface = field(repr=False)
    #: Users from /etc/passwd: name -> uid.
    users: dict[str, int] = field(default_factory=dict, repr=False)
    #: Where the file lists came from: "layer-store" (the local engine's files) or "docker-save".
    source: str = "docker-save"

    # -- the figures everyone asks for -----------------------------------------------------

    @property
    def ref(self) -> str:
        """The first tag, or the short id when untagged."""
        return self.tags[0] if self.tags else self.image_id.removeprefix("sha256:")[:12]

    @property
    def efficiency(self) -> float:
        """dive's efficiency score, 0..1."""
        return self.efficiency_details.score

    @property
    def wasted_bytes(self) -> int:
        return self.efficiency_details.wasted_bytes

    @property
    def user_wasted_percent(self) -> float:
        """Wasted bytes over the bytes of all layers but the first, in percent (0..100)."""
        return self.efficiency_details.user_wasted_percent

    @property
    def file_layers(self) -> tuple[LayerInfo, ...]:
        """The layers that hold files (not ENV, CMD and the like)."""
        return tuple(layer for layer in self.layers if not layer.empty)

    @property
    def packages(self) -> tuple[Package, ...]:
        return self.surface.packages

    @property
    def non_root(self) -> bool:
        """The image's user is not root (by name or by uid, looked up in the image's /etc/passwd)."""
        user = self.config.user.split(":", 1)[0].strip()
        if user in _ROOT_USERS:
            return False
        if user.isdigit():
            return int(user) != 0
        return self.users.get(user, -1) != 0

    # -- the file tree ----------------------------------------------------------------------

    def resolve(self, path: str) -> str | None:
        """The real path of ``path`` in the image after symlinks, or None if it does not exist."""
        return resolve(self.files, path)

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists in the image, following symlinks (``/bin/sh`` -> ``/usr/bin/dash``)."""
        return self.resolve(path) is not None

    def entry(self, path: str) -> FileEntry | None:
        """The entry ``path`` leads to after symlinks, or None."""
        real = self.resolve(path)
        return self.files.get(real) if real else None

    def folder_sizes(self) -> dict[str, int]:
        """Each folder's size: the sum of the file sizes under it."""
        sizes: dict[str, int] = {"/": 0}
        for path, entry in self.files.items():
            if entry.kind == "dir":
                sizes.setdefault(path, 0)
            if not entry.size_bytes:
                continue
            folder = posixpath.dirname(path)
            while True:
                sizes[folder] = sizes.get(folder, 0) + entry.size_bytes
                if folder == "/":
                    break
                folder = posixpath.dirname(folder)
        return sizes

    def biggest(self, n: int = 10, kind: str = "any") -> list[tuple[str, int]]:
        """The ``n`` biggest files and folders as (path, bytes); a folder counts its whole subtree.

        ``kind`` is ``"any"``, ``"file"`` or ``"dir"``.
        """
        candidates: list[tuple[str, int]] = []
        if kind in ("any", "file"):
            candidates += [(path, entry.size_bytes) for path, entry in self.files.items() if entry.kind == "file"]
        if kind in ("any", "dir"):
            candidates += [(path, size) for path, size in self.folder_sizes().items() if path != "/"]
        candidates.sort(key=lambda item: (-item[1], item[0]))
        return candidates[:n]

    # -- output -----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """A JSON-able summary (the file tree itself is summarised, not listed)."""
        return {
            "image_id": self.image_id,
            "tags": list(self.tags),
            "ref": self.ref,
            "size_bytes": self.size_bytes,
            "created": self.created,
            "architecture": self.architecture,
            "os": self.os_name,
            "layers": [dataclasses.asdict(layer) for layer in self.layers],
            "config": self.config.to_dict(),
            "non_root": self.non_root,
            "files_count": len(self.files),
            "biggest_files": [{"path": p, "size_bytes": s} for p, s in self.biggest(10, "file")],
            "biggest_folders": [{"path": p, "size_bytes": s} for p, s in self.biggest(10, "dir")],
            "efficiency": {
                "score": self.efficiency,
                "wasted_bytes": self.wasted_bytes,
                "user_wasted_percent": self.user_wasted_percent,
                "wasted_paths": [
                    {"path": item.path, "layers_count": item.layers_count, "cumulative_bytes": item.cumulative_bytes}
                    for item in self.efficiency_details.wasted_paths[:20]
                ],
            },
            "surface": self.surface.to_dict(),
        }


# -- building a report ----------------------------------------------------------------------


def clean_instruction(created_by: str) -> str:
    """The Dockerfile instruction behind a history entry, without the builders' noise."""
    text = created_by.strip()
    text = re.sub(r"\s*# buildkit$", "", text)
    text = re.sub(r"^/bin/sh -c #\(nop\)\s*", "", text)  # classic builder, metadata steps
    text = re.sub(r"^/bin/sh -c ", "RUN ", text)  # classic builder, RUN steps
    # BuildKit: "RUN |1 NODE_ENV=production /bin/sh -c npm ci" is `RUN npm ci` with a build arg
    text = re.sub(r"^RUN (\|\d+ (?:\S+=\S* )*)?/bin/sh -c ", "RUN ", text)
    return text


def _layers(steps: list[dict], sizes: list[int] | None, diff_ids: list[str], contents: tuple) -> tuple[LayerInfo, ...]:
    """Line up history steps (oldest first) with the layer tars: non-empty steps map to layers in order."""
    result = []
    layer_index = 0
    for index, step in enumerate(steps):
        instruction = clean_instruction(step.get("created_by", "") or step.get("comment", ""))
        has_layer = not step.get("empty_layer") and layer_index < len(diff_ids)
        layer = contents[layer_index] if has_layer else None
        size = sizes[index] if sizes is not None else (layer.content_bytes if layer else 0)
        if layer is None:
            result.append(LayerInfo(index, "", size, instruction, True))
            continue
        result.append(
            LayerInfo(index, diff_ids[layer_index], size, instruction, False, layer.content_bytes, len(layer.entries))
        )
        layer_index += 1
    # Images with a short history (some importers write none): one line per remaining layer.
    for extra in range(layer_index, len(diff_ids)):
        layer = contents[extra]
        result.append(
            LayerInfo(
                len(result),
                diff_ids[extra],
                layer.content_bytes,
                "(no history)",
                False,
                layer.content_bytes,
                len(layer.entries),
            )
        )
    return tuple(result)


def _users(contents: dict[str, bytes]) -> dict[str, int]:
    users = {}
    for line in contents.get("/etc/passwd", b"").decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if len(fields) > 2 and fields[2].isdigit():
            users[fields[0]] = int(fields[2])
    return users


def _os_name(files: dict[str, FileEntry], contents: dict[str, bytes]) -> str:
    real = resolve(files, "/etc/os-release") or "/usr/lib/os-release"
    for line in contents.get(real, b"").decode("utf-8", "replace").splitlines():
        key, _, value = line.partition("=")
        if key == "PRETTY_NAME":
            return value.strip().strip('"')
    return ""


def _build(image, source: str = "auto") -> ImageReport:
    attrs = image.attrs
    saved = None
    with engine_errors():
        history = image.history()  # newest first; has the sizes `docker history` shows
        if source in ("auto", "layer-store"):
            root = _local_docker_root(image.client)
            saved = read_layer_store(root, attrs["Id"], capture=wants_content) if root else None
            if saved is None and source == "layer-store":
                raise StagelabError("The engine's layer store cannot be read from here; use source='docker-save'.")
        used = "layer-store" if saved is not None else "docker-save"
        if saved is None:
            saved = read_saved_image(stream_from_chunks(image.client.api.get_image(attrs["Id"])), capture=wants_content)
    # The image config's history says which steps made a layer; the history API does not.
    steps = saved.config.get("history") or []
    sizes = [int(step.get("Size", 0)) for step in reversed(history)] if len(history) == len(steps) else None
    diff_ids = list((saved.config.get("rootfs") or {}).get("diff_ids") or [])
    tree = merge(saved.layers)
    return ImageReport(
        image_id=attrs["Id"],
        tags=tuple(attrs.get("RepoTags") or ()),
        size_bytes=int(attrs.get("Size", 0)),
        created=attrs.get("Created", ""),
        architecture=attrs.get("Architecture", ""),
        os_name=_os_name(tree.files, tree.contents),
        layers=_layers(steps, sizes, diff_ids, saved.layers),
        config=image_config(attrs.get("Config") or {}),
        files=tree.files,
        efficiency_details=layer_efficiency(saved.layers),
        surface=attack_surface(tree.files, tree.contents),
        users=_users(tree.contents),
        source=used,
    )


_docker_roots: dict[str, str | None] = {}


def _local_docker_root(sdk) -> str | None:
    """The engine's data folder if it is on this machine and readable (checked once per engine)."""
    host = os.environ.get("DOCKER_HOST", "")
    if host and not host.startswith("unix://"):
        return None  # a remote engine: its files are not here
    if host not in _docker_roots:
        info = sdk.info()
        root = info.get("DockerRootDir") or ""
        readable = (
            bool(root)
            and info.get("Driver") == "overlay2"
            and os.access(Path(root) / "image" / "overlay2", os.R_OK | os.X_OK)
        )
        _docker_roots[host] = root if readable else None
    return _docker_roots[host]


# -- cache ----------------------------------------------------------------------------------

_memory: dict[str, ImageReport] = {}
_lock = threading.Lock()


def _cache_dir() -> Path:
    base = Path(os.environ.get("STAGELAB_STATE_DIR", Path.home() / ".cache" / "stagelab"))
    return base / "reports"


def _cache_file(image_id: str) -> Path:
    return _cache_dir() / f"{image_id.replace(':', '-')}.v{CACHE_FORMAT}.pickle"


def _load_cached(image_id: str) -> ImageReport | None:
    path = _cache_file(image_id)
    try:
        with path.open("rb") as handle:
            report = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or outdated file: make the report again
        path.unlink(missing_ok=True)
        return None
    return report if isinstance(report, ImageReport) and report.image_id == image_id else None


def _store(report: ImageReport) -> None:
    path = _cache_file(report.image_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        with partial.open("wb") as handle:
            pickle.dump(report, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)  # atomic: another process never reads half a file
    except OSError:
        pass  # the cache is an optimisation; a read-only home must not break reports


def clear_cache(disk: bool = False) -> None:
    """Forget cached reports (in this process; also on disk with ``disk=True``)."""
    with _lock:
        _memory.clear()
    if disk and _cache_dir().is_dir():
        for path in _cache_dir().glob("*.pickle"):
            path.unlink(missing_ok=True)


def image_report(ref: str, *, use_cache: bool = True, source: str = "auto") -> ImageReport:
    """The report of an image, by reference (``node:24-trixie``) or id.

    ``source`` says where file lists come from: ``"auto"`` reads the local engine's
    layer store when it can (fast) and streams ``docker save`` otherwise;
    ``"docker-save"`` and ``"layer-store"`` force one.

    Raises :class:`stagelab.errors.ImageNotFound` (telling to run ``stagelab images prepare``)
    when the engine does not have it.
    """
    sdk = client()
    with engine_errors():
        image = sdk.images.get(ref)
    image_id = image.attrs["Id"]
    tags = tuple(image.attrs.get("RepoTags") or ())
    report = None
    if use_cache:
        with _lock:
            report = _memory.get(image_id)
        if report is None:
            report = _load_cached(image_id)
    if report is None:
        report = _build(image, source)
        if use_cache and not _is_throwaway(image.attrs):
            _store(report)
    if report.tags != tags:
        report = dataclasses.replace(report, tags=tags)
    with _lock:
        _memory[image_id] = report
    return report


def _is_throwaway(attrs: dict) -> bool:
    """Images of a batch with an owner of its own (a gradebook, a bench, a test run: ``STAGELAB_OWNER``)
    are removed soon after: keep their reports in memory only, not in the learner's report cache."""
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    owner = labels.get(stagelab_labels.OWNER)
    return owner is not None and owner != stagelab_labels.DEFAULT_OWNER


def compare(refs: Sequence[str], startup_s: Mapping[str, float] | None = None) -> Comparison:
    """Report on each image (cached by id) and set them side by side, in the order given."""
    return compare_reports([_named(image_report(ref), ref) for ref in refs], startup_s)


def _named(report: ImageReport, ref: str) -> ImageReport:
    """Show the name the caller used, not whichever tag the engine lists first."""
    is_id = ref.startswith("sha256:") or all(char in "0123456789abcdef" for char in ref)
    if is_id or (report.tags and report.tags[0] == ref):
        return report
    return dataclasses.replace(report, tags=(ref, *[tag for tag in report.tags if tag != ref]))
