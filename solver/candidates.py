"""Candidate sessions: every (child, worker, day, start) the timetable model may choose.

Candidates already satisfy rules 1, 2 and 3 and keep clear of fixed sessions
(rule 4 against them, rule 5); the model then picks among them under rules 4-6.
Start times lie on a grid inside the shared availability (``step`` minutes:
``KEY_STEP`` for the key worker, ``COVER_STEP`` for cover, in
``solver/timetable/state.py``) plus the existing session times, so the current
plan can always be kept.

This module holds the value (``Candidate``) and the primitives that make and test
one (``make_candidates``, ``clashes``, ``cover_workers``); which candidates a team
model gets, kind by kind, is ``solver/timetable/candidates.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from solver.context import Context
from solver.eligibility import may_work_with
from solver.periods import Period
from solver.timegrid import UTC, elapsed_minutes, intersect, place_session, travel_minutes

KEY, SECONDARY, OTHER = "key", "secondary", "other"
DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Candidate:
    child: str
    worker: str
    with_worker: str | None
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    period: Period
    role: str  # KEY, SECONDARY or OTHER: who delivers it relative to that day's allocation
    handover: bool = False
    rescue_of: str | None = None  # id of a fixed session this would hand to another worker

    @property
    def workers(self) -> tuple[str, ...]:
        return (self.worker,) if self.with_worker is None else (self.worker, self.with_worker)

    @property
    def minutes(self) -> int:
        return elapsed_minutes(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Busy:
    """A fixed session occupying a worker."""

    start: dt.datetime
    end: dt.datetime
    child: str


class TravelTable:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._cache: dict[tuple[str, str], int] = {}
        self._gaps: dict[str, dict[str, dt.timedelta]] = {}  # by child, then other child

    def between(self, a: str, b: str) -> int:
        key = (a, b) if a <= b else (b, a)
        found = self._cache.get(key)
        if found is None:
            ca, cb = self.ctx.children[a], self.ctx.children[b]
            found = travel_minutes(ca.lat, ca.lon, cb.lat, cb.lon)
            self._cache[key] = found
        return found

    def gap(self, a: str, b: str) -> dt.timedelta:
        """``between`` as a duration: rule 4's test runs millions of times at la size,
        and building the same ``timedelta`` again each time was a tenth of the solve."""
        row = self.gaps_from(a)
        found = row.get(b)
        if found is None:
            found = row[b] = dt.timedelta(minutes=self.between(a, b))
        return found

    def gaps_from(self, a: str) -> dict[str, dt.timedelta]:
        """The gaps from ``a`` found so far, by other child: a loop over one child's
        neighbours reads them without building a pair per lookup (``gap`` fills it)."""
        row = self._gaps.get(a)
        if row is None:
            row = self._gaps[a] = {}
        return row

    def from_base(self, worker: str, child: str) -> int:
        w, c = self.ctx.workers[worker], self.ctx.children[child]
        return travel_minutes(w.lat, w.lon, c.lat, c.lon)


def clashes(
    start: dt.datetime, end: dt.datetime, child: str, busy: list[Busy], travel: TravelTable
) -> bool:
    """Rule 4 against one worker's fixed sessions that day: overlap, or too little travel."""
    if not busy:  # most worker-days have no fixed session
        return False
    gaps = travel.gaps_from(child)
    for other in busy:
        gap = gaps.get(other.child)
        if gap is None:
            gap = travel.gap(child, other.child)
        if start < other.end + gap and other.start < end + gap:
            return True
    return False


def grid_starts(
    spans: list[tuple[int, int]], minutes: int, step: int, extra: set[int]
) -> list[tuple[int, tuple[int, int]]]:
    """Start minutes on a ``step`` grid in each span (plus ``extra`` ones that fit)."""
    out: dict[int, tuple[int, int]] = {}
    for span in spans:
        first = -(-span[0] // 15) * 15
        start = first
        # DST days may fit one more; place_session decides. No start at or after midnight.
        while start + minutes <= span[1] + 60 and start < DAY_MINUTES:
            out.setdefault(start, span)
            start += step
        for minute in extra:
            if span[0] <= minute < DAY_MINUTES and minute + minutes <= span[1] + 60:
                out.setdefault(minute, span)
    return sorted(out.items())


def make_candidates(
    ctx: Context,
    *,
    child: str,
    period: Period,
    day: dt.date,
    worker: str,
    with_worker: str | None,
    role: str,
    step: int,
    extra: set[int],
    busy: dict[tuple[str, dt.date], list[Busy]],
    travel: TravelTable,
    handover: bool = False,
) -> list[Candidate]:
    weekday = day.weekday()
    refs = (worker,) if with_worker is None else (worker, with_worker)
    minutes = period.plan.session_minutes
    windows = (ctx.child_spans(child, weekday), *(ctx.worker_spans(r, weekday) for r in refs))
    slots = _open_slots(day, windows, minutes, step=step, extra=frozenset(extra), tz=ctx.tz)
    blocks = _blocks(child, [busy.get((ref, day), []) for ref in refs], travel)
    now = ctx.instance.now
    out: list[Candidate] = []
    for start, end in slots:
        if start < now:
            continue
        if blocks and any(start < hi and lo < end for hi, lo in blocks):
            continue
        out.append(Candidate(child, worker, with_worker, day, start, end, period, role, handover))
    return out


# A pure function of a few small values, asked again for every child and worker that
# share windows on a day (every period, every construction): memoised, bounded.
@functools.lru_cache(maxsize=1 << 16)
def _open_slots(
    day: dt.date,
    windows: tuple[tuple[tuple[int, int], ...], ...],
    minutes: int,
    *,
    step: int,
    extra: frozenset[int],
    tz: ZoneInfo,
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """Start and end (in UTC) of every grid slot (``grid_starts``) inside all of
    ``windows`` (the child's, then each worker's) that ``place_session`` accepts, by
    start minute."""
    spans = list(windows[0])
    for theirs in windows[1:]:
        spans = intersect(tuple(spans), theirs)
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for start_minute, span in grid_starts(spans, minutes, step, set(extra)):
        placed = place_session(day, start_minute, minutes, span, tz)
        if placed is not None:
            out.append(placed)
    return tuple(out)


def _blocks(
    child: str, busy_lists: list[list[Busy]], travel: TravelTable
) -> list[tuple[dt.datetime, dt.datetime]]:
    """``clashes`` for a UTC session ``(start, end)`` as ``start < hi and lo < end`` per
    fixed session: each one's bounds once, not once per slot. ``lo`` is in UTC, where
    adding a duration is exact, so ``lo < end`` is ``other.start < end + gap``."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for busy in busy_lists:
        for other in busy:
            gap = travel.gap(child, other.child)
            out.append((other.end + gap, other.start.astimezone(UTC) - gap))
    return out


def cover_workers(
    ctx: Context,
    *,
    child: str,
    day: dt.date | None,
    team_workers: list[str],
    skip: set[str],
    load_rank: dict[str, int],
    limit: int,
) -> list[str]:
    """Up to ``limit`` team workers who may cover ``child`` on ``day``: known first, then
    free (``day`` None: on any day, absences left out)."""
    kid = ctx.children[child]
    options = [
        w
        for w in team_workers
        if w not in skip
        and (day is None or ctx.at_work(w, day))
        and may_work_with(ctx.workers[w], kid)
    ]
    options.sort(key=lambda w: (w not in kid.known_workers, load_rank.get(w, 0), w))
    return options[:limit]
