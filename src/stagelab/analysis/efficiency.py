"""Layer efficiency and wasted bytes, computed exactly as dive computes them (dive's `filetree/efficiency.go`).

Learners will meet dive later, so our numbers must be dive's numbers, quirks included:

* Each layer is a tree of the paths its tar lists (parent folders the tar does not list
  are made as empty nodes). Only the *leaves* of each layer's tree are counted.
* A leaf's size is its tar header size; a whiteout leaf counts the size of what it
  deletes: 0 for a file, the whole earlier subtree for a folder, looked up in the
  layers below stacked dive's way (whiteouts applied, opaque markers ignored, a path
  added again replaces its data but keeps its children).
* Per path, sizes are summed over layers (cumulative) and the smallest is kept (min).
  ``efficiency = Σmin / Σcumulative``; ``wasted bytes = Σcumulative`` over the paths
  seen in two or more layers (first copy included); ``user-wasted = wasted / bytes of
  all layers but the first``, layer bytes being the sum of the tar's header sizes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from .layers import WHITEOUT_PREFIX, LayerContents


@dataclass(frozen=True)
class WastedPath:
    """A path held by more than one layer (or deleted after being added), as dive lists it."""

    path: str
    layers_count: int
    cumulative_bytes: int


@dataclass(frozen=True)
class Efficiency:
    """dive's image efficiency figures."""

    score: float
    wasted_bytes: int
    #: Layer bytes (tar header sizes) of all layers, and of all but the first.
    layer_bytes: int
    user_layer_bytes: int
    #: Biggest first.
    wasted_paths: tuple[WastedPath, ...]

    @property
    def user_wasted_ratio(self) -> float:
        """Wasted bytes over the bytes of all layers but the first (dive's ``userWastedPercent`` as a ratio)."""
        return self.wasted_bytes / self.user_layer_bytes if self.user_layer_bytes else 0.0

    @property
    def user_wasted_percent(self) -> float:
        """:attr:`user_wasted_ratio` in percent (dive prints this figure)."""
        return 100.0 * self.user_wasted_ratio


@dataclass
class _Node:
    size: int
    is_dir: bool


class _DiveStack:
    """Earlier layers stacked as dive stacks them, for sizing what a whiteout deletes."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.children: dict[str, set[str]] = {}

    def apply(self, layer: _LayerTree) -> None:
        for path in layer.whiteouts:
            self._remove(path)
        for path, node in layer.nodes.items():
            if path not in self.nodes:
                self.children.setdefault(posixpath.dirname(path), set()).add(path)
            self.nodes[path] = node

    def _remove(self, path: str) -> None:
        if path not in self.nodes:
            return
        stack = [path]
        while stack:
            current = stack.pop()
            self.nodes.pop(current, None)
            stack.extend(self.children.pop(current, ()))
        self.children.get(posixpath.dirname(path), set()).discard(path)

    def deleted_size(self, path: str) -> int | None:
        """What a whiteout of ``path`` counts; None when the path is not there (dive stops the layer)."""
        node = self.nodes.get(path)
        if node is None:
            return None
        if not node.is_dir:
            return 0
        total = 0
        stack = [path]
        while stack:
            current = stack.pop()
            total += self.nodes[current].size
            stack.extend(self.children.get(current, ()))
        return total


class _LayerTree:
    """One layer's tree as dive builds it: listed paths, made-up parents, whiteout leaves."""

    def __init__(self, layer: LayerContents):
        self.nodes: dict[str, _Node] = {}
        self.whiteouts: list[str] = []
        self.parents: set[str] = set()
        for entry in layer.entries:
            if entry.kind == "opaque":
                # dive never adds the marker itself, but makes the folders on its way.
                self._make_parents(entry.path + "/.")
                continue
            self._make_parents(entry.path)
            if entry.kind == "whiteout":
                self.whiteouts.append(entry.path)
            else:
                self.nodes[entry.path] = _Node(entry.size_bytes, entry.kind == "dir")

    def _make_parents(self, path: str) -> None:
        parent = posixpath.dirname(path)
        while parent != "/" and parent not in self.parents:
            self.parents.add(parent)
            self.nodes.setdefault(parent, _Node(0, False))
            parent = posixpath.dirname(parent)

    def leaves(self, stack: _DiveStack) -> list[tuple[str, bool]]:
        """(path, is_whiteout) of each leaf dive visits.

        dive visits in name order (children first) and stops at a whiteout whose path the
        layers below do not have; order only matters then, so only then do we sort.
        """
        found = [(path, False) for path in self.nodes if path not in self.parents]
        found += [(path, True) for path in self.whiteouts]
        if all(stack.deleted_size(path) is not None for path in self.whiteouts):
            return found

        def visit_key(item: tuple[str, bool]) -> list[bytes]:
            folder, name = posixpath.split(item[0])
            name = WHITEOUT_PREFIX + name if item[1] else name
            # Go compares names as bytes.
            return [part.encode("utf-8", "surrogateescape") for part in f"{folder}/{name}".split("/") if part]

        found.sort(key=visit_key)
        return found


def layer_efficiency(layers: Sequence[LayerContents]) -> Efficiency:
    """dive's efficiency score, wasted bytes and wasted paths for an image's layers (in order)."""
    cumulative: dict[str, int] = {}
    minimum: dict[str, int] = {}
    counts: dict[str, int] = {}
    stack = _DiveStack()
    for index, layer in enumerate(layers):
        tree = _LayerTree(layer)
        if index == 0:
            # dive sizes whiteouts of the first layer against that same layer.
            stack.apply(tree)
        for path, is_whiteout in tree.leaves(stack):
            if is_whiteout:
                size = stack.deleted_size(path)
                if size is None:
                    # dive's visitor fails here: the path is registered with no size and
                    # the rest of this layer is not visited.
                    cumulative.setdefault(path, 0)
                    minimum.setdefault(path, -1)
                    counts.setdefault(path, 0)
                    break
            else:
                size = tree.nodes[path].size
            cumulative[path] = cumulative.get(path, 0) + size
            known = minimum.get(path, -1)
            minimum[path] = size if known < 0 or size < known else known
            counts[path] = counts.get(path, 0) + 1
        if index > 0:
            stack.apply(tree)

    discovered = sum(cumulative.values())
    score = sum(minimum.values()) / discovered if discovered else 1.0
    wasted = [WastedPath(path, counts[path], cumulative[path]) for path in cumulative if counts[path] >= 2]
    wasted.sort(key=lambda item: (-item.cumulative_bytes, item.path))
    layer_bytes = [layer.content_bytes for layer in layers]
    return Efficiency(
        score=score,
        wasted_bytes=sum(item.cumulative_bytes for item in wasted),
        layer_bytes=sum(layer_bytes),
        user_layer_bytes=sum(layer_bytes[1:]),
        wasted_paths=tuple(wasted),
    )
