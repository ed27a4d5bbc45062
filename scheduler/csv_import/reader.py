"""Reading one CSV file into rows with physical line numbers, collecting every error.

UTF-8 with an optional BOM, RFC 4180 quoting, one header row. Bytes that are not UTF-8
are reported on their physical line, with the column where it can be told, and the
rest of the file is still read so that every error is reported at once (:mod:`.decoding`).

Root causes first: a file saved with semicolons or tabs is one error, not one a line;
an unknown column names the known one it looks like (``did you mean 'hours_per_week'``,
:mod:`.header`).
Rows that cannot be checked (a bad header, a row of the wrong shape) are still kept, as
``unread``, so that the refs they meant to add do not also turn up as "unknown" elsewhere.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from scheduler.csv_import.decoding import decode_reporting
from scheduler.csv_import.header import check_header, looks_like
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
    # Rows not checked, because the header failed or the row itself could not be read
    # into cells: their values (keyed by the known column each cell seems to be in) only
    # tell which refs and teams the file meant to add.
    unread: tuple[RawRow, ...] = ()
    # The line of the error that left every row unread (the header's, or a separator
    # mix-up's); None when the rows in ``unread`` failed each on its own line.
    unread_because: int | None = None


SEPARATORS = {";": "semicolon", "\t": "tab"}
SAVE_AS_CSV = "save it as CSV with commas (in Excel: CSV UTF-8 (Comma delimited))"


def read_table(  # noqa: PLR0912, PLR0915 - one check per file-level error SPEC names (encoding, header, quoting)
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
    before_decode = len(errors)
    text = decode_reporting(data, name, errors)

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
    separator = _separator_of_header(columns, known)
    if separator is not None:
        # One error for the file, not one for every line; the rows are still read (with
        # that separator) for the refs they meant to add.
        decoding = errors[before_decode:]
        del errors[before_decode:]
        also = (
            f"; {len(decoding)} of its cells are not UTF-8 either, which that fixes too"
            if decoding
            else ""
        )
        errors.append(
            InputError(
                name,
                1,
                "",
                lines[0].rstrip("\r\n"),
                f"this file looks {SEPARATORS[separator]}-separated; {SAVE_AS_CSV}{also}",
            )
        )
        return _read_unchecked(name, lines, separator, known)

    checked = check_header(name, columns, known, required, errors)
    header_ok = checked.ok
    rows: list[RawRow] = []
    unread: list[RawRow] = []
    # Errors of rows whose cells do not fit the header: one error for all of them if a
    # separator mix-up explains every data row, else each on its line.
    shape_errors: list[tuple[InputError, str]] = []
    data_rows = 0
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            previous_end = reader.line_num  # the reader drops the rest of that line
            data_rows += 1
            raw_text = "".join(lines[start - 1 : previous_end])
            shape_errors.append(
                (InputError(name, start, "", "", f"not valid CSV: {exc}"), raw_text)
            )
            unread.append(_raw_row(start, checked.names, _split(raw_text, ",")))
            continue
        previous_end = reader.line_num
        if not record or not "".join(record).strip():
            continue  # blank lines carry nothing
        data_rows += 1
        if not header_ok:
            unread.append(_raw_row(start, checked.names, record))
            continue
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
            unread.append(_raw_row(start, columns, record))
            continue
        if len(record) != len(columns):
            shape_errors.append(
                (
                    InputError(
                        name,
                        start,
                        "",
                        ",".join(record),
                        f"has {len(record)} cell{'s' if len(record) != 1 else ''} but the header "
                        f"has {len(columns)} columns",
                    ),
                    "".join(lines[start - 1 : previous_end]),
                )
            )
            unread.append(_raw_row(start, columns, record))
            continue
        nul = [(c, v) for c, v in zip(columns, record, strict=True) if "\x00" in v]
        for column, cell in nul:
            errors.append(InputError(name, start, column, cell, "contains a NUL character"))
        if nul:
            unread.append(_raw_row(start, columns, record))
        else:
            rows.append(_raw_row(start, columns, record))
    mixed = _separator_of_rows(shape_errors, data_rows, len(columns))
    if mixed is not None:
        first, _ = shape_errors[0]
        errors.append(
            InputError(
                name,
                first.line,
                "",
                shape_errors[0][1].rstrip("\r\n"),
                f"the rows of this file look {SEPARATORS[mixed]}-separated but its header "
                f"is not; {SAVE_AS_CSV}",
            )
        )
        again = _read_unchecked(name, lines, mixed, known, header=columns)
        return CsvTable(name, columns, (), again.unread, first.line)
    errors.extend(error for error, _ in shape_errors)
    return CsvTable(name, columns, tuple(rows), tuple(unread), None if header_ok else 1)


def _raw_row(line: int, names: tuple[str, ...], record: list[str]) -> RawRow:
    """A record's cells by column name (as many as there are of both)."""
    return RawRow(line, {c: v.strip() for c, v in zip(names, record, strict=False)})


def _separator_of_header(columns: tuple[str, ...], known: tuple[str, ...]) -> str | None:
    """``;`` or a tab, if the header is one cell that splits on it into known columns."""
    if len(columns) != 1:
        return None
    for separator in SEPARATORS:
        parts = _split(columns[0], separator)
        if len(parts) < 2:
            continue
        recognised = [p for p in parts if looks_like(p, known) is not None]
        if len(recognised) * 2 >= len(parts):
            return separator
    return None


def _separator_of_rows(
    shape_errors: list[tuple[InputError, str]], data_rows: int, width: int
) -> str | None:
    """``;`` or a tab, if every data row is of the wrong shape and holds it, and one
    splits on it into at least as many cells as the header has (more where a list cell,
    ``cse;missing``, was not quoted)."""
    if not shape_errors or len(shape_errors) != data_rows or width < 2:
        return None
    texts = [text for _, text in shape_errors]
    for separator in SEPARATORS:
        if all(separator in text for text in texts) and any(
            len(_split(text.rstrip("\r\n"), separator)) >= width for text in texts
        ):
            return separator
    return None


def _split(text: str, separator: str) -> list[str]:
    try:
        return [cell.strip() for cell in next(csv.reader([text], delimiter=separator))]
    except (csv.Error, StopIteration):
        return []


def _read_unchecked(
    name: str,
    lines: list[str],
    separator: str,
    known: tuple[str, ...],
    header: tuple[str, ...] | None = None,
) -> CsvTable:
    """The rows of a file written with ``separator``, unchecked (see ``CsvTable.unread``)."""
    reader = csv.reader(lines, delimiter=separator)
    try:
        first = next(reader)
        found = tuple(c.strip() for c in first) if header is None else header
        names = tuple(looks_like(c, known) or c for c in found)
        unread = []
        for record in reader:
            if "".join(record).strip():
                unread.append(_raw_row(reader.line_num, names, record))
    except csv.Error:
        return CsvTable(name, (), (), (), 1)
    return CsvTable(name, (), (), tuple(unread), 1)


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
