"""The current plan as tables a spreadsheet reads: CSV (one table) and xlsx (all three).

Times are local wall-clock dates and times in the plan's time zone, with the
weekday, and workers carry their names: what a manager sorts and filters. Every
text cell that a spreadsheet would take for a formula (it begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is escaped with a leading
apostrophe, after OWASP's advice on CSV injection: a child's initials or a note
must never run as a formula on the manager's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from scheduler.views import DAY_NAMES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TABLES = ("sessions", "allocations", "alerts")


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def cell_safe(value: Any) -> Any:
    """``value`` as a spreadsheet may show it: text that would start a formula escaped."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plan_sheets(data: dict[str, Any], names: dict[str, str]) -> list[Sheet]:
    """The Plan JSON ``data`` as three sheets: sessions, allocations, alerts."""
    zone = ZoneInfo(data["horizon"]["timezone"])

    def name(ref: str | None) -> str:
        return names.get(ref, "") if ref else ""

    sessions = []
    for s in data["sessions"]:
        start = datetime.fromisoformat(s["start"]).astimezone(zone)
        end = datetime.fromisoformat(s["end"]).astimezone(zone)
        sessions.append(
            (
                s["id"],
                s["child"],
                s["worker"],
                name(s["worker"]),
                s["with"] or "",
                name(s["with"]),
                DAY_NAMES[start.weekday()],
                start.date(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                s["start"],
                s["end"],
                "yes" if s["cover"] else "no",
                "yes" if s["past"] else "no",
                "yes" if s["locked"] else "no",
            )
        )
    allocations = [
        (
            a["child"],
            a["key_worker"] or "",
            name(a["key_worker"]),
            a["secondary_worker"] or "",
            name(a["secondary_worker"]),
            date.fromisoformat(a["start"]),
            date.fromisoformat(a["end"]),
            date.fromisoformat(a["since"]) if a["since"] else None,
            "yes" if a["changed"] else "no",
            a["reason"] or "",
        )
        for a in data["allocations"]
    ]
    alerts = [
        (
            a["id"],
            a["severity"],
            a["kind"],
            a["child"] or "",
            a["worker"] or "",
            date.fromisoformat(a["start"]),
            date.fromisoformat(a["end"]),
            a["message"],
        )
        for a in data["alerts"]
    ]
    return [
        Sheet(
            "sessions",
            ("id", "child", "worker", "worker name", "with", "with name", "weekday", "date",
             "from", "to", "start", "end", "cover", "past", "locked"),
            sessions,
        ),
        Sheet(
            "allocations",
            ("child", "key worker", "key worker name", "secondary", "secondary name",
             "from", "to", "since", "changed", "reason"),
            allocations,
        ),
        Sheet(
            "alerts",
            ("id", "severity", "kind", "child", "worker", "from", "to", "message"),
            alerts,
        ),
    ]  # fmt: skip


def write_csv(handle: TextIO, sheet: Sheet) -> None:
    writer = csv.writer(handle)
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow(
            ["" if v is None else cell_safe(v.isoformat() if isinstance(v, date) else v)
             for v in row]
        )  # fmt: skip


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per table: bold frozen header, filters, real dates."""
    import xlsxwriter  # noqa: PLC0415 - only this command needs it: keep start-up fast

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "in_memory": True})
    try:
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for sheet in sheets:
            ws = workbook.add_worksheet(sheet.name)
            widths = [len(h) for h in sheet.headers]
            ws.write_row(0, 0, sheet.headers, bold)
            for r, row in enumerate(sheet.rows, start=1):
                for c, value in enumerate(row):
                    if isinstance(value, date):
                        ws.write_datetime(r, c, value, day)  # a date cell, no time zone
                        widths[c] = max(widths[c], 10)
                    elif value is None:
                        ws.write_blank(r, c, None)
                    elif isinstance(value, str):
                        # a string cell is never run as a formula: no escaping needed here
                        ws.write_string(r, c, value)
                        widths[c] = max(widths[c], min(60, len(value) + 1))
                    else:
                        ws.write(r, c, value)
            for c, width in enumerate(widths):
                ws.set_column(c, c, width + 1)
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(1, len(sheet.rows)), len(sheet.headers) - 1)
    finally:
        workbook.close()
    return buffer.getvalue()
