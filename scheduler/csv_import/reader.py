"""Reading one CSV file into rows with physical line numbers, collecting every error.

UTF-8 with an optional BOM, RFC 4180 quoting, one header row. Bytes that are not UTF-8
are reported on their physical line, with the column where it can be told, and the
rest of the file is still read so that every error is reported at once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from scheduler.errors import InputError


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int  # physical line where the record starts; the header is line 1
    values: dict[str, str]  # column name -> stripped cell text ("" = not given)


@dataclass(frozen=True, slots=True)
class CsvTable:
    file: str
    columns: tuple[str, ...]
    rows: tuple[RawRow, ...]


def read_table(
    path: Path, known: tuple[str, ...], required: tuple[str, ...], errors: list[InputError]
) -> CsvTable:
    """Read ``path``; append problems to ``errors`` (the caller decides when to stop)."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.append(InputError(name, 1, "", "", f"cannot be read: {exc.strerror}"))
        return CsvTable(name, (), ())
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # "Unicode text" from a spreadsheet: one error, not one for every cell.
        errors.append(InputError(name, 1, "", "", "the file is UTF-16 text; save it as CSV UTF-8"))
        return CsvTable(name, (), ())
    text = _decode(data, name, errors)

    # The physical lines, split as the csv module splits them, so that a record's own
    # text can be looked at again (a bare quote, below).
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        errors.append(InputError(name, 1, "", "", "the file is empty; a header row is needed"))
        return CsvTable(name, (), ())
    except csv.Error as exc:
        errors.append(InputError(name, 1, "", "", f"the header row is not valid CSV: {exc}"))
        return CsvTable(name, (), ())

    columns = tuple(h.strip() for h in header)
    header_ok = _check_header(name, columns, known, required, errors)

    rows: list[RawRow] = []
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(InputError(name, start, "", "", f"not valid CSV: {exc}"))
            previous_end = reader.line_num  # the reader drops the rest of that line
            continue
        previous_end = reader.line_num
        if not record or not "".join(record).strip():
            continue  # blank lines carry nothing
        bare = _bare_quote(lines[start - 1 : previous_end])
        if bare is not None:
            column = columns[bare] if bare < len(columns) else ""
            value = record[bare] if bare < len(record) else ""
            errors.append(
                InputError(
                    name,
                    start,
                    column,
                    value,
                    'has a " inside a cell that does not start with one; put the whole cell '
                    'in quotes and double the quote inside ("5"" tall" for 5" tall)',
                )
            )
            continue
        if len(record) != len(columns):
            errors.append(
                InputError(
                    name,
                    start,
                    "",
                    ",".join(record),
                    f"has {len(record)} cells but the header has {len(columns)} columns",
                )
            )
            continue
        nul = [(c, v) for c, v in zip(columns, record, strict=True) if "\x00" in v]
        for column, cell in nul:
            errors.append(InputError(name, start, column, cell, "contains a NUL character"))
        if header_ok and not nul:
            rows.append(RawRow(start, {c: v.strip() for c, v in zip(columns, record, strict=True)}))
    return CsvTable(name, columns, tuple(rows))


def _bare_quote(record_lines: list[str]) -> int | None:
    """The index of the first cell with a quote that RFC 4180 forbids, if any.

    A quote may only open a cell, close it, or be doubled inside a quoted cell; Python's
    csv module takes one in the middle of an unquoted cell (``5" tall``) as text. Quoted
    cells with text after the closing quote are already refused by ``strict``.
    """
    text = "".join(record_lines)
    if '"' not in text:
        return None
    index, at_start, quoted = 0, True, False
    position = 0
    while position < len(text):
        char = text[position]
        if quoted:
            if char == '"':
                if text[position + 1 : position + 2] == '"':
                    position += 1  # a doubled quote inside a quoted cell
                else:
                    quoted = False
        elif char == '"':
            if not at_start:
                return index
            quoted = True
        elif char == ",":
            index += 1
            at_start = True
            position += 1
            continue
        at_start = False
        position += 1
    return None


def _check_header(
    name: str,
    columns: tuple[str, ...],
    known: tuple[str, ...],
    required: tuple[str, ...],
    errors: list[InputError],
) -> bool:
    before = len(errors)
    seen: set[str] = set()
    for column in columns:
        if not column:
            errors.append(InputError(name, 1, "", "", "a column has no name (a comma too many?)"))
        elif column not in known:
            errors.append(
                InputError(
                    name, 1, column, column, f"unknown column; expected some of: {', '.join(known)}"
                )
            )
        elif column in seen:
            errors.append(InputError(name, 1, column, column, "column appears twice"))
        seen.add(column)
    for column in required:
        if column not in seen:
            errors.append(InputError(name, 1, column, "", "required column is missing"))
    return len(errors) == before


def _decode(data: bytes, name: str, errors: list[InputError]) -> str:
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
