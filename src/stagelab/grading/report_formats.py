"""Reports for people and machines: terminal (rich), JSON, JUnit XML, Gradescope results.json."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .results import CheckResult, CheckStatus, GradeReport

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:
    from rich.console import Console

# rich and xml are imported where they are used: `stagelab lint` must start fast and needs neither
# for most reports.

FORMATS = ("terminal", "json", "junit", "gradescope")

_MARKS = {
    CheckStatus.PASSED: ("✓", "green"),
    CheckStatus.FAILED: ("✗", "red"),
    CheckStatus.SKIPPED: ("–", "dim"),
    CheckStatus.ERROR: ("!", "magenta"),
}


def _points(value: float) -> str:
    return f"{value:g}"


def explanation(result: CheckResult) -> list[str]:
    """The lines under a check in a text report: problems, warnings, logs, hint, chapter."""
    lines: list[str] = []
    evidence = result.evidence
    failed = result.status is CheckStatus.FAILED
    for problem in evidence.problems[1:] if failed else ():
        lines.append(f"also {problem}")
    for warning in evidence.warnings:
        lines.append(f"warning: {warning}")
    if failed:
        if evidence.excerpt:
            lines += evidence.excerpt.splitlines()
        if evidence.log_tail:
            lines += ["last output:"] + [f"  {line}" for line in evidence.log_tail[-10:]]
        if evidence.logs and "\n" not in result.message:
            lines += ["container logs:"] + [f"  {line}" for line in evidence.logs.splitlines()[-8:]]
        if result.hint:
            lines.append(f"hint: {result.hint}")
        if result.chapter:
            lines.append(f"taught in: {result.chapter}")
    return lines


def print_terminal(report: GradeReport, console: Console | None = None) -> None:
    """A readable report: one line per check (✓ ✗ –), the hint under failures, the total."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False)
    console.print(f"[bold]{escape(report.lab_id)}[/] — {escape(report.title)}")
    width = max((len(r.check_id) for r in report.results), default=10)
    for result in report.results:
        print_result(result, console, width)
    summarize(report, console)


def print_result(result: CheckResult, console: Console, width: int = 36) -> None:
    """One check's line (and its explanation), as soon as it is known."""
    from rich.markup import escape

    mark, colour = _MARKS.get(result.status, ("?", "white"))
    points = f"{_points(result.points)}/{_points(result.max_points)}"
    first, *rest = (result.message or "").splitlines() or [""]
    console.print(
        f" [{colour}]{mark}[/] {escape(result.check_id.ljust(width))} {points:>7}  {escape(first)}",
        style="dim" if result.status is CheckStatus.SKIPPED else None,
    )
    for line in rest[:12]:
        console.print(f"      {escape(line)}", style="dim")
    for line in explanation(result):
        style = "yellow" if line.startswith(("hint:", "warning:")) else "dim"
        console.print(f"      {escape(line)}", style=style)


def summarize(report: GradeReport, console: Console) -> None:
    from rich.markup import escape

    counts = {status: sum(1 for r in report.results if r.status is status) for status in CheckStatus}
    parts = [f"{counts[CheckStatus.PASSED]} passed", f"{counts[CheckStatus.FAILED]} failed"]
    if counts[CheckStatus.SKIPPED]:
        parts.append(f"{counts[CheckStatus.SKIPPED]} skipped")
    if counts[CheckStatus.ERROR]:
        parts.append(f"{counts[CheckStatus.ERROR]} errors")
    colour = "green" if report.all_passed else "red"
    console.print(
        f"[bold {colour}]Score {_points(report.score)}/{_points(report.max_score)}[/] "
        f"({', '.join(parts)}) in {report.duration_s:.1f} s"
    )
    if report.could_not_grade:
        console.print(f"[bold magenta]Could not grade:[/] {escape(report.could_not_grade)}")


def to_json(reports: GradeReport | Sequence[GradeReport]) -> str:
    """The report (or a list of reports) as JSON."""
    if isinstance(reports, GradeReport):
        return json.dumps(reports.to_dict(), indent=2, default=str)
    return json.dumps([r.to_dict() for r in reports], indent=2, default=str)


def _case_text(result: CheckResult) -> str:
    return "\n".join([result.message, *explanation(result)])


def to_junit(reports: GradeReport | Sequence[GradeReport]) -> str:
    """JUnit XML: one testsuite per report, one testcase per check (failures carry message and hint)."""
    import xml.etree.ElementTree as ET

    reports = [reports] if isinstance(reports, GradeReport) else list(reports)
    root = ET.Element("testsuites", name="stagelab")
    for report in reports:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=report.lab_id if report.lab_id != "lint" else report.title,
            tests=str(len(report.results)),
            failures=str(sum(1 for r in report.results if r.status is CheckStatus.FAILED)),
            errors=str(
                sum(1 for r in report.results if r.status is CheckStatus.ERROR) + (1 if report.could_not_grade else 0)
            ),
            skipped=str(sum(1 for r in report.results if r.status is CheckStatus.SKIPPED)),
            time=f"{report.duration_s:.3f}",
            timestamp=report.started_at,
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="score", value=_points(report.score))
        ET.SubElement(properties, "property", name="max_score", value=_points(report.max_score))
        for result in report.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"stagelab.{report.lab_id}.{result.family or 'check'}",
                name=f"{result.check_id}: {result.title}",
                time=f"{result.duration_s:.3f}",
            )
            if result.status is CheckStatus.FAILED:
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=result.message.splitlines()[0] if result.message else "",
                    type=result.check_id,
                )
                failure.text = _case_text(result)
            elif result.status is CheckStatus.ERROR:
                error = ET.SubElement(case, "error", message=result.message.splitlines()[0] if result.message else "")
                error.text = result.message
            elif result.status is CheckStatus.SKIPPED:
                ET.SubElement(case, "skipped", message=result.message)
            else:
                ET.SubElement(case, "system-out").text = result.message
        if report.could_not_grade:
            case = ET.SubElement(suite, "testcase", classname=f"stagelab.{report.lab_id}", name="grading")
            ET.SubElement(case, "error", message="could not grade").text = report.could_not_grade
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_gradescope(report: GradeReport) -> str:
    """Gradescope's results.json: score, max_score, one test per check (status passed|failed)."""
    tests = []
    for result in report.results:
        tests.append(
            {
                "name": f"{result.check_id}: {result.title}",
                "score": result.points,
                "max_score": result.max_points,
                "status": "passed" if result.passed else "failed",
                "output": _case_text(result),
                "visibility": "visible",
            }
        )
    data = {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.duration_s, 3),
        "output": report.could_not_grade
        and f"Could not grade: {report.could_not_grade}"
        or f"{report.lab_id}: {_points(report.score)}/{_points(report.max_score)}",
        "visibility": "visible",
        "tests": tests,
    }
    return json.dumps(data, indent=2)


def render(reports: GradeReport | Sequence[GradeReport], fmt: str) -> str:
    """A report (or several, for lint) as text in a machine format."""
    if fmt == "json":
        return to_json(reports)
    if fmt == "junit":
        return to_junit(reports)
    if fmt == "gradescope":
        if not isinstance(reports, GradeReport):
            raise ValueError("the gradescope format takes one report")
        return to_gradescope(reports)
    if fmt == "terminal":
        from rich.console import Console

        console = Console(
            record=True, width=120, force_terminal=False, color_system=None, highlight=False, file=_Null()
        )
        for report in [reports] if isinstance(reports, GradeReport) else reports:
            print_terminal(report, console)
        return console.export_text()
    raise ValueError(f"unknown format {fmt}; choose one of {', '.join(FORMATS)}")


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
