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
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = _decode(data, name, errors)

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
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
            break
        previous_end = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue  # blank lines carry nothing
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
        if header_ok:
            rows.append(RawRow(start, {c: v.strip() for c, v in zip(columns, record, strict=True)}))
    return CsvTable(name, columns, tuple(rows))


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
        if column not in known:
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
    header = lines[0].decode("utf-8", errors="replace").strip().split(",")
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start].decode("utf-8", errors="replace")
            index = _cell_index(before)
            column = header[index].strip() if number > 1 and index < len(header) else ""
            errors.append(
                InputError(
                    name,
                    number,
                    column,
                    raw[exc.start : exc.start + 8].hex(" "),
                    f"bytes that are not UTF-8 at byte {exc.start + 1} of the line; "
                    "save the file as UTF-8",
                )
            )
    return data.decode("utf-8", errors="replace")


def _cell_index(prefix: str) -> int:
    """The cell a position falls in, counting commas outside quotes."""
    quoted = False
    index = 0
    for char in prefix:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            index += 1
    return index
