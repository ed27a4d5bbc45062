"""Continuity figures from the stored plan history, for ``keyworker report``.

Everything here is read-only and pure: :func:`load_history` reads the stored rows
once into plain records, :func:`compute_report` turns them into frozen dataclasses,
and :func:`build_report` does both. Nothing calls the clock; ``as_of`` is passed in.

Definitions (the *window* is the local dates ``as_of - months`` .. ``as_of``; a
*held* session is one of the window that starts before ``as_of`` and was not
removed by a re-plan; a child's *key worker on a day* is the ``role="key"``
KeyWorkerHistory row in force that day):

* **Held**: past contact is held contact (``scheduler.outcomes``). A session
  recorded ``cancelled`` or ``did-not-attend`` is not held; one recorded ``held``
  by another worker counts for that worker; a past session with no outcome
  recorded counts as held by its planned worker (and is counted as
  *unconfirmed*); a session recorded held that is in no plan (before go-live)
  is held too.
* **Provider** of a held session: the child's key worker on its day when they
  were present (``worker`` or ``with``), else its ``worker``; a joint session
  counts once.
* **Share with the key worker** = of the child's held sessions, the share whose
  provider is the key worker of that day. ``None`` ("n/a") without held sessions.
* **UPC** (Usual Provider of Care) = ``max_j n_j / N``: the share of the child's
  ``N`` held sessions delivered by the provider who delivered most of them (the
  usual provider, whoever that is). ``None`` ("n/a") without held sessions.
* **COC** (Bice-Boxerman continuity of care index) =
  ``(sum_j n_j^2 - N) / (N (N - 1))`` over the providers ``j`` of the
  child's ``N`` held sessions (``n_j`` sessions each); 1 when one worker
  delivered them all, 0 when each was a different worker. Undefined for
  ``N < 2`` (``None``, shown "n/a").
* **Tenure** = days from the start of the current key-worker relationship to
  ``as_of``, back-to-back rows of the same worker joined into one relationship.
* **Key-worker changes** = ``role="key"`` rows starting inside the window whose
  preceding key row names a different worker. A child's first key worker is
  not a change. This is the measure of the national Stability Index
  (Children's Commissioner for England): in 2017-18 about 60 % of children in
  care had at least one change of social worker in the year, and about 25 %
  had two or more.
* **Longest gap** = the most days (difference of local dates) between
  consecutive held sessions with the key worker of the day, counting also from
  the start of contact to the first one, and from the last one to ``as_of`` (or
  to the plan's last in-force day, if earlier). The start of contact is the
  latest of the window start, the first in-force day of the child's plans and
  the start of the records (the first committed plan's horizon start or the
  earliest stored session, whichever is earlier), so that the months before
  keyworker was in use do not read as a gap (``None``, "n/a", while nothing is
  recorded). It is compared
  with ``max_gap_days`` of the plan in force on ``as_of`` (else the latest plan
  that began before it). Sessions with anyone else do not close a gap.
* **Wishes honoured** = of the children who stated a wish
  (``preferred_workers`` or ``preferred_gender``), the share whose current key
  worker is one of the preferred workers or of the preferred gender
  (case-insensitive).

Team rows aggregate their children: mean and median of tenure, UPC and COC over
the children where they are defined, and the share of children with at least
one and at least two key-worker changes. Workload is session minutes per ISO
week (Monday-Sunday, local), held and planned, for every worker, from the week
of the window start (or of the start of the records, if later); a joint session
counts for both workers.

``scheduler.report_delivery`` sets the delivered figures beside the current plan's.
"""

from __future__ import annotations

import calendar
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.errors import NotFound
from scheduler.models import Alert, Child, KeyWorkerHistory, PlanVersion, SupportPlan, Worker
from scheduler.models import Session as PlanSession
from scheduler.outcomes import NO_CONTACT, load_outcomes, unplanned_minutes

if TYPE_CHECKING:
    from scheduler.report_delivery import DeliveryFigures
    from scheduler.report_headline import Headline

ALL_TEAMS = "All teams"


# --- plain records read from the database -------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    id: int
    ref: str
    name: str
    team: str
    gender: str | None
    hours_per_week: float
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True, slots=True)
class ChildRecord:
    id: int
    ref: str
    team: str
    risk: str
    preferred_workers: tuple[str, ...]
    preferred_gender: str | None


@dataclass(frozen=True, slots=True)
class PlanRecord:
    child_id: int
    start_date: date
    end_date: date | None
    max_gap_days: int
    sessions: int = 1
    every_weeks: int = 1


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One ``role="key"`` KeyWorkerHistory row."""

    id: int
    child_id: int
    worker_id: int
    start_date: date
    end_date: date | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A stored session (``worker_id`` is who held it, where recorded) or a session held
    in no plan; ``outcome`` as recorded, ``None`` where nothing is."""

    child_id: int
    worker_id: int
    with_worker_id: int | None
    start: datetime
    end: datetime
    outcome: str | None = None

    @property
    def is_contact(self) -> bool:
        return self.outcome not in NO_CONTACT


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An open stored alert (status ``open``: not acknowledged, not resolved)."""

    id: str
    kind: str
    severity: str
    child_ref: str | None
    worker_ref: str | None


@dataclass(frozen=True, slots=True)
class History:
    """Everything the report needs, read in one go; no ORM object leaves :func:`load_history`."""

    workers: tuple[WorkerRecord, ...]
    children: tuple[ChildRecord, ...]
    plans: tuple[PlanRecord, ...]
    key_rows: tuple[KeyRecord, ...]
    sessions: tuple[SessionRecord, ...]
    records_start: date | None = None  # the first day keyworker has sessions for
    horizon: tuple[date, date] | None = None  # the current plan's
    alerts: tuple[AlertRecord, ...] = ()  # the open ones


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    start: date
    end: date  # the as-of date, inclusive
    as_of: datetime
    months: int
    timezone: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Days without a key-worker session: from ``start`` (the last contact, or the start
    of contact) to ``end`` (the next contact, or the as-of date)."""

    start: date
    end: date
    days: int


@dataclass(frozen=True, slots=True)
class ChildFigures:
    ref: str
    team: str
    risk: str
    key_worker: str | None
    key_worker_since: date | None
    tenure_days: int | None
    sessions_held: int
    sessions_with_key_worker: int
    key_worker_share: float | None
    upc: float | None
    coc: float | None
    workers_seen: tuple[str, ...]
    changes: int
    longest_gap: Gap | None
    max_gap_days: int | None
    gap_exceeded: bool
    wishes_stated: bool
    wishes_honoured: bool | None  # None when no wish was stated


@dataclass(frozen=True, slots=True)
class TeamFigures:
    team: str
    children: int
    tenure_mean: float | None
    tenure_median: float | None
    upc_mean: float | None
    upc_median: float | None
    coc_mean: float | None
    coc_median: float | None
    changed_once_pct: float | None  # % of children with >= 1 change
    changed_twice_pct: float | None  # % of children with >= 2 changes
    over_gap: int
    wishes_stated: int
    wishes_honoured: int
    wishes_honoured_pct: float | None


@dataclass(frozen=True, slots=True)
class KeyWorkerSpan:
    worker: str
    start: date
    end: date
    changed: bool  # begins with a change of key worker


@dataclass(frozen=True, slots=True)
class SessionMark:
    day: date
    worker: str
    with_key_worker: bool


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: date  # its first day
    sessions: int
    with_key_worker: int
    upc: float | None


@dataclass(frozen=True, slots=True)
class ChildTimeline:
    ref: str
    spans: tuple[KeyWorkerSpan, ...]
    sessions: tuple[SessionMark, ...]
    months: tuple[MonthFigures, ...]


@dataclass(frozen=True, slots=True)
class WorkerWeek:
    week: date  # the Monday
    held_minutes: int
    planned_minutes: int


@dataclass(frozen=True, slots=True)
class WorkerLoad:
    ref: str
    name: str
    team: str
    capacity_minutes: int  # hours_per_week * 60
    weeks: tuple[WorkerWeek, ...]

    @property
    def held_minutes(self) -> int:
        return sum(w.held_minutes for w in self.weeks)

    @property
    def planned_minutes(self) -> int:
        return sum(w.planned_minutes for w in self.weeks)


@dataclass(frozen=True, slots=True)
class PlanOutlook:
    """The current plan's figure for the coming weeks, beside the most it could be: the
    share of sessions the key worker could deliver at all, given absences and leavers,
    so that an unavoidable break reads differently from a poor plan."""

    version: int
    horizon_start: date
    horizon_end: date
    with_key_worker_pct: float
    ceiling_pct: float | None


@dataclass(frozen=True, slots=True)
class ContinuityReport:
    window: Window
    team: str | None
    teams: tuple[TeamFigures, ...]
    children: tuple[ChildFigures, ...]
    timelines: tuple[ChildTimeline, ...]
    workload: tuple[WorkerLoad, ...]
    outlook: PlanOutlook | None = None
    delivery: tuple[DeliveryFigures, ...] = ()
    headline: Headline | None = None

    @property
    def is_empty(self) -> bool:
        busy = any(w.held_minutes + w.planned_minutes for w in self.workload)
        return not self.children and not busy

    def child(self, ref: str) -> tuple[ChildFigures, ChildTimeline]:
        for figures, timeline in zip(self.children, self.timelines, strict=True):
            if figures.ref == ref:
                return figures, timeline
        raise NotFound("child", ref)


# --- reading ------------------------------------------------------------------------------


def load_history(session: Session, since: datetime) -> History:
    """Workers, children, plans, key-worker rows, and the sessions from ``since`` on."""
    workers = tuple(
        WorkerRecord(w.id, w.ref, w.name, w.team, w.gender, w.hours_per_week, w.start_date,
                     w.end_date)
        for w in session.scalars(select(Worker).order_by(Worker.team, Worker.ref))
    )  # fmt: skip
    children = tuple(
        ChildRecord(c.id, c.ref, c.team, c.risk, tuple(c.preferred_workers or ()),
                    c.preferred_gender)
        for c in session.scalars(select(Child).order_by(Child.team, Child.ref))
    )  # fmt: skip
    stored_plans = list(session.scalars(select(SupportPlan).order_by(SupportPlan.start_date)))
    plans = tuple(
        PlanRecord(p.child_id, p.start_date, p.end_date, p.max_gap_days, p.sessions,
                   p.every_weeks)
        for p in stored_plans
    )  # fmt: skip
    key_rows = tuple(
        KeyRecord(h.id, h.child_id, h.worker_id, h.start_date, h.end_date)
        for h in session.scalars(
            select(KeyWorkerHistory)
            .where(KeyWorkerHistory.role == "key")
            .order_by(KeyWorkerHistory.start_date, KeyWorkerHistory.id)
        )
    )
    outcomes = load_outcomes(session, since=since)
    records: list[SessionRecord] = []
    for s in session.scalars(
        select(PlanSession)
        .where(PlanSession.removed_in.is_(None), PlanSession.start >= since)
        .order_by(PlanSession.start, PlanSession.id)
    ):
        found = outcomes.pop((s.child_id, s.start), None)
        worker_id = found.worker_id if found and found.worker_id else s.worker_id
        with_id = None if s.with_worker_id == worker_id else s.with_worker_id
        records.append(SessionRecord(s.child_id, worker_id, with_id, s.start, s.end,
                                     found.outcome if found else None))  # fmt: skip
    by_child: dict[int, list[SupportPlan]] = defaultdict(list)
    for p in stored_plans:
        by_child[p.child_id].append(p)
    for (child_id, start), found in outcomes.items():  # sessions in no plan
        if found.worker_id is None or found.session_id is not None:
            continue
        minutes = unplanned_minutes(by_child[child_id], start.date())
        end = start + timedelta(minutes=minutes)
        records.append(SessionRecord(child_id, found.worker_id, None, start, end, found.outcome))
    records.sort(key=lambda r: r.start)
    first_horizon = session.scalar(select(func.min(PlanVersion.horizon_start)))
    first_session = session.scalar(
        select(func.min(PlanSession.start)).where(PlanSession.removed_in.is_(None))
    )
    first_record = min((r.start for r in records), default=None)
    starts = [
        d.date() if isinstance(d, datetime) else d
        for d in (first_horizon, first_session, first_record)
        if d is not None
    ]
    current = session.scalar(select(PlanVersion).where(PlanVersion.is_current.is_(True)))
    horizon = (current.horizon_start, current.horizon_end) if current is not None else None
    alerts = tuple(
        AlertRecord(a.id, a.kind, a.severity, a.child_ref, a.worker_ref)
        for a in session.scalars(select(Alert).where(Alert.status == "open").order_by(Alert.id))
    )
    return History(workers, children, plans, key_rows, tuple(records), min(starts, default=None),
                   horizon, alerts)  # fmt: skip


def build_report(
    session: Session,
    *,
    as_of: datetime,
    zone: ZoneInfo,
    months: int = 12,
    team: str | None = None,
    child: str | None = None,
) -> ContinuityReport:
    """The report for ``as_of``; ``child`` narrows it to one child (NotFound if unknown)."""
    window = make_window(as_of, zone, months)
    since = datetime.combine(window.start, time(0), zone).astimezone(UTC)
    found = compute_report(load_history(session, since), window, zone, team=team, child=child)
    return replace(found, outlook=plan_outlook(session))


def plan_outlook(session: Session) -> PlanOutlook | None:
    version = session.scalar(select(PlanVersion).where(PlanVersion.is_current.is_(True)))
    if version is None or "sessions_with_key_worker_pct" not in version.metrics:
        return None
    ceiling = version.metrics.get("key_worker_ceiling_pct")
    return PlanOutlook(
        version.id,
        version.horizon_start,
        version.horizon_end,
        float(version.metrics["sessions_with_key_worker_pct"]),
        None if ceiling is None else float(ceiling),
    )


# --- computing ----------------------------------------------------------------------------


def make_window(as_of: datetime, zone: ZoneInfo, months: int) -> Window:
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime")
    if months < 1:
        raise ValueError("months must be at least 1")
    end = as_of.astimezone(zone).date()
    return Window(_months_before(end, months), end, as_of, months, zone.key)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def compute_report(
    history: History,
    window: Window,
    zone: ZoneInfo,
    *,
    team: str | None = None,
    child: str | None = None,
) -> ContinuityReport:
    workers = {w.id: w for w in history.workers}
    plans: dict[int, list[PlanRecord]] = defaultdict(list)
    for p in history.plans:
        plans[p.child_id].append(p)
    key_rows: dict[int, list[KeyRecord]] = defaultdict(list)
    for k in history.key_rows:
        key_rows[k.child_id].append(k)
    for rows in key_rows.values():
        rows.sort(key=lambda r: (r.start_date, r.id))
    sessions: dict[int, list[SessionRecord]] = defaultdict(list)
    for s in history.sessions:
        sessions[s.child_id].append(s)

    chosen: list[ChildRecord] = []
    for c in history.children:
        if child is not None:
            if c.ref == child:
                chosen.append(c)
        elif (team is None or c.team == team) and _in_scope(plans[c.id], key_rows[c.id], window):
            chosen.append(c)
    if child is not None and not chosen:
        raise NotFound("child", child)

    figures: list[ChildFigures] = []
    timelines: list[ChildTimeline] = []
    for c in chosen:
        f, t = _child(
            c,
            plans=plans[c.id],
            rows=key_rows[c.id],
            sessions=sessions[c.id],
            workers=workers,
            window=window,
            zone=zone,
            records_start=history.records_start,
        )
        figures.append(f)
        timelines.append(t)

    by_team: dict[str, list[ChildFigures]] = defaultdict(list)
    for f in figures:
        by_team[f.team].append(f)
    teams = [team_figures(name, rows) for name, rows in sorted(by_team.items())]
    if len(teams) > 1:
        teams.append(team_figures(ALL_TEAMS, figures))

    only = {c.id for c in chosen} if child is not None else None
    loads = _workload(history, window, zone, team, child_ids=only)
    # Both import this module.
    from scheduler.report_delivery import delivery_figures  # noqa: PLC0415
    from scheduler.report_headline import headline_figures  # noqa: PLC0415

    delivery = delivery_figures(history, window, zone, chosen)
    headline = headline_figures(
        history, window, zone, chosen, delivery=delivery[-1] if delivery else None, team=team
    )
    return ContinuityReport(
        window,
        team,
        tuple(teams),
        tuple(figures),
        tuple(timelines),
        loads,
        delivery=delivery,
        headline=headline,
    )


def _in_scope(plans: Sequence[PlanRecord], rows: Sequence[KeyRecord], window: Window) -> bool:
    """A plan in force, or a key-worker relationship, on some day of the window."""
    spans = [(p.start_date, p.end_date) for p in plans]
    spans += [(r.start_date, r.end_date) for r in rows]
    return any(_overlaps(s, e, window.start, window.end) for s, e in spans)


def _overlaps(start: date, end: date | None, first: date, last: date) -> bool:
    """Whether ``start..end`` (open-ended if ``end`` is None) meets ``first..last``."""
    return start <= last and (end is None or end >= first)


def key_worker_on(rows: Sequence[KeyRecord], day: date) -> KeyRecord | None:
    """The key-worker row in force on ``day`` (the latest begun, if rows overlap)."""
    found: KeyRecord | None = None
    for r in rows:
        if r.start_date <= day and (r.end_date is None or r.end_date >= day):
            found = r
    return found


def relationship_since(rows: Sequence[KeyRecord], current: KeyRecord) -> date:
    """When ``current``'s relationship began, joining back-to-back rows of its worker."""
    since = current.start_date
    for r in sorted(rows, key=lambda r: r.start_date, reverse=True):
        if r.worker_id != current.worker_id or r.start_date > since:
            continue
        if r.end_date is None or r.end_date >= since - timedelta(days=1):
            since = min(since, r.start_date)
    return since


def count_changes(rows: Sequence[KeyRecord], start: date, end: date) -> int:
    """Key rows beginning in ``start..end`` that follow a row naming a different worker."""
    changes = 0
    previous: KeyRecord | None = None
    for r in rows:
        if (
            previous is not None
            and previous.worker_id != r.worker_id
            and start <= r.start_date <= end
        ):
            changes += 1
        previous = r
    return changes


def usual_provider_share(counts: Iterable[int]) -> float | None:
    """UPC: the most sessions one provider delivered over all sessions; None for none."""
    values = [n for n in counts if n > 0]
    return max(values) / sum(values) if values else None


def continuity_index(counts: Iterable[int]) -> float | None:
    """The Bice-Boxerman COC index of per-worker session counts; None for fewer than 2."""
    values = [n for n in counts if n > 0]
    total = sum(values)
    if total < 2:
        return None
    return (sum(n * n for n in values) - total) / (total * (total - 1))


def longest_gap(contacts: Iterable[date], first: date, last: date) -> Gap | None:
    """The longest stretch between consecutive points of ``first``, the contact days and
    ``last`` (the earliest such stretch on a tie); None when ``first`` is after ``last``."""
    if first > last:
        return None
    points = sorted({first, last, *(d for d in contacts if first <= d <= last)})
    if len(points) == 1:
        return Gap(first, last, 0)
    best = Gap(points[0], points[1], (points[1] - points[0]).days)
    for a, b in pairwise(points[1:]):
        if (b - a).days > best.days:
            best = Gap(a, b, (b - a).days)
    return best


def _child(
    c: ChildRecord,
    *,
    plans: Sequence[PlanRecord],
    rows: Sequence[KeyRecord],
    sessions: Sequence[SessionRecord],
    workers: dict[int, WorkerRecord],
    window: Window,
    zone: ZoneInfo,
    records_start: date | None,
) -> tuple[ChildFigures, ChildTimeline]:
    def ref(worker_id: int) -> str:
        w = workers.get(worker_id)
        return w.ref if w is not None else f"#{worker_id}"

    current = key_worker_on(rows, window.end)
    since = relationship_since(rows, current) if current is not None else None
    tenure = (window.end - since).days if since is not None else None

    held: list[tuple[date, SessionRecord, int | None]] = []
    for s in sessions:
        day = s.start.astimezone(zone).date()
        if s.start < window.as_of and window.start <= day and s.is_contact:
            row = key_worker_on(rows, day)
            held.append((day, s, row.worker_id if row is not None else None))
    delivered: Counter[int] = Counter()
    contacts: list[date] = []
    marks: list[SessionMark] = []
    for day, s, key in held:
        with_key = key is not None and key in (s.worker_id, s.with_worker_id)
        delivered[key if with_key and key is not None else s.worker_id] += 1
        if with_key:
            contacts.append(day)
        marks.append(SessionMark(day, ref(s.worker_id), with_key))
    with_key_count = len(contacts)
    upc = usual_provider_share(delivered.values())

    in_force = [p for p in plans if _overlaps(p.start_date, p.end_date, window.start, window.end)]
    gap: Gap | None = None
    limit: int | None = None
    if in_force:
        ends = [p.end_date for p in in_force]
        last = window.end if None in ends else min(window.end, max(e for e in ends if e))
        if records_start is not None:
            first = max(window.start, min(p.start_date for p in in_force), records_start)
            gap = longest_gap(contacts, first, last)
        today = [p for p in in_force if _overlaps(p.start_date, p.end_date, window.end, window.end)]
        limit = (today or in_force)[-1].max_gap_days

    stated = bool(c.preferred_workers) or bool(c.preferred_gender and c.preferred_gender.strip())
    honoured: bool | None = None
    if stated:
        honoured = False
        if current is not None and current.worker_id in workers:
            w = workers[current.worker_id]
            honoured = w.ref in c.preferred_workers or (
                bool(c.preferred_gender)
                and w.gender is not None
                and _fold(w.gender) == _fold(c.preferred_gender or "")
            )

    figures = ChildFigures(
        ref=c.ref,
        team=c.team,
        risk=c.risk,
        key_worker=ref(current.worker_id) if current is not None else None,
        key_worker_since=since,
        tenure_days=tenure,
        sessions_held=len(held),
        sessions_with_key_worker=with_key_count,
        key_worker_share=with_key_count / len(held) if held else None,
        upc=upc,
        coc=continuity_index(delivered.values()),
        workers_seen=tuple(sorted({ref(w) for w in delivered})),
        changes=count_changes(rows, window.start, window.end),
        longest_gap=gap,
        max_gap_days=limit,
        gap_exceeded=gap is not None and limit is not None and gap.days > limit,
        wishes_stated=stated,
        wishes_honoured=honoured,
    )
    timeline = ChildTimeline(c.ref, _spans(rows, window, ref), tuple(marks), _months(held, window))
    return figures, timeline


def _fold(text: str) -> str:
    return text.strip().casefold()


def _spans(
    rows: Sequence[KeyRecord], window: Window, ref: Callable[[int], str]
) -> tuple[KeyWorkerSpan, ...]:
    spans: list[KeyWorkerSpan] = []
    previous: KeyRecord | None = None
    for r in rows:
        changed = previous is not None and previous.worker_id != r.worker_id
        previous = r
        start = max(r.start_date, window.start)
        end = min(r.end_date or window.end, window.end)
        if start > end:
            continue
        name = ref(r.worker_id)
        last = spans[-1] if spans else None
        if last is not None and last.worker == name and last.end >= start - timedelta(days=1):
            spans[-1] = KeyWorkerSpan(name, last.start, max(last.end, end), last.changed)
        else:
            spans.append(KeyWorkerSpan(name, start, end, changed and r.start_date >= start))
    return tuple(spans)


def _months(
    held: Sequence[tuple[date, SessionRecord, int | None]], window: Window
) -> tuple[MonthFigures, ...]:
    totals: Counter[date] = Counter()
    with_key: Counter[date] = Counter()
    for day, s, key in held:
        month = day.replace(day=1)
        totals[month] += 1
        if key is not None and key in (s.worker_id, s.with_worker_id):
            with_key[month] += 1
    out: list[MonthFigures] = []
    month = window.start.replace(day=1)
    while month <= window.end:
        n = totals[month]
        out.append(MonthFigures(month, n, with_key[month], with_key[month] / n if n else None))
        month = (month + timedelta(days=32)).replace(day=1)
    return tuple(out)


def team_figures(name: str, children: Sequence[ChildFigures]) -> TeamFigures:
    tenures = [float(c.tenure_days) for c in children if c.tenure_days is not None]
    upcs = [c.upc for c in children if c.upc is not None]
    cocs = [c.coc for c in children if c.coc is not None]
    stated = [c for c in children if c.wishes_stated]
    honoured = sum(1 for c in stated if c.wishes_honoured)
    count = len(children)
    return TeamFigures(
        team=name,
        children=count,
        tenure_mean=_mean(tenures),
        tenure_median=_median(tenures),
        upc_mean=_mean(upcs),
        upc_median=_median(upcs),
        coc_mean=_mean(cocs),
        coc_median=_median(cocs),
        changed_once_pct=pct(sum(1 for c in children if c.changes >= 1), count),
        changed_twice_pct=pct(sum(1 for c in children if c.changes >= 2), count),
        over_gap=sum(1 for c in children if c.gap_exceeded),
        wishes_stated=len(stated),
        wishes_honoured=honoured,
        wishes_honoured_pct=pct(honoured, len(stated)),
    )


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def pct(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in %, None for an empty whole (shown as n/a)."""
    return 100.0 * part / whole if whole else None


def _workload(
    history: History,
    window: Window,
    zone: ZoneInfo,
    team: str | None,
    child_ids: set[int] | None,
) -> tuple[WorkerLoad, ...]:
    # Weeks before keyworker had any records would only dilute the chart and the means.
    begin = max(window.start, min(history.records_start or window.end, window.end))
    first_week = begin - timedelta(days=begin.weekday())
    minutes: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    last_week = window.end - timedelta(days=window.end.weekday())
    for s in history.sessions:
        if child_ids is not None and s.child_id not in child_ids:
            continue
        day = s.start.astimezone(zone).date()
        if day < window.start or not s.is_contact:
            continue  # a cancelled or missed session took nobody's time with the child
        week = day - timedelta(days=day.weekday())
        last_week = max(last_week, week)
        length = round((s.end - s.start).total_seconds() / 60)
        slot = 0 if s.start < window.as_of else 1
        for worker_id in (s.worker_id, s.with_worker_id):
            if worker_id is not None:
                minutes[(worker_id, week)][slot] += length
    weeks: list[date] = []
    week = first_week
    while week <= last_week:
        weeks.append(week)
        week += timedelta(days=7)
    busy = {worker_id for worker_id, _ in minutes}
    loads: list[WorkerLoad] = []
    for w in history.workers:
        if team is not None and w.team != team:
            continue
        employed = (w.end_date is None or w.end_date >= window.start) and (
            w.start_date is None or w.start_date <= window.end
        )
        if w.id not in busy and (child_ids is not None or not employed):
            continue
        loads.append(
            WorkerLoad(
                w.ref,
                w.name,
                w.team,
                round(w.hours_per_week * 60),
                tuple(_week(k, minutes.get((w.id, k))) for k in weeks),
            )
        )
    return tuple(loads)


def _week(week: date, minutes: list[int] | None) -> WorkerWeek:
    held, planned = minutes if minutes is not None else (0, 0)
    return WorkerWeek(week, held, planned)
