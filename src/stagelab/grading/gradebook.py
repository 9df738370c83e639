"""Grade a folder of submissions (one sub-folder per learner) into a CSV and a self-contained HTML page."""

from __future__ import annotations

import csv
import html
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StagelabError
from ..units import MB
from . import grader
from .results import CheckStatus, GradeReport
from .spec import load_spec

#: The check whose evidence carries the measured image size (``evidence.size_bytes``).
SIZE_CHECK = "image.size-budget"
_MARKS = {CheckStatus.PASSED: "✓", CheckStatus.FAILED: "✗", CheckStatus.SKIPPED: "–", CheckStatus.ERROR: "!"}


@dataclass(frozen=True)
class Entry:
    """One learner's grading."""

    learner: str
    report: GradeReport

    @property
    def full_marks(self) -> bool:
        report = self.report
        return report.could_not_grade is None and report.max_score > 0 and report.score >= report.max_score

    @property
    def image_size_bytes(self) -> int | None:
        """The image size the grading measured (``docker images`` measure), or None when not measured."""
        preferred = self.report.result(SIZE_CHECK)
        candidates = [preferred] if preferred is not None else []
        candidates += [r for r in self.report.results if r is not preferred]
        for result in candidates:
            if result.evidence.size_bytes is not None:
                return result.evidence.size_bytes
        return None


@dataclass(frozen=True)
class Place:
    """One row of the leaderboard: ``rank`` is None for entries without full marks or a size."""

    rank: int | None
    entry: Entry


def leaderboard(entries: list[Entry]) -> list[Place]:
    """Full marks first, smallest image first (equal sizes share a place); then the rest by score, then size.

    Only full-mark entries with a measured size get a rank: a tiny image that does not work wins nothing.
    """

    def key(entry: Entry) -> tuple:
        size = entry.image_size_bytes
        ranked = entry.full_marks and size is not None
        return (not ranked, -entry.report.score if not ranked else 0, size is None, size or 0, entry.learner)

    places: list[Place] = []
    rank = 0
    previous_size: int | None = None
    for position, entry in enumerate(sorted(entries, key=key), start=1):
        size = entry.image_size_bytes
        if entry.full_marks and size is not None:
            if size != previous_size:
                rank, previous_size = position, size
            places.append(Place(rank, entry))
        else:
            places.append(Place(None, entry))
    return places


def _mb(size: int | None) -> str:
    return f"{size / MB:.2f}" if size is not None else ""


def submissions(folder: Path) -> list[Path]:
    """The learner sub-folders, by name (hidden folders left out)."""
    if not folder.is_dir():
        raise StagelabError(f"{folder} is not a folder of submissions (one sub-folder per learner).")
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def learner_name(folder: Path) -> str:
    """The folder's name as text: bytes that are not UTF-8 (a name from another system) shown as �."""
    return os.fsencode(folder.name).decode("utf-8", "replace")


def default_jobs() -> int:
    """As many gradings at once as the engine has build slots."""
    from ..engine import Engine

    return Engine().builds.max_parallel()


def grade_all(
    submissions_dir: str | Path,
    lab_dir: str | Path,
    *,
    jobs: int | None = None,
    on_done: Callable[[Entry], None] | None = None,
) -> list[Entry]:
    """Grade every submission; builds queue for the engine's build slots. Sorted by learner."""
    lab_dir = Path(lab_dir)
    spec = load_spec(lab_dir)  # a bad spec stops here, once, not once per learner
    folders = submissions(Path(submissions_dir))
    entries: list[Entry] = []
    # A submission without a Dockerfile would silently be graded as the lab's starter; a folder
    # that is a link would be graded from wherever it points (another learner's work, a solution).
    refused: dict[Path, str] = {}
    for folder in folders:
        if folder.is_symlink():
            refused[folder] = "the submission folder is a link to another place; links are not followed"
        elif not (folder / spec.build.dockerfile).is_file():
            refused[folder] = f"no {spec.build.dockerfile} in the submission"
    for folder, reason in refused.items():
        entry = Entry(learner_name(folder), _not_graded(lab_dir, reason))
        entries.append(entry)
        if on_done is not None:
            on_done(entry)
    with ThreadPoolExecutor(max_workers=max(1, jobs or default_jobs())) as pool:
        futures = {pool.submit(grader.grade, lab_dir, submission_dir=f): f for f in folders if f not in refused}
        for future in as_completed(futures):
            folder = futures[future]
            try:
                report = future.result()
            except StagelabError as error:
                report = _not_graded(lab_dir, str(error))
            entry = Entry(learner_name(folder), report)
            entries.append(entry)
            if on_done is not None:
                on_done(entry)
    return sorted(entries, key=lambda e: e.learner)


def _not_graded(lab_dir: Path, reason: str) -> GradeReport:
    spec = load_spec(lab_dir)
    return GradeReport(spec.id, spec.title, (), 0.0, spec.max_score, None,
                       datetime.now(timezone.utc).isoformat(timespec="seconds"), 0.0, reason)  # fmt: skip


def _check_ids(entries: list[Entry]) -> list[str]:
    ids: list[str] = []
    for entry in entries:
        for result in entry.report.results:
            if result.check_id not in ids:
                ids.append(result.check_id)
    return ids


def write_csv(entries: list[Entry], path: str | Path) -> Path:
    """One row per learner: score, max, status, image size, the points of each check, the failed checks."""
    path = Path(path)
    ids = _check_ids(entries)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "score", "max_score", "status", "image_size_bytes", "image_size_mb", *ids,
                         "failed_checks", "note"])  # fmt: skip
        for entry in entries:
            report = entry.report
            status = "could not grade" if report.could_not_grade else ("passed" if report.all_passed else "graded")
            points = []
            for check_id in ids:
                result = report.result(check_id)
                points.append(f"{result.points:g}" if result else "")
            failed = [r.check_id for r in report.results if r.status is not CheckStatus.PASSED]
            size = entry.image_size_bytes
            writer.writerow(
                [entry.learner, f"{report.score:g}", f"{report.max_score:g}", status,
                 "" if size is None else str(size), _mb(size), *points, " ".join(failed), report.could_not_grade or ""]
            )  # fmt: skip
    return path


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:center}
th{background:#f4f4f4;writing-mode:vertical-rl;transform:rotate(180deg);max-height:14rem}
th.l,td.l{writing-mode:horizontal-tb;transform:none;text-align:left}
.passed{background:#d8f5d8}.failed{background:#f8d4d4}.skipped{background:#eee;color:#777}
.error{background:#f3e0f7}.cng{background:#fff3c4}
details{margin:.6rem 0}summary{cursor:pointer;font-weight:600}
li{margin:.2rem 0}.hint{color:#8a5a00}
table.board th{writing-mode:horizontal-tb;transform:none}
td.num{text-align:right;font-variant-numeric:tabular-nums}
"""


def _leaderboard_html(entries: list[Entry]) -> str:
    """The leaderboard section, or nothing when no grading measured an image size."""
    if not any(entry.image_size_bytes is not None for entry in entries):
        return ""
    e = html.escape
    rows = []
    for place in leaderboard(entries):
        entry, report = place.entry, place.entry.report
        size = entry.image_size_bytes
        rank = str(place.rank) if place.rank is not None else "–"
        css = "passed" if place.rank is not None else ("cng" if report.could_not_grade else "failed")
        rows.append(
            f'<tr class="{css}"><td class="num">{rank}</td><td class="l"><a href="#{e(entry.learner)}">'
            f"{e(entry.learner)}</a></td><td>{report.score:g} / {report.max_score:g}</td>"
            f'<td class="num">{_mb(size) or "–"}</td><td class="num">{"" if size is None else size}</td></tr>'
        )
    return (
        '<h2 id="leaderboard">Leaderboard</h2><p>Full marks first, ranked by image size (uncompressed, as '
        "<code>docker images</code> shows it; equal sizes share a place). Submissions without full marks follow, "
        "unranked, by score.</p>"
        '<table class="board"><tr><th>place</th><th class="l">learner</th><th>score</th><th>size (MB)</th>'
        f"<th>size (bytes)</th></tr>{''.join(rows)}</table>"
    )


def write_html(entries: list[Entry], path: str | Path, title: str) -> Path:
    """A self-contained page: a per-learner × per-check table, then each learner's messages and hints."""
    path = Path(path)
    ids = _check_ids(entries)
    e = html.escape
    rows = []
    for entry in entries:
        report = entry.report
        cells = []
        for check_id in ids:
            result = report.result(check_id)
            if result is None:
                cells.append('<td class="cng">–</td>')
                continue
            mark = _MARKS.get(result.status, "?")
            cells.append(
                f'<td class="{e(result.status.value)}" title="{e(result.message)}">{mark} {result.points:g}</td>'
            )
        note = f' class="cng" title="{e(report.could_not_grade)}"' if report.could_not_grade else ""
        rows.append(
            f'<tr><td class="l"><a href="#{e(entry.learner)}">{e(entry.learner)}</a></td>'
            f"<td{note}>{report.score:g} / {report.max_score:g}</td>"
            f'<td class="num">{_mb(entry.image_size_bytes) or "–"}</td>{"".join(cells)}</tr>'
        )
    sections = []
    for entry in entries:
        report = entry.report
        items = []
        if report.could_not_grade:
            items.append(f"<li><b>Could not grade:</b> {e(report.could_not_grade)}</li>")
        for result in report.results:
            hint = f'<br><span class="hint">hint: {e(result.hint)}</span>' if result.hint else ""
            items.append(
                f'<li class="{e(result.status.value)}"><code>{e(result.check_id)}</code> {result.points:g}/{result.max_points:g} '
                f"— {e(result.message)}{hint}</li>"
            )
        sections.append(
            f'<details id="{e(entry.learner)}"><summary>{e(entry.learner)}: {report.score:g} / {report.max_score:g}</summary>'
            f"<ul>{''.join(items)}</ul></details>"
        )
    header = "".join(f"<th>{e(check_id)}</th>" for check_id in ids)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{e(title)}</h1><p>{len(entries)} submissions, graded {generated}.</p>"
        f'<table><tr><th class="l">learner</th><th class="l">score</th><th class="l">image MB</th>{header}</tr>'
        f"{''.join(rows)}</table>{_leaderboard_html(entries)}"
        f"<h2>Details</h2>{''.join(sections)}</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path
