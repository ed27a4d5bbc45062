"""Periods of a support plan and the sessions each one requires (SPEC "Period")."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from solver.instance import SupportPlan
from solver.timegrid import days, monday

PeriodKey = tuple[str, dt.date, int]


@dataclass(frozen=True, slots=True)
class Period:
    """One period of one plan.

    ``required`` is SPEC's ``ceil(sessions * f)``. ``target`` is what this plan must
    hold by the horizon end: ``required`` when the period ends inside the horizon,
    else a pro-rata share of it (the rest belongs to the next plan).
    """

    plan: SupportPlan
    index: int
    first_day: dt.date
    last_day: dt.date
    required: int
    target: int
    ends_in_horizon: bool

    @property
    def child(self) -> str:
        return self.plan.child

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` counts towards this period: inside it, with its plan in force.

        When a plan is replaced mid-period, the old plan's last period and the new plan's
        first one share dates; each holds only the days its own plan is in force, or
        sessions land in the wrong plan's period with the wrong plan's length.
        """
        return self.first_day <= day <= self.last_day and self.plan.in_force(day)


def plan_periods(plan: SupportPlan, horizon_start: dt.date, horizon_end: dt.date) -> list[Period]:
    """The periods of ``plan`` that overlap the horizon and in which the plan is in force.

    That includes a period the horizon starts in whose plan ended before the horizon
    (replaced by a plan starting later): it ends inside the horizon, so SPEC counts it.
    """
    length = 7 * plan.every_weeks
    origin = monday(plan.start_date)
    if plan.start_date > horizon_end:
        return []
    first_index = max(0, (horizon_start - origin).days // length)
    out: list[Period] = []
    index = first_index
    while True:
        first = origin + dt.timedelta(days=index * length)
        if first > horizon_end or (plan.end_date is not None and first > plan.end_date):
            break
        last = first + dt.timedelta(days=length - 1)
        in_force = [d for d in days(first, last) if plan.in_force(d)]
        if in_force:
            required = math.ceil(Fraction(plan.sessions * len(in_force), length))
            ends_inside = last <= horizon_end
            if ends_inside:
                target = required
            else:
                upto = [d for d in in_force if d <= horizon_end]
                target = min(required, math.ceil(Fraction(required * len(upto), len(in_force))))
            out.append(Period(plan, index, first, last, required, target, ends_inside))
        index += 1
    return out


def planned_days(plans: list[SupportPlan], horizon: list[dt.date]) -> list[dt.date]:
    """Horizon days on which any of the child's plans is in force."""
    return [d for d in horizon if any(p.in_force(d) for p in plans)]


def plan_on(plans: list[SupportPlan], day: dt.date) -> SupportPlan | None:
    for plan in plans:
        if plan.in_force(day):
            return plan
    return None


def period_key(period: Period) -> PeriodKey:
    """A period's identity: the child, its plan's first day and the period's index."""
    plan = period.plan  # not ``period.child``: asked millions of times at la size
    return (plan.child, plan.start_date, period.index)
