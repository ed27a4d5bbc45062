"""Read-only views of one child, one worker and the current plan (``show child``,
``show worker``, ``show plan``, ``show handovers``, ``show week``), and the other reads
the CLI shows: closures, the audit log, the continuity report. On the ORM; each public
function opens its own read session (the lists that must start fast are in
:mod:`scheduler.views`, on Core).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.db import Database
from scheduler.errors import NotFound
from scheduler.models import (
    Alert,
    AuditEntry,
    Child,
    KeyWorkerHistory,
    PlanAllocation,
    PlanVersion,
    Worker,
)
from scheduler.models import Session as PlanSession
from scheduler.views import DAY_NAMES, Table, current_key_workers, format_windows

if TYPE_CHECKING:
    from scheduler.closures import ClosedSpan
    from scheduler.report import ContinuityReport


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def child_tables(session: Session, ref: str, today: date, zone: ZoneInfo) -> list[Table]:
    child = session.scalar(select(Child).where(Child.ref == ref))
    if child is None:
        raise NotFound("child", ref)
    refs = dict(session.execute(select(Worker.id, Worker.ref)).tuples().all())
    details = Table(
        f"Child {child.ref}",
        ("field", "value"),
        [
            ("initials", child.initials),
            ("team", child.team),
            ("risk", child.risk),
            ("required skills", child.required_skills),
            ("language", child.language),
            ("preferred gender", child.preferred_gender),
            ("preferred workers", child.preferred_workers),
            ("excluded workers", child.excluded_workers),
            ("availability", format_windows(
                [(w.weekday, w.start_minute, w.end_minute) for w in child.windows])),
            ("case record key worker", child.case_key_worker),
            ("pinned to", refs.get(child.pinned_worker_id) if child.pinned_worker_id else None),
        ],
    )  # fmt: skip
    plans = Table(
        "Support plans",
        ("start", "end", "sessions", "every weeks", "minutes", "max gap days"),
        [
            (p.start_date, p.end_date or "open", p.sessions, p.every_weeks, p.session_minutes,
             p.max_gap_days)
            for p in child.plans
        ],
    )  # fmt: skip
    history = Table(
        "Key and secondary workers",
        ("role", "worker", "from", "to", "reason"),
        [
            (h.role, refs.get(h.worker_id), h.start_date, h.end_date or "now", h.reason)
            for h in session.scalars(
                select(KeyWorkerHistory)
                .where(KeyWorkerHistory.child_id == child.id)
                .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
            )
        ],
    )
    sessions = Table(
        "Sessions in the current plan",
        ("id", "when", "worker", "with", "cover", "locked"),
        [
            (s.id, _local(s.start, zone), refs.get(s.worker_id),
             refs.get(s.with_worker_id) if s.with_worker_id else None, s.cover, s.locked)
            for s in session.scalars(
                select(PlanSession)
                .where(PlanSession.child_id == child.id, PlanSession.removed_in.is_(None))
                .order_by(PlanSession.start)
            )
        ],
    )  # fmt: skip
    return [details, plans, history, sessions, open_alerts_table(session, child.ref)]


def worker_tables(session: Session, ref: str, today: date, zone: ZoneInfo) -> list[Table]:
    worker = session.scalar(select(Worker).where(Worker.ref == ref))
    if worker is None:
        raise NotFound("worker", ref)
    children = dict(session.execute(select(Child.id, Child.ref)).tuples().all())
    keyed = [cid for cid, wid in current_key_workers(session, today).items() if wid == worker.id]
    details = Table(
        f"Worker {worker.ref}",
        ("field", "value"),
        [
            ("name", worker.name),
            ("email", worker.email),
            ("team", worker.team),
            ("hours per week", worker.hours_per_week),
            ("caseload", f"{len(keyed)}/{worker.max_caseload}"),
            ("key worker for", sorted(children[c] for c in keyed)),
            ("skills", worker.skills),
            ("languages", worker.languages),
            ("availability", format_windows(
                [(w.weekday, w.start_minute, w.end_minute) for w in worker.windows])),
            ("employed", f"{worker.start_date or '-'} .. {worker.end_date or '-'}"),
        ],
    )  # fmt: skip
    absences = Table(
        "Absences",
        ("from", "to", "kind", "note"),
        [(a.start_date, a.end_date, a.kind, a.note) for a in worker.absences],
    )
    sessions = Table(
        "Sessions in the current plan",
        ("id", "when", "child", "with", "cover", "locked"),
        [
            (s.id, _local(s.start, zone), children.get(s.child_id),
             s.with_worker.ref if s.with_worker else None, s.cover, s.locked)
            for s in session.scalars(
                select(PlanSession)
                .where(
                    (PlanSession.worker_id == worker.id)
                    | (PlanSession.with_worker_id == worker.id),
                    PlanSession.removed_in.is_(None),
                )
                .order_by(PlanSession.start)
            )
        ],
    )  # fmt: skip
    return [details, absences, sessions]


def current_version(session: Session) -> PlanVersion | None:
    return session.scalar(select(PlanVersion).where(PlanVersion.is_current.is_(True)))


def plan_table(session: Session, zone: ZoneInfo) -> Table:
    version = current_version(session)
    if version is None:
        return Table("No plan committed yet; run 'keyworker plan --commit'", (), [])
    refs = dict(session.execute(select(Worker.id, Worker.ref)).tuples().all())
    children = dict(session.execute(select(Child.id, Child.ref)).tuples().all())
    counts = dict(
        session.execute(
            select(PlanSession.child_id, func.count())
            .where(PlanSession.removed_in.is_(None))
            .group_by(PlanSession.child_id)
        )
        .tuples()
        .all()
    )
    rows: list[tuple[object, ...]] = []
    allocations = session.scalars(
        select(PlanAllocation)
        .where(PlanAllocation.plan_version_id == version.id)
        .order_by(PlanAllocation.child_id, PlanAllocation.start)
    )
    for a in allocations:
        rows.append(
            (
                children.get(a.child_id),
                refs.get(a.key_worker_id) if a.key_worker_id else None,
                refs.get(a.secondary_worker_id) if a.secondary_worker_id else None,
                a.start,
                a.end,
                a.since,
                a.reason if a.changed else None,
                counts.get(a.child_id, 0),
            )
        )
    title = (
        f"Plan version {version.id}: {version.horizon_start} .. {version.horizon_end} "
        f"(committed {_local(version.committed_at, zone)} by {version.committed_by})"
    )
    headers = ("child", "key worker", "secondary", "from", "to", "since", "change",
               "sessions")  # fmt: skip
    return Table(title, headers, rows)


def handovers_table(session: Session, zone: ZoneInfo, since: datetime) -> Table:
    """Every joint handover session of the current plan from ``since``: who hands the
    child over to whom, and when the new key worker takes over."""
    refs = dict(session.execute(select(Worker.id, Worker.ref)).tuples().all())
    children = dict(session.execute(select(Child.id, Child.ref)).tuples().all())
    version = current_version(session)
    takes_over: dict[tuple[int, int], date] = {}
    if version is not None:
        for a in session.scalars(
            select(PlanAllocation).where(
                PlanAllocation.plan_version_id == version.id, PlanAllocation.changed.is_(True)
            )
        ):
            if a.key_worker_id is not None:
                takes_over.setdefault((a.child_id, a.key_worker_id), a.start)
    rows: list[tuple[object, ...]] = []
    for s in session.scalars(
        select(PlanSession)
        .where(
            PlanSession.with_worker_id.is_not(None),
            PlanSession.removed_in.is_(None),
            PlanSession.start >= since,
        )
        .order_by(PlanSession.start, PlanSession.id)
    ):
        assert s.with_worker_id is not None
        pair = (s.worker_id, s.with_worker_id)
        change = next(
            (takes_over[(s.child_id, w)] for w in pair if (s.child_id, w) in takes_over), None
        )
        incoming = next((w for w in pair if (s.child_id, w) in takes_over), None)
        outgoing = next((w for w in pair if w != incoming), None) if incoming else None
        rows.append(
            (
                children.get(s.child_id),
                _local(s.start, zone),
                refs.get(outgoing) if outgoing else refs.get(s.worker_id),
                refs.get(incoming) if incoming else refs.get(s.with_worker_id),
                change or "-",
                s.id,
            )
        )
    return Table(
        f"Handovers from {_local(since, zone)} ({len(rows)})",
        ("child", "when", "from (outgoing)", "to (incoming)", "takes over", "session"),
        rows,
    )


def week_table(session: Session, zone: ZoneInfo, monday: date, team: str | None) -> Table:
    """One week of the current plan as a timetable: a row per worker, a column per day."""
    workers = list(
        session.scalars(select(Worker).where(Worker.team == team) if team else select(Worker)).all()
    )
    workers.sort(key=lambda w: w.ref)
    if team and not workers:
        raise NotFound("team", team)
    ids = {w.id for w in workers}
    children = {c.id: c.initials or c.ref for c in session.scalars(select(Child)).all()}
    refs = {w.id: w.ref for w in session.scalars(select(Worker)).all()}
    first = datetime.combine(monday, datetime.min.time(), zone)
    last = datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone)
    cells: dict[tuple[int, int], list[str]] = {}
    for s in session.scalars(
        select(PlanSession)
        .where(
            PlanSession.removed_in.is_(None),
            PlanSession.start >= first,
            PlanSession.start < last,
        )
        .order_by(PlanSession.start, PlanSession.id)
    ):
        local = s.start.astimezone(zone)
        for holder, other in ((s.worker_id, s.with_worker_id), (s.with_worker_id, s.worker_id)):
            if holder is None or holder not in ids:
                continue
            text = f"{local:%H:%M} {children.get(s.child_id, '?')}"
            if other is not None:
                text += f" (with {refs.get(other)})"
            cells.setdefault((holder, local.weekday()), []).append(text)
    days = [monday + timedelta(days=k) for k in range(7)]
    rows = [(w.ref, *("; ".join(cells.get((w.id, d), [])) for d in range(7))) for w in workers]
    title = f"Week of {monday}" + (f", team {team}" if team else "")
    return Table(title, ("worker", *(f"{DAY_NAMES[d.weekday()]} {d:%d %b}" for d in days)), rows)


def open_alerts_table(session: Session, child_ref: str) -> Table:
    rows = [
        (a.severity, a.kind, a.id, a.start, a.message)
        for a in session.scalars(
            select(Alert)
            .where(Alert.child_ref == child_ref, Alert.status == "open")
            .order_by(Alert.start, Alert.id)
        )
    ]
    return Table(f"Open alerts ({len(rows)})", ("severity", "kind", "id", "from", "message"), rows)


# --- the reads the CLI shows, each in its own read session -------------------------------


def child(database: Database, ref: str, today: date, zone: ZoneInfo) -> list[Table]:
    with database.reading() as session:
        return child_tables(session, ref, today, zone)


def worker(database: Database, ref: str, today: date, zone: ZoneInfo) -> list[Table]:
    with database.reading() as session:
        return worker_tables(session, ref, today, zone)


def plan(database: Database, zone: ZoneInfo) -> Table:
    with database.reading() as session:
        return plan_table(session, zone)


def handovers(database: Database, zone: ZoneInfo, since: datetime) -> Table:
    with database.reading() as session:
        return handovers_table(session, zone, since)


def week(database: Database, zone: ZoneInfo, monday: date, team: str | None) -> Table:
    with database.reading() as session:
        return week_table(session, zone, monday, team)


def closures(database: Database, first: date, last: date, region: str | None) -> list[ClosedSpan]:
    """Closed days from ``first`` to ``last``: closures.csv and ``region``'s bank holidays."""
    from scheduler.closures import closed_spans  # noqa: PLC0415 - holidays: only when shown

    with database.reading() as session:
        return closed_spans(session, first, last, region)


def audit_log(database: Database, limit: int) -> list[AuditEntry]:
    """The newest ``limit`` audit entries, newest first."""
    from scheduler.audit import entries  # noqa: PLC0415 - kept beside the other reads

    with database.reading() as session:
        found = entries(session, limit)
        session.expunge_all()
    return found


def continuity_report(
    database: Database,
    *,
    as_of: datetime,
    zone: ZoneInfo,
    months: int,
    team: str | None,
    child: str | None,
) -> ContinuityReport:
    """The continuity report (``scheduler.report``) as of ``as_of``."""
    from scheduler.report import build_report  # noqa: PLC0415 - the report's modules: only here

    with database.reading() as session:
        return build_report(session, as_of=as_of, zone=zone, months=months, team=team, child=child)
