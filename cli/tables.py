"""Tables for the terminal (plain text, or rich where stdout is one), and ``shown``: the
one function stored text is printed through."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(text: str) -> str:
    """``text`` safe for a terminal: control characters, line breaks and bidi controls
    written as escapes (``\\x1b``, ``\\n``, ``\\u202e``), so stored text can neither
    forge a table row nor drive the terminal. Imports refuse such text; this also
    covers whatever was stored before they did.
    """
    if text.isprintable():  # the common case, checked in C
        return text
    out = []
    for char in text:
        if char == " " or char in "\u200c\u200d" or char.isprintable():
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        elif unicodedata.category(char) == "Zs":
            out.append(" ")  # a no-break or other space: harmless, shown as a space
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return "".join(out)


def render(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[shown(_text(v)) for v in row] for row in rows]
    headers = [shown(h) for h in headers]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value) or "-"
    return str(value)


SEVERITY_STYLES = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def rich_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Any:
    """The table for a terminal: wrapped to its width, severity and risk in colour.

    Every cell is a ``rich.text.Text`` made from ``shown(...)``: stored text is never
    read as rich markup (``[red]`` stays ``[red]``) and never carries control characters.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for header in headers:
        table.add_column(Text(shown(header)), overflow="fold")
    coloured = [h in ("severity", "risk") for h in headers]
    for row in rows:
        cells = []
        for value, colour in zip(row, coloured, strict=True):
            text = shown(_text(value))
            cells.append(Text(text, style=SEVERITY_STYLES.get(text, "") if colour else ""))
        table.add_row(*cells)
    return table
