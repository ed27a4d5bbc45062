"""Plain-text tables for the terminal, and the one function stored text is printed through."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

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
