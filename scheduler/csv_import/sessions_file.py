"""``sessions.csv``: what happened to sessions (SPEC "sessions.csv").

A row names a session of a committed plan by ``session`` id, or by ``child`` and local
``start`` (``YYYY-MM-DD HH:MM``) for sessions held before go-live or planned elsewhere;
a ``child`` and ``start`` that match a session of a committed plan name that session.
Rows are checked in full before anything is written, every error naming file, line,
column and value; outcomes are written through :func:`scheduler.outcomes.upsert`, so
importing the same file again changes nothing. A row for a session that has not begun
by the import's time is an error, as ``record`` refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.csv_import import fields
from scheduler.csv_import.fields import BadValue
from scheduler.csv_import.parsing import unknown_ref
from scheduler.csv_import.workbook import Source, read_rows
from scheduler.errors import Cause, InputError
from scheduler.models import Child
from scheduler.models import Session as PlanSession
from scheduler.notes import note_problem
from scheduler.outcomes import OUTCOMES, Written, upsert

FILE = "sessions.csv"
COLUMNS = ("session", "child", "start", "outcome", "worker", "note")
REQUIRED = ("outcome",)
_LOCAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}")


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    line: int
    session: str | None
    child: str | None
    start: datetime | None  # aware, UTC
    outcome: str
    worker: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Resolved:
    """A checked row: the child (ref), the start (UTC) and the plan session, if any."""

    row: OutcomeRow
    child: str
    start: datetime
    session_id: str | None


def local_start(text: str, zone: ZoneInfo) -> datetime:
    if not _LOCAL.fullmatch(text):
        raise BadValue("must be a local time written YYYY-MM-DD HH:MM")
    try:
        moment = datetime.fromisoformat(text).replace(tzinfo=zone)
    except ValueError as exc:
        raise BadValue(f"is not a real date and time ({exc})") from exc
    return moment.astimezone(UTC)


def parse_sessions(path: Source, zone: ZoneInfo, errors: list[InputError]) -> list[OutcomeRow]:  # noqa: PLR0912 - one check per column rule of sessions.csv
    table = read_rows(path, COLUMNS, REQUIRED, errors)
    out: list[OutcomeRow] = []
    for raw in table.rows:
        before = len(errors)
        values = raw.values

        def bad(
            column: str, message: str, line: int = raw.line, values: dict[str, str] = values
        ) -> None:
            errors.append(InputError(FILE, line, column, values.get(column, ""), message))

        session = values.get("session") or None
        child = values.get("child") or None
        start_text = values.get("start") or None
        if session is not None and len(session) > 64:
            bad("session", "session is not a session id (longer than 64 characters)")
        for column, text in (("child", child), ("worker", values.get("worker"))):
            if text:
                try:
                    fields.ref(text)
                except BadValue as exc:
                    bad(column, f"{column} {exc}")
        start: datetime | None = None
        if start_text:
            try:
                start = local_start(start_text, zone)
            except BadValue as exc:
                bad("start", f"start {exc}")
        if session is None and (child is None or start_text is None):
            if child is None and start_text is None:
                bad("session", "give a session id, or child and start")
            else:
                missing = "start" if child else "child"
                bad(missing, f"{missing} is required with {'child' if child else 'start'}")
        outcome = values.get("outcome", "")
        if not outcome:
            bad("outcome", "is required but empty")
        elif outcome.lower() not in OUTCOMES:
            bad("outcome", f"outcome must be one of {', '.join(OUTCOMES)}")
        note = values.get("note") or None
        if note is not None and (problem := note_problem(note)):
            bad("note", f"note {problem}")
        if len(errors) == before:
            out.append(
                OutcomeRow(
                    raw.line,
                    session,
                    child,
                    start,
                    outcome.lower(),
                    values.get("worker") or None,
                    note,
                )
            )
    return out


def check_sessions(  # noqa: PLR0912, PLR0915 - one check per column rule of sessions.csv
    session: Session,
    rows: list[OutcomeRow],
    *,
    known_children: set[str],
    known_workers: set[str],
    now: datetime,
    zone: ZoneInfo,
    errors: list[InputError],
    causes: Callable[[str, str], Cause | None] = lambda kind, ref: None,
) -> list[Resolved]:
    """Refs, session ids, times and duplicates; the rows that pass, resolved. ``causes``
    tells why a ref is unknown where that follows from another error (``Parsed.cause``)."""
    ids = [r.session for r in rows if r.session]
    by_id: dict[str, tuple[str, datetime, int | None]] = {}
    if ids:
        for found_id, ref, begins, removed in session.execute(
            select(PlanSession.id, Child.ref, PlanSession.start, PlanSession.removed_in)
            .join(Child, Child.id == PlanSession.child_id)
            .where(PlanSession.id.in_(ids))
        ).tuples():
            by_id[found_id] = (ref, begins, removed)
    starts = [r.start for r in rows if r.start is not None and not r.session]
    at: dict[tuple[str, datetime], str] = {}
    if starts:
        for found_id, ref, begins in session.execute(
            select(PlanSession.id, Child.ref, PlanSession.start)
            .join(Child, Child.id == PlanSession.child_id)
            .where(PlanSession.start.in_(starts), PlanSession.removed_in.is_(None))
        ).tuples():
            at[(ref, begins)] = found_id
    out: list[Resolved] = []
    first: dict[tuple[str, datetime], int] = {}
    for r in rows:

        def bad(column: str, value: str, message: str, line: int = r.line) -> None:
            errors.append(InputError(FILE, line, column, value, message))

        ok = True
        child, start, sid = r.child, r.start, r.session
        if sid is not None:
            found = by_id.get(sid)
            if found is None:
                bad("session", sid, "no session of a committed plan has this id")
                continue
            if found[2] is not None:
                bad("session", sid, f"session was removed from the plan in version {found[2]}")
                continue
            if child is not None and child != found[0]:
                bad("child", child, f"session {sid} is {found[0]}'s, not {child}'s")
                ok = False
            if start is not None and start != found[1]:
                shown = f"{found[1].astimezone(zone):%Y-%m-%d %H:%M}"
                bad("start", _local(start, zone), f"session {sid} starts {shown}")
                ok = False
            child, start = found[0], found[1]
        assert child is not None and start is not None, "parse_sessions checked them"
        for kind, named, known in (
            ("child", r.child, known_children),
            ("worker", r.worker, known_workers),
        ):
            if named is not None and named not in known:
                cause = causes(kind, named)
                errors.append(unknown_ref(kind, named, cause, file=FILE, line=r.line, column=kind))
                ok = False
        if sid is None:
            sid = at.get((child, start))
        column = "session" if r.session else "start"
        value = r.session or _local(start, zone)
        if start >= now:
            bad(column, value, f"is after now ({_local(now, zone)}); record what happened "
                               "once the session has begun")  # fmt: skip
            ok = False
        if sid is None and r.outcome == "held" and r.worker is None:
            bad("worker", "", "who held it? a session in no committed plan needs its worker")
            ok = False
        key = (child, start)
        if key in first:
            bad(column, value, f"the same session is already on line {first[key]}")
            ok = False
        else:
            first[key] = r.line
        if ok:
            out.append(Resolved(r, child, start, sid))
    return out


def write_sessions(
    session: Session,
    resolved: list[Resolved],
    *,
    child_ids: dict[str, int],
    worker_ids: dict[str, int],
    actor: str,
    now: datetime,
) -> list[Written]:
    return [
        upsert(
            session,
            child_id=child_ids[r.child],
            start=r.start,
            session_id=r.session_id,
            outcome=r.row.outcome,
            worker_id=worker_ids[r.row.worker] if r.row.worker else None,
            note=r.row.note,
            source="import",
            actor=actor,
            now=now,
        )
        for r in resolved
    ]


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
