"""A growing set of chosen candidate sessions that can say at once whether one more fits.

The timetable's constructions (the greedy starts, the final fill) and its local
repair all ask the same question many thousands of times: may this candidate
join what is chosen so far under rules 4-6, the period counts and the one-of
groups (a handover, a rescued fixed session)? ``Packing`` keeps the state that
answers it (per worker-day busy spans, per worker-week minutes, per period room)
and can take a session back out, which the repair needs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

from solver.candidates import Candidate, TravelTable
from solver.context import Context
from solver.eligibility import weekly_capacity_minutes
from solver.periods import PeriodKey, period_key
from solver.timegrid import UTC, monday


class Packing:
    """Chosen candidates (indices into ``cands``, in the order taken) and what they use."""

    def __init__(
        self,
        ctx: Context,
        travel: TravelTable,
        cands: Sequence[Candidate],
        *,
        room: Mapping[PeriodKey, int],
        minutes: Mapping[tuple[str, dt.date], int],
        group_of: Mapping[int, Hashable],
    ) -> None:
        self.ctx = ctx
        self.travel = travel
        self.cands = cands  # the model's list: it may grow while this packing lives
        self.room = dict(room)
        self.minutes = dict(minutes)
        self.group_of = group_of
        self.picked: dict[int, None] = {}  # insertion-ordered set
        self.by_child: dict[str, set[int]] = defaultdict(set)
        self._days: set[tuple[str, dt.date]] = set()
        self._groups: set[Hashable] = set()
        self._busy: dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime, str, int]]] = (
            defaultdict(list)
        )
        self._caps: dict[tuple[str, dt.date], int] = {}
        self._mondays: dict[dt.date, dt.date] = {}
        self._lengths: dict[int, int] = {}  # a candidate's minutes, by index

    def fits(self, cand: Candidate, index: int = -1) -> bool:
        """Whether ``cand`` (the candidate at ``index``, or a fresh one) may join."""
        if self.room.get(period_key(cand.period), 0) <= 0 or (cand.child, cand.day) in self._days:
            return False
        group = self.group_of.get(index)
        if group is not None and group in self._groups:
            return False
        minutes = -1
        gaps = self.travel.gaps_from(cand.child)
        for ref in cand.workers:
            for lo, hi, other, _ in self._busy.get((ref, cand.day), ()):
                gap = gaps.get(other)
                if gap is None:
                    gap = self.travel.gap(cand.child, other)
                if cand.start < hi + gap and lo < cand.end + gap:
                    return False
            week = (ref, self._monday(cand.day))
            if minutes < 0:
                minutes = self._length(cand, index)
            if self.minutes.get(week, 0) + minutes > self.cap(week):
                return False
        return True

    def first_fit(self, slots: Sequence[Candidate]) -> Candidate | None:
        """The first of ``slots`` that ``fits`` as a fresh candidate.

        ``slots`` are one child's with one worker on one day in one period, in UTC (as
        ``make_candidates`` makes them): the period room, the child's day and each
        chosen session's travel bounds are the same for all of them, so they are read
        once, not once per slot (the last fill tries thousands of slots per child)."""
        if not slots:
            return None
        first = slots[0]
        if self.room.get(period_key(first.period), 0) <= 0:
            return None
        if (first.child, first.day) in self._days:
            return None
        group = self.group_of.get(-1)
        if group is not None and group in self._groups:
            return None
        # ``fits``'s ``lo < end + gap`` as ``lo - gap < end``: exact once ``lo`` is in
        # UTC, as the slots' ends are (adding a duration to a local time is wall-clock)
        blocks: list[tuple[dt.datetime, dt.datetime]] = []
        for ref in first.workers:
            for lo, hi, other, _ in self._busy.get((ref, first.day), ()):
                gap = self.travel.gap(first.child, other)
                blocks.append((hi + gap, lo.astimezone(UTC) - gap))
        weeks = [(ref, self._monday(first.day)) for ref in first.workers]
        left = min(self.cap(week) - self.minutes.get(week, 0) for week in weeks)
        for cand in slots:
            if any(cand.start < hi and lo < cand.end for hi, lo in blocks):
                continue
            if cand.minutes > left:
                continue
            return cand
        return None

    def _monday(self, day: dt.date) -> dt.date:
        found = self._mondays.get(day)
        if found is None:
            found = self._mondays[day] = monday(day)
        return found

    def _length(self, cand: Candidate, index: int) -> int:
        """``cand.minutes``, read once per candidate of the model: fits asks it often."""
        if index < 0:
            return cand.minutes
        found = self._lengths.get(index)
        if found is None:
            found = self._lengths[index] = cand.minutes
        return found

    def has_session(self, child: str, day: dt.date) -> bool:
        return (child, day) in self._days

    def blockers(self, cand: Candidate) -> set[int]:
        """The chosen sessions that keep ``cand`` out by rule 4 or 5 (not by capacity)."""
        out: set[int] = set()
        for ref in cand.workers:
            for lo, hi, other, index in self._busy.get((ref, cand.day), ()):
                gap = self.travel.gap(cand.child, other)
                if cand.start < hi + gap and lo < cand.end + gap:
                    out.add(index)
        if (cand.child, cand.day) in self._days:
            out |= {i for i in self.by_child[cand.child] if self.cands[i].day == cand.day}
        return out

    def cap(self, week: tuple[str, dt.date]) -> int:
        found = self._caps.get(week)
        if found is None:
            found = weekly_capacity_minutes(self.ctx.workers[week[0]], week[1])
            self._caps[week] = found
        return found

    def take(self, index: int) -> None:
        cand = self.cands[index]
        self.room[period_key(cand.period)] -= 1
        self._days.add((cand.child, cand.day))
        group = self.group_of.get(index)
        if group is not None:
            self._groups.add(group)
        for ref in cand.workers:
            self._busy[(ref, cand.day)].append((cand.start, cand.end, cand.child, index))
            week = (ref, self._monday(cand.day))
            self.minutes[week] = self.minutes.get(week, 0) + self._length(cand, index)
        self.picked[index] = None
        self.by_child[cand.child].add(index)

    def drop(self, index: int) -> None:
        cand = self.cands[index]
        del self.picked[index]
        self.by_child[cand.child].discard(index)
        self.room[period_key(cand.period)] += 1
        self._days.discard((cand.child, cand.day))
        group = self.group_of.get(index)
        if group is not None:
            self._groups.discard(group)
        for ref in cand.workers:
            spans = self._busy[(ref, cand.day)]
            spans[:] = [s for s in spans if s[3] != index]
            week = (ref, self._monday(cand.day))
            self.minutes[week] -= self._length(cand, index)
