"""How the chapters show things: tables, a table with a chart, a file with line numbers, sizes.

Each renders as HTML in Jupyter and the book, and as plain text in a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..units import format_size


@dataclass(frozen=True)
class Table:
    """Rows to show: HTML in Jupyter and the book, aligned text in a terminal."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def _repr_html_(self) -> str:
        from ..widgets.transcript import escape
        from ..widgets.transcript import table as html_table

        return html_table(self.headers, ([escape(cell) for cell in row] for row in self.rows))

    def __repr__(self) -> str:
        widths = [max(len(str(cell)) for cell in column) for column in zip(self.headers, *self.rows)]
        lines = [self.headers, tuple("-" * w for w in widths), *self.rows]
        return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A :class:`Table`; cells become text (None shows as an empty cell)."""
    return Table(tuple(headers), tuple(tuple("" if cell is None else str(cell) for cell in row) for row in rows))


#: The chapters' name for the one size formatter (decimal units, as ``docker images``).
megabytes = format_size


@dataclass(frozen=True)
class Figure:
    """A table with a chart under it (HTML and SVG in Jupyter and the book, the table as text elsewhere)."""

    table: Table
    svg: str

    def _repr_html_(self) -> str:
        return self.table._repr_html_() + f"<div>{self.svg}</div>"

    def __repr__(self) -> str:
        return repr(self.table)


@dataclass(frozen=True)
class FileView:
    """A file shown with its line numbers (they matter: BuildKit's errors name lines)."""

    path: Path
    text: str
    first_line: int = 1

    def _numbered(self) -> str:
        width = len(str(self.first_line + self.text.count("\n")))
        return "\n".join(f"{n:>{width}}  {line}" for n, line in enumerate(self.text.splitlines(), self.first_line))

    def _repr_markdown_(self) -> str:
        return f"`{self.path.name}`\n\n```\n{self._numbered()}\n```"

    def __repr__(self) -> str:
        return f"{self.path.name}\n{self._numbered()}"


def show_file(path: str | os.PathLike[str], lines: tuple[int, int] | None = None) -> FileView:
    """A file for display, with line numbers; ``lines=(first, last)`` shows part of it."""
    path = Path(path)
    all_lines = path.read_text().splitlines()
    first, last = lines or (1, len(all_lines))
    return FileView(path, "\n".join(all_lines[first - 1 : last]), first)


def listing(items: Sequence[str], limit: int = 6) -> str:
    """``a, b, c and 3 more`` (``none`` for no items)."""
    if not items:
        return "none"
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def one_line(text: str, limit: int = 110) -> str:
    """``text`` on one line, cut at ``limit`` characters."""
    text = " ".join((text or "").split())
    return text[:limit] + ("…" if len(text) > limit else "")
