"""Chapter 5 judges the seed tutorial's claims with thresholds from examples/seed/claims.yaml (no engine here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stagelab.course import Measurement, Measurements
from stagelab.course.seed_tutorial import JUDGES, Claim, claims_file, load_claims, seed_claims

REPO = Path(__file__).resolve().parents[2]
SIZE_CLAIMS = ("single-stage-size", "multi-stage-size", "compiled-language-size")


def _measured(label: str, size_mb: float, compressed_mb: float) -> Measurement:
    return Measurement(
        label=label, image=f"image-of-{label}", size_bytes=int(size_mb * 1e6), compressed_bytes=int(compressed_mb * 1e6),
        layers=3, efficiency=1.0, packages=0, executables=1, setuid_files=0, shells=(), package_managers=(),
        non_root=True, startup_s=0.1, answered=True,
    )  # fmt: skip


def _measurements(**sizes: tuple[float, float]) -> Measurements:
    labels = {"single": "node: single-stage", "multi": "node: multi-stage (-slim)", "distroless": "node: distroless",
              "go_single": "go: single-stage", "go_scratch": "go: scratch"}  # fmt: skip
    return Measurements(tuple(_measured(labels[key], *value) for key, value in sizes.items()))


def _claim(claim_id: str) -> Claim:
    return next(claim for claim in load_claims() if claim.id == claim_id)


def _verdict(claim_id: str, measured: Measurements, claim: Claim | None = None) -> str:
    return JUDGES[claim_id](claim or _claim(claim_id), measured)[1]


def test_every_claim_in_the_data_is_measured_and_every_measurement_has_its_claim():
    assert sorted(claim.id for claim in load_claims()) == sorted(JUDGES)


def test_size_claims_state_their_range_and_quote_the_tutorials_figures():
    tutorial = (REPO / "examples" / "seed" / "TUTORIAL.md").read_text()
    for claim_id in SIZE_CLAIMS:
        claim = _claim(claim_id)
        assert claim.holds_mb is not None and claim.holds_mb[0] < claim.holds_mb[1]
        if claim.quoted_mb is not None:
            assert re.search(rf"~{claim.quoted_mb:g}\s*MB", tutorial), f"{claim_id}: the tutorial does not say ~{claim.quoted_mb:g} MB"
            assert claim.holds_for(claim.quoted_mb * 1e6)


def test_a_single_stage_image_near_300_mb_bears_the_claim_out():
    assert _verdict("single-stage-size", _measurements(single=(350, 120))) == "holds"


def test_a_single_stage_image_large_only_uncompressed_holds_only_compressed():
    assert _verdict("single-stage-size", _measurements(single=(1100, 380))) == "holds only compressed"


def test_a_multi_stage_image_small_only_compressed_holds_only_compressed_on_distroless():
    measured = _measurements(multi=(250, 80), distroless=(160, 45))
    assert _verdict("multi-stage-size", measured) == "holds only compressed, and only on distroless"
    assert _verdict("multi-stage-size", _measurements(multi=(250, 80), distroless=(60, 20))) == "holds"


def test_the_thresholds_come_from_the_data_not_the_code():
    measured = _measurements(go_single=(900, 300), go_scratch=(8, 4))
    assert _verdict("compiled-language-size", measured) == "holds, and the gain is far larger"
    stricter = Claim("compiled-language-size", "(the same table, for a compiled language)", holds_mb=(0, 5))
    assert _verdict("compiled-language-size", measured, stricter) == "does not hold"


def test_a_fixed_verdict_in_the_data_wins_and_the_claim_reads_as_written(tmp_path):
    claims = (Claim("fewer-vulnerabilities", "Fewer holes", verdict="needs a scanner"),)
    table = seed_claims(_measurements(single=(1100, 380), distroless=(160, 45)), claims)
    assert table.rows[0][0] == "Fewer holes" and table.rows[0][2] == "needs a scanner"


def test_a_claim_without_a_measurement_is_refused():
    with pytest.raises(ValueError, match="no measurement for claim 'made-up'"):
        seed_claims(_measurements(), (Claim("made-up", "Something"),))


def test_the_claims_file_is_next_to_the_tutorial():
    assert claims_file() == REPO / "examples" / "seed" / "claims.yaml"
