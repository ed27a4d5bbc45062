"""The header row: unknown, unnamed, doubled and missing columns, and the known column
an unknown one looks like (``did you mean 'hours_per_week'``)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from scheduler.errors import InputError


@dataclass(frozen=True, slots=True)
class Header:
    ok: bool
    names: tuple[str, ...]  # each column's known name, or the one it looks like, or itself


def _normal(column: str) -> str:
    """``Hours per week`` and ``hours-per-week`` as ``hours_per_week``."""
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def looks_like(column: str, candidates: tuple[str, ...] | list[str]) -> str | None:
    """The candidate column ``column`` is most likely a misspelling of, if any."""
    by_normal = {_normal(c): c for c in candidates}
    wanted = _normal(column)
    if wanted in by_normal:
        return by_normal[wanted]
    near = difflib.get_close_matches(wanted, list(by_normal), n=1)
    return by_normal[near[0]] if near else None


def check_header(
    name: str,
    columns: tuple[str, ...],
    known: tuple[str, ...],
    required: tuple[str, ...],
    errors: list[InputError],
) -> Header:
    """Unknown, unnamed, doubled and missing columns; an unknown column that looks like a
    known one the file lacks says which, and a required one it stands for is one error."""
    before = len(errors)
    present = {c for c in columns if c in known}
    stands_for: dict[str, str] = {}  # unknown column -> the known one it looks like
    for column in columns:
        if column and column not in known:
            free = [k for k in known if k not in present and k not in stands_for.values()]
            near = looks_like(column, free)
            if near is not None:
                stands_for[column] = near
    seen: set[str] = set()
    for column in columns:
        near = stands_for.get(column)
        if not column:
            errors.append(InputError(name, 1, "", "", "a column has no name (a comma too many?)"))
        elif column not in known and near in required:
            pass  # said once, as the missing column it stands for (below)
        elif column not in known:
            hint = f"did you mean {near!r}?" if near else f"expected some of: {', '.join(known)}"
            errors.append(InputError(name, 1, column, column, f"unknown column; {hint}"))
        elif column in seen:
            errors.append(InputError(name, 1, column, column, "column appears twice"))
        seen.add(column)
    written_as = {near: column for column, near in stands_for.items()}
    for column in required:
        if column in seen:
            continue
        if column in written_as:
            errors.append(
                InputError(
                    name,
                    1,
                    column,
                    written_as[column],
                    f"required column is missing; {written_as[column]!r} looks like it "
                    f"(rename it {column})",
                )
            )
        else:
            errors.append(InputError(name, 1, column, "", "required column is missing"))
    names = tuple(stands_for.get(c, c) for c in columns)
    return Header(len(errors) == before, names)
