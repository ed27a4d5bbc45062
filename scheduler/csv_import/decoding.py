"""Bytes that are not UTF-8: each reported on its physical line, in the column where
it can be told, and the text decoded with replacement characters so that the rest of
the file is still read."""

from __future__ import annotations

import csv

from scheduler.errors import InputError


def decode_reporting(data: bytes, name: str, errors: list[InputError]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    header = _header_names(lines[0])
    quoted, index = False, 0  # the CSV state carried over from the line before
    for number, raw in enumerate(lines, start=1):
        positions = _bad_positions(raw)
        if not positions and not quoted and b'"' not in raw:
            continue  # the common line: nothing to report, and the state stays as it is
        cells, end_state = _cells_of_line(raw, quoted, index)
        quoted, index = end_state
        reported: set[int] = set()
        for position in positions:
            cell, start, end = next(c for c in cells if c[1] <= position <= c[2])
            if cell in reported:
                continue
            reported.add(cell)
            column = header[cell] if number > 1 and cell < len(header) else ""
            text = raw[start:end].rstrip(b"\r").strip(b'"')
            errors.append(
                InputError(
                    name,
                    number,
                    column,
                    text.decode("utf-8", errors="backslashreplace"),
                    f"has bytes that are not UTF-8 (byte {position + 1} of the line); "
                    "save the file as UTF-8",
                )
            )
    return data.decode("utf-8", errors="replace")


def _header_names(raw: bytes) -> list[str]:
    text = raw.decode("utf-8", errors="replace").rstrip("\r")
    try:
        return [h.strip() for h in next(csv.reader([text]))]
    except (csv.Error, StopIteration):
        return []


def _bad_positions(raw: bytes) -> list[int]:
    """Byte offsets in ``raw`` where a sequence that is not UTF-8 begins."""
    positions: list[int] = []
    offset = 0
    while offset < len(raw):
        try:
            raw[offset:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            positions.append(offset + exc.start)
            offset += exc.end
    return positions


def _cells_of_line(
    raw: bytes, quoted: bool, index: int
) -> tuple[list[tuple[int, int, int]], tuple[bool, int]]:
    """The cells on one physical line as (cell index, first byte, end byte), and the state
    (inside quotes, cell index) at its end. Commas and quotes are ASCII, so bytes do."""
    cells: list[tuple[int, int, int]] = []
    start = 0
    for position, byte in enumerate(raw):
        if byte == 0x22:  # '"'
            quoted = not quoted
        elif byte == 0x2C and not quoted:  # ','
            cells.append((index, start, position))
            index, start = index + 1, position + 1
    cells.append((index, start, len(raw)))
    return cells, (quoted, index if quoted else 0)
