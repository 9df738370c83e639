"""Workshop kit: export → remove → import round trip, and a corrupted kit is refused whole.

The kit tests use their own tiny images (built FROM the static distroless stand-in
with a unique file), so removing them never touches the course's images.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from stagelab.engine import Build, image_store
from stagelab.errors import StagelabError
from stagelab.images import kit

pytestmark = pytest.mark.engine


@pytest.fixture
def small_images(course_images, tmp_path: Path):
    """Two test-only references on images no course image shares a top layer with."""
    course_images("gcr.io/distroless/static-debian13:latest")
    marker = uuid.uuid4().hex
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "marker.txt").write_text(marker)
    (context / "Dockerfile").write_text("FROM gcr.io/distroless/static-debian13:latest\nCOPY marker.txt /marker.txt\n")
    references = [f"stagelab-test/kit-{marker[:8]}:one", f"stagelab-test/kit-{marker[:8]}:two"]
    Build(context, tag=references[0], kind="test-kit").run()
    image_store.tag(references[0], references[1])
    yield references
    for reference in references:
        image_store.untag(reference)


def test_export_remove_import_brings_the_same_images_back(small_images, tmp_path: Path):
    archive = tmp_path / "kit.tar"
    ids = {reference: image_store.require(reference).id for reference in small_images}
    manifest = kit.export(archive, refs=small_images)
    assert {image.reference for image in manifest.images} == set(small_images)
    for reference in small_images:
        image_store.untag(reference)
    assert not any(image_store.exists(reference) for reference in small_images)

    loaded = kit.import_kit(archive)

    assert {image.reference for image in loaded} == set(small_images)
    assert {reference: image_store.require(reference).id for reference in small_images} == ids


def test_export_manifest_lists_ids_sizes_and_a_checksum_per_member(small_images, tmp_path: Path):
    archive = tmp_path / "kit.tar"
    kit.export(archive, refs=small_images)
    manifest = kit.verify(archive)
    assert all(image.image_id.startswith("sha256:") and image.size_bytes > 0 for image in manifest.images)
    assert manifest.members and all(len(digest) == 64 for digest in manifest.members.values())


def _corrupt(archive: Path) -> None:
    """Flip bytes in the middle of the largest layer (as a bad copy would)."""
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    for offset in range(middle, middle + 64):
        data[offset] ^= 0xFF
    archive.write_bytes(bytes(data))


def test_a_corrupted_kit_is_refused_with_a_clear_error_and_nothing_is_loaded(small_images, tmp_path: Path):
    archive = tmp_path / "kit.tar"
    kit.export(archive, refs=small_images)
    for reference in small_images:
        image_store.untag(reference)
    _corrupt(archive)

    with pytest.raises(StagelabError) as raised:
        kit.import_kit(archive)

    message = str(raised.value)
    assert "corrupted" in message or "damaged" in message
    assert "Copy the kit again" in message or "export" in message
    assert not any(image_store.exists(reference) for reference in small_images)


def test_a_truncated_kit_is_refused_and_nothing_is_loaded(small_images, tmp_path: Path):
    archive = tmp_path / "kit.tar"
    kit.export(archive, refs=small_images)
    for reference in small_images:
        image_store.untag(reference)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 3])

    with pytest.raises(StagelabError):
        kit.import_kit(archive)

    assert not any(image_store.exists(reference) for reference in small_images)


def test_a_file_that_is_not_a_kit_is_refused(tmp_path: Path):
    archive = tmp_path / "notes.tar"
    archive.write_text("hello")
    with pytest.raises(StagelabError, match="damaged|not a stagelab image kit"):
        kit.verify(archive)
