"""Sizes as ``docker images`` shows them: decimal units (1 MB = 1000 kB = 10^6 bytes).

The one size formatter of the code base; pure, so anything may import it (no Docker).
"""

from __future__ import annotations

KB = 1000
MB = 1000**2
GB = 1000**3


def format_size(size_bytes: int | float | None, missing: str = "?") -> str:
    """``size_bytes`` in decimal units, three significant digits (``999 B``, ``1.5 kB``, ``153 MB``, ``1.44 GB``).

    ``missing`` is shown for an unknown size (``None``).
    """
    if size_bytes is None:
        return missing
    size = float(size_bytes)
    for unit in ("B", "kB", "MB"):
        if abs(size) < 999.5:  # 999.7 kB would print as "1e+03 kB": it is 1 MB
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.3g} {unit}"
        size /= 1000
    return f"{size:.3g} GB" if abs(size) < 1000 else f"{size:,.0f} GB"
