"""Layer efficiency: the same numbers as dive, checked on hand-made layers (no engine).
The comparison with the ``dive`` binary on real images is in tests/engine/test_efficiency_against_dive.py."""

from __future__ import annotations

from stagelab.analysis.efficiency import layer_efficiency
from stagelab.analysis.layers import FileEntry, LayerContents


def file(path: str, size: int) -> FileEntry:
    return FileEntry(path, size, 0o644, 0, 0, "file")


def folder(path: str) -> FileEntry:
    return FileEntry(path, 0, 0o755, 0, 0, "dir")


def whiteout(path: str) -> FileEntry:
    return FileEntry(path, 0, 0o600, 0, 0, "whiteout")


def opaque(path: str) -> FileEntry:
    return FileEntry(path, 0, 0o755, 0, 0, "opaque")


def layer(*entries: FileEntry) -> LayerContents:
    return LayerContents("layer", entries, sum(entry.size_bytes for entry in entries))


# -- the rules, on hand-made layers ---------------------------------------------------------------


def test_an_image_without_repeated_paths_is_fully_efficient():
    result = layer_efficiency([layer(folder("/a"), file("/a/x", 10)), layer(file("/b", 5))])
    assert result.score == 1.0
    assert result.wasted_bytes == 0


def test_an_overwritten_file_wastes_both_copies_and_keeps_the_smaller_as_minimum():
    result = layer_efficiency([layer(file("/f", 300)), layer(file("/f", 700))])
    assert result.wasted_bytes == 1000
    assert result.score == 300 / 1000


def test_a_deleted_file_counts_zero_so_its_first_copy_is_all_waste():
    result = layer_efficiency([layer(file("/big", 900), file("/keep", 100)), layer(whiteout("/big"))])
    assert result.wasted_bytes == 900
    assert result.score == 100 / 1000


def test_a_deleted_folder_counts_its_earlier_subtree_at_the_folder_path():
    first = layer(folder("/d"), file("/d/a", 40), folder("/d/e"), file("/d/e/b", 60))
    result = layer_efficiency([first, layer(whiteout("/d"))])
    # /d was not a leaf in the first layer, so it appears once: dive does not call it waste.
    assert result.wasted_bytes == 0
    assert result.score == (40 + 60 + 100) / (40 + 60 + 100)


def test_folders_that_have_children_in_a_layer_are_not_counted_there():
    result = layer_efficiency([layer(folder("/d"), file("/d/a", 10)), layer(folder("/d"), file("/d/b", 10))])
    assert result.wasted_paths == ()


def test_an_empty_folder_listed_in_two_layers_is_a_repeated_path_of_zero_bytes():
    result = layer_efficiency([layer(folder("/d")), layer(folder("/d"))])
    assert [(item.path, item.layers_count, item.cumulative_bytes) for item in result.wasted_paths] == [("/d", 2, 0)]


def test_opaque_markers_do_not_delete_anything_in_dives_count():
    first = layer(folder("/d"), file("/d/old", 500))
    second = layer(folder("/d"), opaque("/d"), file("/d/new", 50))
    result = layer_efficiency([first, second, layer(whiteout("/d"))])
    # dive stacks the lower layers ignoring the opaque marker: the whiteout counts old + new.
    assert result.score == (500 + 50 + 550) / (500 + 50 + 550)
    assert result.wasted_bytes == 0


def test_user_wasted_percent_divides_by_all_layers_but_the_first():
    result = layer_efficiency([layer(file("/base", 1000)), layer(file("/f", 100)), layer(file("/f", 300))])
    assert result.wasted_bytes == 400
    assert result.user_wasted_ratio == 400 / 400
    assert result.user_wasted_percent == 100.0
