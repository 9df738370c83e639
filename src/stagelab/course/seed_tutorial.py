"""The seed tutorial's claims (chapter 5), each with what was measured here and a verdict.

What the claims say and what counts as "about 300 MB" are data, in
``examples/seed/claims.yaml`` next to the tutorial; this module holds how each claim is
measured and judged: one function per claim id, registered with :func:`_judges`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..units import MB
from .display import Table, listing, megabytes, one_line, table
from .image_contents import report_of
from .measurements import Measurement, Measurements
from .places import example, tag

#: The claims' data, relative to the seed example's folder.
CLAIMS_FILE = "claims.yaml"


@dataclass(frozen=True)
class Claim:
    """One claim of the seed tutorial, as ``claims.yaml`` states it."""

    id: str
    says: str
    #: The tutorial's own figure (MB = 10^6 bytes), for a claim about a size.
    quoted_mb: float | None = None
    #: (low, high) in MB: a measured size strictly between them bears the claim out.
    holds_mb: tuple[float, float] | None = None
    #: A fixed judgement, for a claim that a yes/no measurement cannot settle.
    verdict: str | None = None

    def holds_for(self, size_bytes: float) -> bool:
        """Whether a measured size bears out this size claim."""
        if self.holds_mb is None:
            raise ValueError(f"claim '{self.id}' states no size range (holds_mb)")
        low, high = self.holds_mb
        return low * MB < size_bytes < high * MB

    def above(self, size_bytes: float) -> bool:
        """Whether a measured size is more than this size claim allows."""
        return self.holds_mb is not None and size_bytes > self.holds_mb[1] * MB


def claims_file() -> Path:
    """``examples/seed/claims.yaml``."""
    return example("seed") / CLAIMS_FILE


def load_claims(path: str | Path | None = None) -> tuple[Claim, ...]:
    """The claims, in the order the chapter shows them."""
    path = Path(path) if path else claims_file()
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]
    return tuple(
        Claim(
            id=entry["id"],
            says=entry["says"],
            quoted_mb=entry.get("quoted_mb"),
            holds_mb=tuple(entry["holds_mb"]) if entry.get("holds_mb") is not None else None,
            verdict=entry.get("verdict"),
        )
        for entry in entries
    )


def _verdict(holds: bool) -> str:
    return "holds" if holds else "does not hold"


def _sizes(m: Measurement) -> str:
    return f"{megabytes(m.size_bytes)} uncompressed, {megabytes(m.compressed_bytes)} compressed"


#: claim id → how it is measured and judged: (claim, measurements) → (what was measured, verdict).
Judge = Callable[[Claim, Measurements], tuple[str, str]]
JUDGES: dict[str, Judge] = {}


def _judges(claim_id: str) -> Callable[[Judge], Judge]:
    def register(function: Judge) -> Judge:
        JUDGES[claim_id] = function
        return function

    return register


def _node(measured: Measurements, which: str) -> Measurement:
    return measured.get(f"node: {which}")


@_judges("single-stage-size")
def _single_stage_size(claim: Claim, measured: Measurements) -> tuple[str, str]:
    single = _node(measured, "single-stage")
    if claim.holds_for(single.compressed_bytes) and claim.above(single.size_bytes):
        verdict = "holds only compressed"
    else:
        verdict = _verdict(claim.holds_for(single.size_bytes))
    return f"Node single-stage: {_sizes(single)}", verdict


@_judges("multi-stage-size")
def _multi_stage_size(claim: Claim, measured: Measurements) -> tuple[str, str]:
    multi, distroless = _node(measured, "multi-stage (-slim)"), _node(measured, "distroless")
    if claim.holds_for(distroless.compressed_bytes) and claim.above(distroless.size_bytes):
        verdict = "holds only compressed, and only on distroless"
    else:
        verdict = _verdict(claim.holds_for(distroless.size_bytes))
    return f"Node distroless: {_sizes(distroless)}; Node multi-stage on -slim: {_sizes(multi)}", verdict


@_judges("compiled-language-size")
def _compiled_language_size(claim: Claim, measured: Measurements) -> tuple[str, str]:
    go_single, go_scratch = measured.get("go: single-stage"), measured.get("go: scratch")
    verdict = "holds, and the gain is far larger" if claim.holds_for(go_scratch.size_bytes) else _verdict(False)
    return f"Go single-stage: {_sizes(go_single)}; Go on scratch: {_sizes(go_scratch)}", verdict


@_judges("no-npm-in-stage-2")
def _no_npm_in_stage_2(claim: Claim, measured: Measurements) -> tuple[str, str]:
    seed = report_of(tag("seed", "multistage-fixed"))
    prettier = "present" if seed.exists("/app/node_modules/prettier") else "absent"
    shown = (
        f"seed's example, fixed to build: package managers {listing(seed.surface.package_managers)}; "
        f"/app/node_modules/prettier {prettier}"
    )
    return shown, _verdict(not seed.surface.package_managers)


@_judges("ubuntu-by-default")
def _ubuntu_by_default(claim: Claim, measured: Measurements) -> tuple[str, str]:
    node_base = report_of("node:24-trixie")
    return f"node:24-trixie says: {node_base.os_name or 'no os-release'}", _verdict("Ubuntu" in node_base.os_name)


@_judges("distroless-no-shell")
def _distroless_no_shell(claim: Claim, measured: Measurements) -> tuple[str, str]:
    distroless = _node(measured, "distroless")
    shown = (
        f"Node distroless: shells {listing(distroless.shells)}, package managers {listing(distroless.package_managers)}"
    )
    return shown, _verdict(not distroless.shells and not distroless.package_managers)


@_judges("distroless-smaller-than-ubuntu")
def _distroless_smaller_than_ubuntu(claim: Claim, measured: Measurements) -> tuple[str, str]:
    distroless = _node(measured, "distroless")
    static = report_of("gcr.io/distroless/static-debian13:latest")
    debian = report_of("debian:trixie")
    shown = (
        f"distroless static {megabytes(static.size_bytes)} vs debian:trixie {megabytes(debian.size_bytes)}; "
        f"but Node distroless {megabytes(distroless.size_bytes)} (it carries Node.js)"
    )
    if static.size_bytes < debian.size_bytes < distroless.size_bytes:
        return shown, "holds for static; the runtime images are bigger than a bare OS"
    return shown, _verdict(static.size_bytes < debian.size_bytes)


@_judges("no-exec-debugging")
def _no_exec_debugging(claim: Claim, measured: Measurements) -> tuple[str, str]:
    from ..engine import try_exec

    distroless = _node(measured, "distroless")
    error = try_exec(distroless.image, ["sh"]).error
    return f"docker exec sh on Node distroless: {one_line(error or 'it worked', 90)}", _verdict(bool(error))


@_judges("runtime-names")
def _runtime_names(claim: Claim, measured: Measurements) -> tuple[str, str]:
    from ..images.catalogue import lookup

    nodejs18 = lookup("gcr.io/distroless/nodejs18")
    return f"course catalogue: {one_line(nodejs18.unavailable_reason if nodejs18 else 'no entry', 120)}", _verdict(
        nodejs18 is not None
    )


@_judges("fewer-vulnerabilities")
def _fewer_vulnerabilities(claim: Claim, measured: Measurements) -> tuple[str, str]:
    single, distroless = _node(measured, "single-stage"), _node(measured, "distroless")
    shown = (
        f"Debian packages: {single.packages} (single-stage) → {distroless.packages} (distroless); "
        f"executables {single.executables:,} → {distroless.executables:,}"
    )
    return shown, _verdict(distroless.packages < single.packages)


def seed_claims(measured: Measurements, claims: tuple[Claim, ...] | None = None) -> Table:
    """The seed tutorial's claims (``examples/seed/claims.yaml``), each with what was measured here and a verdict.

    A claim's fixed ``verdict`` in the data wins over the measured yes/no.
    """
    rows = []
    for claim in claims if claims is not None else load_claims():
        judge = JUDGES.get(claim.id)
        if judge is None:
            raise ValueError(f"{claims_file()}: no measurement for claim '{claim.id}' (known: {', '.join(JUDGES)})")
        shown, verdict = judge(claim, measured)
        rows.append((claim.says, shown, claim.verdict or verdict))
    return table(("the seed says", "measured here", "verdict"), rows)
