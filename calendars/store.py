"""Turn the stored plan into feeds, and keep the rendered feeds in ``feed_cache``.

:func:`refresh_feeds` runs inside the plan-commit transaction (and the nightly job):
it renders every worker's feed and every team's feed from a handful of bulk queries
and writes only the rows whose body changed, so an unchanged feed keeps its ETag and
``Last-Modified``. The server then answers from ``feed_cache`` without rendering.

What a feed shows about a child is decided here, in ``_Snapshot._event``: the initials
(the ref only where there are none) and the kind of session; the place only when
``[feeds] show_location`` is set. Never notes, address, risk or wishes: those columns
are not even read. A cover session names whose child it is ("cover for W007"): the
child's key worker that day in the current plan, else in the key-worker history.

A feed holds the sessions (not removed) that start between local midnight 14 days
before ``now``'s day and the end of the current plan's horizon; a joint session is
in both workers' feeds. A team feed holds the sessions of the team's children and of
the team's workers, and keeps under :data:`MAX_FEED_BYTES` by leaving out the
furthest sessions, then the oldest.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from calendars.feed import FeedEvent, FeedSpec, render_feed_fitted
from scheduler.models import (
    Child,
    FeedCache,
    KeyWorkerHistory,
    PlanAllocation,
    PlanVersion,
    SessionOutcome,
    Worker,
)
from scheduler.models import Session as SessionRow
from scheduler.settings import Settings

PAST_DAYS = 14
"""A feed starts this many local days before the day of ``now``."""

MAX_FEED_BYTES = 512 * 1024
"""Google drops the events of a feed past about 1 MB; keep every feed under half that."""

REFRESH_MINUTES = 60

_FEED_CACHE = cast(Table, FeedCache.__table__)


def worker_owner(ref: str) -> str:
    return f"worker:{ref}"


def team_owner(team: str) -> str:
    return f"team:{team}"


@dataclass(frozen=True, slots=True)
class RefreshStats:
    """What one refresh did: feeds rendered, rows written, events, and time taken."""

    feeds: int
    changed: int
    events: int
    trimmed: int
    largest_bytes: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    owner: str
    body: bytes
    events: int
    trimmed: int


def window_start(now: datetime, settings: Settings) -> datetime:
    """Local midnight :data:`PAST_DAYS` days before ``now``'s local day, in UTC.

    Whole days keep a feed's bytes (and ETag) the same all day long.
    """
    zone = settings.zone
    day = now.astimezone(zone).date() - timedelta(days=PAST_DAYS)
    return _local_midnight(day, zone)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def render_feeds(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    owners: Collection[str] | None = None,
    teams: bool = True,
) -> list[RenderedFeed]:
    """Render the feeds of ``owners`` (default: every worker and, with ``teams``, team)."""
    plan = _Snapshot.load(session, now=now, settings=settings, owners=owners)
    wanted: list[str] = []
    for worker in plan.workers.values():
        wanted.append(worker_owner(worker.ref))
    if teams:
        wanted.extend(team_owner(team) for team in sorted(plan.teams()))
    if owners is not None:
        chosen = set(owners)
        wanted = [owner for owner in wanted if owner in chosen]
    return [plan.render(owner) for owner in wanted]


def refresh_feeds(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    owners: Collection[str] | None = None,
    yield_to_others: bool = False,
) -> RefreshStats:
    """Re-render feeds and store those that changed, in the caller's transaction.

    Without ``owners`` every worker's and team's feed is refreshed and cached feeds of
    owners that no longer exist are deleted. A plan commit writes what it rendered
    whatever another process stored meanwhile (its data are the newest); with
    ``yield_to_others`` (the server's on-demand refresh) a row that changed since it
    was read is left alone, so a refresh racing a commit can never undo it.
    """
    started = time.perf_counter()
    rendered = render_feeds(session, now=now, settings=settings, owners=owners)
    start = window_start(now, settings)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    query = select(FeedCache.owner, FeedCache.etag, FeedCache.last_modified, FeedCache.window_start)
    if owners is not None:
        query = query.where(FeedCache.owner.in_(list(owners)))
    stored = {row.owner: row for row in session.execute(query)}
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for feed in rendered:
        etag = entity_tag(feed.body)
        old = stored.get(feed.owner)
        if old is None:
            inserts.append(
                {
                    "owner": feed.owner,
                    "body": feed.body,
                    "etag": etag,
                    "last_modified": stamp,
                    "window_start": start,
                }
            )
        elif old.etag != etag:
            # Last-Modified must move on whenever the body changes, even within a second
            # or when planning "as of" an earlier time, or If-Modified-Since would match.
            later = max(stamp, old.last_modified.replace(microsecond=0) + timedelta(seconds=1))
            updates.append(
                {
                    "key": feed.owner,
                    "seen": old.etag,
                    "body": feed.body,
                    "etag": etag,
                    "last_modified": later,
                    "window_start": start,
                }
            )
        elif old.window_start != start:
            updates.append({"key": feed.owner, "seen": old.etag, "window_start": start})
    if inserts:
        _insert(session, inserts, overwrite=not yield_to_others)
    changed = len(inserts) + sum(1 for row in updates if "body" in row)
    table = _FEED_CACHE
    statement = update(table).where(table.c.owner == bindparam("key"))
    if yield_to_others:
        statement = statement.where(table.c.etag == bindparam("seen"))
    for batch in _same_keys(updates):
        session.execute(statement, batch)
    if owners is None:
        gone = set(stored) - {feed.owner for feed in rendered}
        if gone:
            session.execute(delete(FeedCache).where(FeedCache.owner.in_(sorted(gone))))
    return RefreshStats(
        feeds=len(rendered),
        changed=changed,
        events=sum(feed.events for feed in rendered),
        trimmed=sum(feed.trimmed for feed in rendered),
        largest_bytes=max((len(feed.body) for feed in rendered), default=0),
        seconds=time.perf_counter() - started,
    )


def _insert(session: Session, rows: list[dict[str, object]], *, overwrite: bool) -> None:
    """INSERT that tolerates a row another process stored meanwhile (upsert or skip)."""
    table = _FEED_CACHE
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - keyworker supports SQLite and PostgreSQL only
        session.execute(insert(table), rows)
        return
    if overwrite:
        columns = ("body", "etag", "last_modified", "window_start")
        statement = statement.on_conflict_do_update(
            index_elements=["owner"], set_={name: statement.excluded[name] for name in columns}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["owner"])
    session.execute(statement, rows)


def entity_tag(body: bytes) -> str:
    """A strong ETag: the quoted SHA-256 of the body."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def _same_keys(rows: list[dict[str, object]]) -> Iterable[list[dict[str, object]]]:
    """An executemany UPDATE wants one set of columns per statement."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    return groups.values()


# --- the plan as the feeds need it -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Worker:
    id: int
    ref: str
    name: str
    team: str


@dataclass(frozen=True, slots=True)
class _Child:
    ref: str
    initials: str | None
    team: str
    lat: float | None
    lon: float | None

    @property
    def label(self) -> str:
        initials = (self.initials or "").strip()
        return initials or self.ref


@dataclass(frozen=True, slots=True)
class _Session:
    id: str
    child_id: int
    worker_id: int
    with_worker_id: int | None
    start: datetime
    end: datetime
    cover: bool
    sequence: int
    updated_at: datetime
    outcome: str | None = None  # cancelled or did-not-attend, where recorded


@dataclass(frozen=True, slots=True)
class _Period:
    start: date
    end: date | None
    worker_id: int | None


class _Snapshot:
    """Rows read in bulk once; feeds are then rendered without further queries."""

    def __init__(
        self,
        *,
        now: datetime,
        settings: Settings,
        workers: dict[int, _Worker],
        children: dict[int, _Child],
        sessions: list[_Session],
        key_periods: dict[int, list[_Period]],
    ) -> None:
        self.now = now
        self.settings = settings
        self.zone = settings.zone
        self.workers = dict(sorted(workers.items(), key=lambda item: item[1].ref))
        self.by_ref = {worker.ref: worker for worker in workers.values()}
        self.children = children
        self.by_owner: dict[str, list[_Session]] = defaultdict(list)
        for row in sessions:
            child = children[row.child_id]
            seen: set[str] = set()
            for worker_id in (row.worker_id, row.with_worker_id):
                if worker_id is None:
                    continue
                worker = workers[worker_id]
                for owner in (worker_owner(worker.ref), team_owner(worker.team)):
                    if owner not in seen:
                        seen.add(owner)
                        self.by_owner[owner].append(row)
            if team_owner(child.team) not in seen:
                self.by_owner[team_owner(child.team)].append(row)
        self.key_periods = key_periods

    @classmethod
    def load(
        cls,
        session: Session,
        *,
        now: datetime,
        settings: Settings,
        owners: Collection[str] | None,
    ) -> _Snapshot:
        zone = settings.zone
        plan = session.execute(
            select(PlanVersion.id, PlanVersion.horizon_end).where(PlanVersion.is_current)
        ).first()
        workers = {
            row.id: _Worker(row.id, row.ref, row.name, row.team)
            for row in session.execute(select(Worker.id, Worker.ref, Worker.name, Worker.team))
        }
        children = {
            row.id: _Child(row.ref, row.initials, row.team, row.lat, row.lon)
            for row in session.execute(
                select(Child.id, Child.ref, Child.initials, Child.team, Child.lat, Child.lon)
            )
        }
        query = select(
            SessionRow.id,
            SessionRow.child_id,
            SessionRow.worker_id,
            SessionRow.with_worker_id,
            SessionRow.start,
            SessionRow.end,
            SessionRow.cover,
            SessionRow.sequence,
            SessionRow.updated_at,
        ).where(SessionRow.removed_in.is_(None), SessionRow.start >= window_start(now, settings))
        if plan is not None:
            query = query.where(
                SessionRow.start < _local_midnight(plan.horizon_end + timedelta(days=1), zone)
            )
        if owners is not None and all(o.startswith("worker:") for o in owners):
            chosen = set(owners)
            ids = [w.id for w in workers.values() if worker_owner(w.ref) in chosen]
            query = query.where(
                or_(SessionRow.worker_id.in_(ids), SessionRow.with_worker_id.in_(ids))
            )
        sessions = [_Session(*row) for row in session.execute(query)]
        missed = dict(
            session.execute(
                select(SessionOutcome.session_id, SessionOutcome.outcome).where(
                    SessionOutcome.session_id.is_not(None),
                    SessionOutcome.outcome != "held",
                    SessionOutcome.start >= window_start(now, settings),
                )
            )
            .tuples()
            .all()
        )
        sessions = [replace(s, outcome=missed[s.id]) if s.id in missed else s for s in sessions]
        key_periods = _key_periods(
            session, plan.id if plan else None, {s.child_id for s in sessions if s.cover}
        )
        return cls(
            now=now,
            settings=settings,
            workers=workers,
            children=children,
            sessions=sessions,
            key_periods=key_periods,
        )

    def teams(self) -> set[str]:
        return {w.team for w in self.workers.values()} | {c.team for c in self.children.values()}

    def render(self, owner: str) -> RenderedFeed:
        kind, _, name = owner.partition(":")
        team_feed = kind == "team"
        if team_feed:
            title = f"Key work sessions – team {name}"
        else:
            worker = self.by_ref[name]
            title = f"Key work sessions – {worker.name} ({worker.ref})"
        events = tuple(self._event(row, team_feed=team_feed) for row in self.by_owner[owner])
        spec = FeedSpec(
            name=title,
            timezone=self.settings.timezone,
            events=events,
            refresh_minutes=REFRESH_MINUTES,
        )
        body, trimmed = render_feed_fitted(spec, max_bytes=MAX_FEED_BYTES, now=self.now)
        return RenderedFeed(owner, body, len(events) - trimmed, trimmed)

    def _event(self, row: _Session, *, team_feed: bool) -> FeedEvent:
        child = self.children[row.child_id]
        worker = self.workers[row.worker_id]
        other = self.workers[row.with_worker_id] if row.with_worker_id is not None else None
        kind = self._kind(row, joint=other is not None)
        summary = f"{child.label} – {kind}"
        if row.outcome is not None:
            summary += " (cancelled)" if row.outcome == "cancelled" else " (did not attend)"
        if team_feed:
            summary += f" – {worker.ref}" + (f" + {other.ref}" if other else "")
        description = None
        if other is not None:
            description = (
                f"Joint session: {worker.name} ({worker.ref}) and {other.name} ({other.ref})."
            )
        location = geo = None
        if self.settings.show_location and child.lat is not None and child.lon is not None:
            geo = (child.lat, child.lon)
            location = f"{child.lat:.5f},{child.lon:.5f}"
        return FeedEvent(
            uid=row.id,
            start=row.start,
            end=row.end,
            summary=summary,
            sequence=row.sequence,
            stamp=row.updated_at,
            description=description,
            location=location,
            geo=geo,
            status="CONFIRMED" if row.outcome is None else "CANCELLED",
        )

    def _kind(self, row: _Session, *, joint: bool) -> str:
        if not row.cover:
            return "joint handover session" if joint else "support session"
        day = row.start.astimezone(self.zone).date()
        key_worker = next(
            (
                p.worker_id
                for p in self.key_periods.get(row.child_id, ())
                if p.start <= day and (p.end is None or day <= p.end)
            ),
            None,
        )
        whose = (
            f"cover for {self.workers[key_worker].ref}"
            if key_worker is not None and key_worker in self.workers
            else "cover (no key worker)"
        )
        return f"joint session, {whose}" if joint else whose


def _key_periods(
    session: Session, plan_id: int | None, child_ids: set[int]
) -> dict[int, list[_Period]]:
    """Each child's key worker by date: the current plan first, then the history."""
    periods: dict[int, list[_Period]] = defaultdict(list)
    if not child_ids:
        return periods
    ids = sorted(child_ids)
    if plan_id is not None:
        for row in session.execute(
            select(
                PlanAllocation.child_id,
                PlanAllocation.start,
                PlanAllocation.end,
                PlanAllocation.key_worker_id,
            )
            .where(PlanAllocation.plan_version_id == plan_id, PlanAllocation.child_id.in_(ids))
            .order_by(PlanAllocation.start)
        ):
            periods[row.child_id].append(_Period(row.start, row.end, row.key_worker_id))
    for history in session.execute(
        select(
            KeyWorkerHistory.child_id,
            KeyWorkerHistory.start_date,
            KeyWorkerHistory.end_date,
            KeyWorkerHistory.worker_id,
        )
        .where(KeyWorkerHistory.role == "key", KeyWorkerHistory.child_id.in_(ids))
        .order_by(KeyWorkerHistory.start_date.desc(), KeyWorkerHistory.id.desc())
    ):
        periods[history.child_id].append(
            _Period(history.start_date, history.end_date, history.worker_id)
        )
    return periods
