"""The catalogue: every FROM in the repository names a catalogued image; references normalise."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagelab.images import catalogue
from stagelab.images.catalogue import Availability, Method

FOLDERS = ("labs", "notebooks", "src")


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_dockerfile_in_the_repo_only_uses_catalogued_references(repo: Path, folder: str):
    unknown = [
        f"{Path(found.dockerfile).relative_to(repo)}:{found.line}: {found.reference}"
        for found in catalogue.from_references(repo / folder)
        if not catalogue.is_known(found.reference)
    ]
    assert not unknown, "FROM names images the catalogue does not list:\n" + "\n".join(unknown)


def test_the_recipes_themselves_are_scanned(repo: Path):
    found = {f.reference for f in catalogue.from_references(repo / "src" / "stagelab" / "images" / "recipes")}
    assert {"debian:trixie-slim", "debian:trixie", "gcr.io/distroless/cc-debian13:latest"} <= found


def test_from_references_skip_stage_names_and_scratch_and_use_arg_defaults(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text(
        "ARG NODE=24\n"
        "FROM node:${NODE}-trixie AS build\nRUN true\n"
        "FROM build AS test\n"
        "FROM scratch AS empty\n"
        "FROM gcr.io/distroless/nodejs24-debian13:nonroot\nCOPY --from=build /a /a\n"
    )
    found = [f.reference for f in catalogue.from_references(tmp_path)]
    assert found == ["node:24-trixie", "gcr.io/distroless/nodejs24-debian13:nonroot"]


def test_a_dockerfile_that_does_not_parse_is_skipped(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text("RUN echo no FROM here\n")
    assert catalogue.from_references(tmp_path) == []


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("docker.io/library/node:24-trixie", "node:24-trixie"),
        ("library/debian:trixie-slim", "debian:trixie-slim"),
        ("node:24@sha256:" + "a" * 64, "node:24"),
        ("gcr.io/distroless/static-debian13", "gcr.io/distroless/static-debian13:latest"),
        ("gcr.io/distroless/nodejs18", "gcr.io/distroless/nodejs18"),
    ],
)
def test_lookup_accepts_the_usual_spellings_of_a_reference(spelling: str, canonical: str):
    entry = catalogue.lookup(spelling)
    assert entry is not None and entry.reference == canonical


def test_an_unknown_reference_is_not_known():
    assert not catalogue.is_known("alpine:3.20")


def test_each_distroless_flavour_has_the_four_upstream_tags():
    for flavour in ("static", "base", "cc", "nodejs24", "python3"):
        for tag in ("latest", "nonroot", "debug", "debug-nonroot"):
            assert catalogue.is_known(f"gcr.io/distroless/{flavour}-debian13:{tag}"), (flavour, tag)


def test_the_seed_tutorials_images_are_registry_only_with_a_reason():
    for reference in ("node:18", "ubuntu:22.04", "gcr.io/distroless/nodejs18"):
        entry = catalogue.lookup(reference)
        assert entry is not None and entry.availability is Availability.REGISTRY_ONLY
        assert len(entry.unavailable_reason) > 20


def test_every_stand_in_recipe_and_dependency_exists(repo: Path):
    recipes = repo / "src" / "stagelab" / "images" / "recipes"
    for entry in catalogue.entries():
        for dependency in entry.depends_on:
            assert catalogue.is_known(dependency), (entry.reference, dependency)
        if entry.recipe.method is Method.DOCKERFILE:
            assert (recipes / entry.recipe.dockerfile).is_file(), entry.reference


def test_aliases_point_at_the_same_stand_in():
    assert catalogue.lookup("node:24").alias_of == "node:24-trixie"
    assert catalogue.lookup("node:24-slim").alias_of == "node:24-trixie-slim"
    assert catalogue.lookup("golang:1.27").alias_of == "golang:1.27-trixie"
