"""The stored plan as the feeds need it, read in bulk once, and each feed rendered from it.

A feed holds the sessions (not removed) that start between local midnight 14 days
before ``now``'s day and the end of the current plan's horizon; a joint session is
in both workers' feeds. A team feed holds the sessions of the team's children and of
the team's workers, and keeps under :data:`MAX_FEED_BYTES` by leaving out the
furthest sessions, then the oldest. What an event shows is :mod:`calendars.events`'s
to decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from calendars.events import FeedChild, FeedSession, FeedWorker, feed_event
from calendars.feed import FeedEvent, FeedSpec, render_feed_fitted
from scheduler.models import (
    Child,
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


def worker_owner(ref: str) -> str:
    return f"worker:{ref}"


def team_owner(team: str) -> str:
    return f"team:{team}"


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
        workers: dict[int, FeedWorker],
        children: dict[int, FeedChild],
        sessions: list[FeedSession],
        key_periods: dict[int, list[_Period]],
    ) -> None:
        self.now = now
        self.settings = settings
        self.zone = settings.zone
        self.workers = dict(sorted(workers.items(), key=lambda item: item[1].ref))
        self.by_ref = {worker.ref: worker for worker in workers.values()}
        self.children = children
        self.by_owner: dict[str, list[FeedSession]] = defaultdict(list)
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
            row.id: FeedWorker(row.id, row.ref, row.name, row.team)
            for row in session.execute(select(Worker.id, Worker.ref, Worker.name, Worker.team))
        }
        children = {
            row.id: FeedChild(row.ref, row.initials, row.team, row.lat, row.lon)
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
        sessions = [FeedSession(*row) for row in session.execute(query)]
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

    def _event(self, row: FeedSession, *, team_feed: bool) -> FeedEvent:
        child = self.children[row.child_id]
        worker = self.workers[row.worker_id]
        other = self.workers[row.with_worker_id] if row.with_worker_id is not None else None
        return feed_event(
            row,
            child=child,
            worker=worker,
            other=other,
            key_worker=self._key_worker(row) if row.cover else None,
            team_feed=team_feed,
            show_location=self.settings.show_location,
        )

    def _key_worker(self, row: FeedSession) -> FeedWorker | None:
        """The child's key worker on the day of ``row``: the current plan's, else the
        key-worker history's; None without one (or one not among the workers)."""
        day = row.start.astimezone(self.zone).date()
        key_worker = next(
            (
                p.worker_id
                for p in self.key_periods.get(row.child_id, ())
                if p.start <= day and (p.end is None or day <= p.end)
            ),
            None,
        )
        return self.workers.get(key_worker) if key_worker is not None else None


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
