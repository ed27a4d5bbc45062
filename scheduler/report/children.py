"""Each child's figures (``scheduler.report`` defines them) and timeline over the window."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from scheduler.report.measures import (
    Gap,
    continuity_index,
    count_changes,
    key_worker_on,
    longest_gap,
    relationship_since,
    usual_provider_share,
)
from scheduler.report.period import ReportPeriod, overlaps
from scheduler.report.records import ChildRecord, KeyRecord, PlanRecord, SessionRecord, WorkerRecord


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


def child_figures(
    c: ChildRecord,
    *,
    plans: Sequence[PlanRecord],
    rows: Sequence[KeyRecord],
    sessions: Sequence[SessionRecord],
    workers: dict[int, WorkerRecord],
    period: ReportPeriod,
    zone: ZoneInfo,
    records_start: date | None,
) -> tuple[ChildFigures, ChildTimeline]:
    def ref(worker_id: int) -> str:
        w = workers.get(worker_id)
        return w.ref if w is not None else f"#{worker_id}"

    current = key_worker_on(rows, period.end)
    since = relationship_since(rows, current) if current is not None else None
    tenure = (period.end - since).days if since is not None else None

    held: list[tuple[date, SessionRecord, int | None]] = []
    for s in sessions:
        day = s.start.astimezone(zone).date()
        if s.start < period.as_of and period.start <= day and s.is_contact:
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

    in_force = [p for p in plans if overlaps(p.start_date, p.end_date, period.start, period.end)]
    gap: Gap | None = None
    limit: int | None = None
    if in_force:
        ends = [p.end_date for p in in_force]
        last = period.end if None in ends else min(period.end, max(e for e in ends if e))
        if records_start is not None:
            first = max(period.start, min(p.start_date for p in in_force), records_start)
            gap = longest_gap(contacts, first, last)
        today = [p for p in in_force if overlaps(p.start_date, p.end_date, period.end, period.end)]
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
        changes=count_changes(rows, period.start, period.end),
        longest_gap=gap,
        max_gap_days=limit,
        gap_exceeded=gap is not None and limit is not None and gap.days > limit,
        wishes_stated=stated,
        wishes_honoured=honoured,
    )
    timeline = ChildTimeline(c.ref, _spans(rows, period, ref), tuple(marks), _months(held, period))
    return figures, timeline


def _fold(text: str) -> str:
    return text.strip().casefold()


def _spans(
    rows: Sequence[KeyRecord], period: ReportPeriod, ref: Callable[[int], str]
) -> tuple[KeyWorkerSpan, ...]:
    spans: list[KeyWorkerSpan] = []
    previous: KeyRecord | None = None
    for r in rows:
        changed = previous is not None and previous.worker_id != r.worker_id
        previous = r
        start = max(r.start_date, period.start)
        end = min(r.end_date or period.end, period.end)
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
    held: Sequence[tuple[date, SessionRecord, int | None]], period: ReportPeriod
) -> tuple[MonthFigures, ...]:
    totals: Counter[date] = Counter()
    with_key: Counter[date] = Counter()
    for day, s, key in held:
        month = day.replace(day=1)
        totals[month] += 1
        if key is not None and key in (s.worker_id, s.with_worker_id):
            with_key[month] += 1
    out: list[MonthFigures] = []
    month = period.start.replace(day=1)
    while month <= period.end:
        n = totals[month]
        out.append(MonthFigures(month, n, with_key[month], with_key[month] / n if n else None))
        month = (month + timedelta(days=32)).replace(day=1)
    return tuple(out)
