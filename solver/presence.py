"""Whether a key worker will be there: absences in the key-worker choice (goal 2).

The allocation cuts the horizon into blocks at employment dates only; cutting at
every absence too would multiply the model. Inside a block, a worker's absences
are read as the block's averages, computed once per (worker, block):

* ``capacity``: rule 6's ``hours_per_week * 60 * d / D`` averaged over the block
  (d: the block's days with a window on which they are at work, D: those with a
  window), so a worker off three days a week is not loaded as if there all week;
* ``load_share``: the share of the block's days in weeks in which they are at work
  at all. A child's session moves inside the week to a day the worker is there,
  so a partial week still carries the child's weekly minutes; a week away carries
  none of them (those sessions are cover, priced below for a new relationship, and
  accepted by SPEC for a kept one). Scaling the loads as well as the hours keeps an
  absence from making a current key worker look over their hours.

A NEW relationship (a first key worker, a leaver's successor, any change) with a
worker who will be absent costs at level 2 what it will cost in the timetable:
the child's sessions that will be cover because of the absence, and a contact gap
for each ``max_gap_days + 1`` days in a row the worker is away. A leaver's
successor with whom no joint handover slot exists before the leaving day costs a
missing handover. Keeping the current key worker costs none of these.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from solver.context import Context
from solver.periods import Period
from solver.timegrid import intersect, monday
from solver.weights import (
    ABSENT_GAP_WEIGHT,
    ABSENT_SESSION_WEIGHT,
    MOSTLY_AWAY_WEIGHT,
    NO_HANDOVER_SLOT_WEIGHT,
    risk_weight,
)

# the timetable offers handover sessions in the 14 days before a change
HANDOVER_DAYS = 14


@dataclass(frozen=True, slots=True)
class Presence:
    """One worker in one allocation block, absences averaged (see the module docstring)."""

    capacity: int  # weekly minutes
    load_share: Fraction
    absent: frozenset[dt.date]

    def load(self, weekly: int) -> int:
        """The weekly minutes of a child's sessions that fall to this worker."""
        return math.ceil(weekly * self.load_share)


def block_presence(ctx: Context, worker: str, first: dt.date, last: dt.date) -> Presence:
    """``worker``'s presence over the block ``first``..``last`` (employed throughout)."""
    hours = ctx.workers[worker].hours_per_week * 60
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    away = ctx.absent_days(worker).intersection(days)
    working = [d for d in days if ctx.worker_spans(worker, d.weekday())]
    if not away or not working:
        return Presence(int(hours), Fraction(1), away)
    present = [d for d in working if d not in away]
    capacity = int(hours * len(present) / len(working) + 1e-9)
    by_week: dict[dt.date, list[dt.date]] = {}
    for day in days:
        by_week.setdefault(monday(day), []).append(day)
    windowed = set(working)
    idle = sum(  # days of weeks in which every working day is away
        len(week)
        for week in by_week.values()
        if (here := [d for d in week if d in windowed]) and all(d in away for d in here)
    )
    return Presence(capacity, Fraction(len(days) - idle, len(days)), away)


@dataclass
class AbsencePricing:
    """Level-2 prices of new key-worker relationships, for one team's allocation."""

    ctx: Context
    # per child: the horizon days from today on with a child window, by period
    _countable: dict[str, dict[Period, int]] = field(default_factory=dict, init=False)
    # per child and block (its first remaining day): those days of the block, by period
    _groups: dict[tuple[str, dt.date], dict[Period, list[dt.date]]] = field(
        default_factory=dict, init=False
    )

    def new_key_cost(
        self, child: str, days: Sequence[dt.date], worker: str, presence: Presence
    ) -> int:
        """What making ``worker`` the child's new key worker on ``days`` (the child's
        in-force days of one block) costs in cover and contact gaps; risk-weighted."""
        if not presence.absent:
            return 0
        ahead = [d for d in days if d >= self.ctx.today]
        if not presence.absent.intersection(ahead):
            return 0
        cover = self._absent_cover(child, ahead, worker, presence.absent)
        gaps = self._absent_gaps(child, ahead, presence.absent)
        risk = risk_weight(self.ctx.children[child])
        # Away on most of the days: a manager would not start the relationship even
        # where the plan asks for few sessions (one every six weeks, say), so that
        # the cover it costs is small; it outweighs the child not knowing someone else.
        mostly_away = 2 * len(presence.absent.intersection(ahead)) > len(ahead)
        return risk * round(
            ABSENT_SESSION_WEIGHT * cover
            + ABSENT_GAP_WEIGHT * gaps
            + (MOSTLY_AWAY_WEIGHT if mostly_away else 0)
        )

    def missing_handover_cost(self, child: str) -> int:
        """A leaver's successor with no joint handover slot before the leaving day."""
        return risk_weight(self.ctx.children[child]) * NO_HANDOVER_SLOT_WEIGHT

    def handover_slot(self, child: str, outgoing: str, worker: str) -> bool:
        """Whether, on a day of the child's plan between today and ``outgoing``'s last
        day (within the days the timetable offers handovers on), both workers are at
        work and share a window with the child long enough for a session."""
        ctx = self.ctx
        leaves = ctx.workers[outgoing].end_date
        if leaves is None:
            return False
        first = max(ctx.today, leaves - dt.timedelta(days=HANDOVER_DAYS - 1))
        for day in ctx.in_force[child]:
            if not first <= day <= leaves:
                continue
            if not (ctx.at_work(outgoing, day) and ctx.at_work(worker, day)):
                continue
            plan = ctx.plan_on(child, day)
            minutes = plan.session_minutes if plan else 60
            weekday = day.weekday()
            spans = intersect(
                tuple(
                    intersect(ctx.child_spans(child, weekday), ctx.worker_spans(outgoing, weekday))
                ),
                ctx.worker_spans(worker, weekday),
            )
            if any(hi - lo >= minutes for lo, hi in spans):
                return True
        return False

    def _absent_cover(
        self, child: str, ahead: list[dt.date], worker: str, away: frozenset[dt.date]
    ) -> Fraction:
        """Sessions that will be cover because of the absence: per period, the block's
        share of its sessions less the days the worker could see the child, against
        the same count as if the worker were there (their windows are priced elsewhere)."""
        ctx = self.ctx
        countable = self._countable_days(child)
        cover = Fraction(0)
        for period, here in self._block_groups(child, ahead).items():
            expected = Fraction(period.target * len(here), countable[period])
            minutes = period.plan.session_minutes
            could = [d for d in here if ctx.shares_window(worker, child, d.weekday(), minutes)]
            meets = sum(1 for d in could if d not in away)
            cover += max(Fraction(0), expected - meets) - max(Fraction(0), expected - len(could))
        return cover

    def _block_groups(self, child: str, ahead: list[dt.date]) -> dict[Period, list[dt.date]]:
        """The block's remaining days with a child window, by period (the same for every
        worker the block may give the child, so read once)."""
        found = self._groups.get((child, ahead[0]))
        if found is None:
            found = {}
            for day in ahead:
                period = self.ctx.period_of(child, day)
                if period is not None and self.ctx.child_spans(child, day.weekday()):
                    found.setdefault(period, []).append(day)
            self._groups[(child, ahead[0])] = found
        return found

    def _absent_gaps(self, child: str, ahead: list[dt.date], away: frozenset[dt.date]) -> int:
        """Contact gaps the absence makes: each run of consecutive days away counts one
        gap per ``max_gap_days + 1`` days (the plan in force where the run begins)."""
        gaps = 0
        run: list[dt.date] = []
        for day in [*ahead, None]:
            if day is not None and day in away and (not run or (day - run[-1]).days == 1):
                run.append(day)
                continue
            if run:
                plan = self.ctx.plan_on(child, run[0])
                limit = plan.max_gap_days if plan else 14
                gaps += len(run) // (limit + 1)
            run = [day] if day is not None and day in away else []
        return gaps

    def _countable_days(self, child: str) -> dict[Period, int]:
        """Per period, its horizon days from today on with a child window."""
        found = self._countable.get(child)
        if found is None:
            found = {}
            ctx = self.ctx
            for day in ctx.in_force[child]:
                if day < ctx.today or not ctx.child_spans(child, day.weekday()):
                    continue
                period = ctx.period_of(child, day)
                if period is not None:
                    found[period] = found.get(period, 0) + 1
            self._countable[child] = found
        return found
