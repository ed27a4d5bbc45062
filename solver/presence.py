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
        # ceil(weekly * load_share) in integers: read for every candidate of every block
        share = self.load_share
        return -(-weekly * share.numerator // share.denominator)


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


@dataclass(frozen=True, slots=True)
class _Group:
    """One period's remaining days of a block with a child window, as the cover
    price reads them for every worker the block may give the child."""

    # the block's share of the period's sessions, as numerator and (positive) denominator
    expected: tuple[int, int]
    minutes: int  # the plan's session length
    days: frozenset[dt.date]
    weekdays: tuple[tuple[int, int], ...]  # (weekday, its days in the group)


@dataclass
class AbsencePricing:
    """Level-2 prices of new key-worker relationships, for one team's allocation."""

    ctx: Context
    # per child: its days from today on with a child window, with their period (its
    # place in ctx.periods), and their count by period
    _countable: dict[str, tuple[dict[dt.date, int], dict[int, int]]] = field(
        default_factory=dict, init=False
    )
    # per child and block (its first remaining day): those days of the block, by period
    _groups: dict[tuple[str, dt.date], list[_Group]] = field(default_factory=dict, init=False)

    def new_key_cost(
        self, child: str, days: Sequence[dt.date], worker: str, presence: Presence
    ) -> int:
        """What making ``worker`` the child's new key worker on ``days`` (the child's
        in-force days of one block) costs in cover and contact gaps; risk-weighted."""
        if not presence.absent:
            return 0
        ahead = [d for d in days if d >= self.ctx.today]
        hits = presence.absent.intersection(ahead)
        if not hits:
            return 0
        cover, per = self._absent_cover(child, ahead, worker, hits)  # cover = cover / per
        gaps = self._absent_gaps(child, hits)
        risk = risk_weight(self.ctx.children[child])
        # Away on most of the days: a manager would not start the relationship even
        # where the plan asks for few sessions (one every six weeks, say), so that
        # the cover it costs is small; it outweighs the child not knowing someone else.
        mostly_away = 2 * len(hits) > len(ahead)
        whole = ABSENT_GAP_WEIGHT * gaps + (MOSTLY_AWAY_WEIGHT if mostly_away else 0)
        return risk * round(Fraction(ABSENT_SESSION_WEIGHT * cover + whole * per, per))

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
        self, child: str, ahead: list[dt.date], worker: str, hits: frozenset[dt.date]
    ) -> tuple[int, int]:
        """Sessions that will be cover because of the absence (``hits``: the days of
        ``ahead`` the worker is away): per period, the block's share of its sessions
        less the days the worker could see the child, against the same count as if
        the worker were there (their windows are priced elsewhere). A fraction, as its
        numerator and (positive) denominator."""
        ctx = self.ctx
        # summed over a common denominator: Fraction arithmetic was most of the price
        numerator, denominator = 0, 1
        for group in self._block_groups(child, ahead):
            shared = ctx.shared_weekdays(worker, child, group.minutes)
            # absent days are few beside the block's: count them, not the days present
            missed = sum(1 for d in hits if d in group.days and d.weekday() in shared)
            if not missed:  # the two counts below are equal: the term is 0
                continue
            # the group's days on which the worker shares a window with the child
            could = sum(count for weekday, count in group.weekdays if weekday in shared)
            # max(0, expected - meets) - max(0, expected - could), times its denominator
            target, countable = group.expected
            meets = could - missed
            term = max(0, target - meets * countable) - max(0, target - could * countable)
            if term:
                common = math.lcm(denominator, countable)
                numerator = numerator * (common // denominator) + term * (common // countable)
                denominator = common
        return numerator, denominator

    def _block_groups(self, child: str, ahead: list[dt.date]) -> list[_Group]:
        """The block's remaining days with a child window, by period (the same for every
        worker the block may give the child, so read once)."""
        found = self._groups.get((child, ahead[0]))
        if found is None:
            period_on, countable = self._countable_days(child)
            by_period: dict[int, list[dt.date]] = {}
            for day in ahead:  # in force from today on: period_on has those with a window
                index = period_on.get(day)
                if index is not None:
                    by_period.setdefault(index, []).append(day)
            periods = self.ctx.periods[child]
            found = []
            for index, here in by_period.items():
                period = periods[index]
                weekdays: dict[int, int] = {}
                for day in here:
                    weekdays[day.weekday()] = weekdays.get(day.weekday(), 0) + 1
                found.append(
                    _Group(
                        (period.target * len(here), countable[index]),
                        period.plan.session_minutes,
                        frozenset(here),
                        tuple(weekdays.items()),
                    )
                )
            self._groups[(child, ahead[0])] = found
        return found

    def _absent_gaps(self, child: str, hits: frozenset[dt.date]) -> int:
        """Contact gaps the absence makes: each run of consecutive days away counts one
        gap per ``max_gap_days + 1`` days (the plan in force where the run begins).
        ``hits`` are the block's remaining in-force days away: two of them a day apart
        are neighbours among those days too, so runs of calendar days are the runs."""
        gaps = 0
        first: dt.date | None = None
        last: dt.date | None = None
        for day in [*sorted(hits), None]:
            if day is not None and last is not None and (day - last).days == 1:
                last = day
                continue
            if first is not None and last is not None:
                plan = self.ctx.plan_on(child, first)
                limit = plan.max_gap_days if plan else 14
                gaps += ((last - first).days + 1) // (limit + 1)
            first = last = day
        return gaps

    def _countable_days(self, child: str) -> tuple[dict[dt.date, int], dict[int, int]]:
        """The child's horizon days from today on with a child window and a period, with
        that period (as its place in ``ctx.periods``: a Period hashes its whole plan),
        and the count of those days per period."""
        found = self._countable.get(child)
        if found is None:
            ctx = self.ctx
            periods = ctx.periods.get(child, [])
            period_on: dict[dt.date, int] = {}
            counts: dict[int, int] = {}
            for day in ctx.in_force[child]:
                if day < ctx.today or not ctx.child_spans(child, day.weekday()):
                    continue
                # ctx.period_of's period: the first that holds the day
                index = next((i for i, p in enumerate(periods) if p.contains(day)), None)
                if index is not None:
                    period_on[day] = index
                    counts[index] = counts.get(index, 0) + 1
            found = (period_on, counts)
            self._countable[child] = found
        return found
