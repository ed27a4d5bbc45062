"""The continuity ceiling: the share of sessions that could be with the key worker at best.

Absences, leavers and part-time patterns put some sessions out of the key
worker's reach whatever the plan does. Per period, a session can be with the
key worker at most on as many days as the key worker (of that day) is at work
and shares a window with the child long enough for the session; the ceiling is
that count over the plan's sessions, against the same sessions the metric
``sessions_with_key_worker_pct`` counts (in the horizon, not past). A manager
reads the two side by side: a plan at its ceiling had no better choice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.context import Context
from solver.periods import Period
from solver.solution import Allocation, PlannedSession


def key_worker_ceiling_pct(
    ctx: Context, allocations: list[Allocation], sessions: list[PlannedSession]
) -> float:
    hs, he = ctx.instance.horizon_start, ctx.instance.horizon_end
    current = [s for s in sessions if not s.past and hs <= ctx.local_day(s.start) <= he]
    if not current:
        return 100.0
    key_on: dict[tuple[str, dt.date], str | None] = {}
    for a in allocations:
        day = a.start
        while day <= a.end:
            key_on[(a.child, day)] = a.key_worker
            day += dt.timedelta(days=1)
    by_period: dict[Period, int] = defaultdict(int)
    for s in current:
        period = ctx.period_of(s.child, ctx.local_day(s.start))
        if period is not None:
            by_period[period] += 1
    reachable = 0
    for period, count in by_period.items():
        days = 0
        day = max(period.first_day, hs, ctx.today)
        while day <= min(period.last_day, he) and days < count:
            key = key_on.get((period.child, day))
            if (
                key is not None
                and period.contains(day)
                and ctx.at_work(key, day)
                and ctx.shares_window(key, period.child, day.weekday(), period.plan.session_minutes)
            ):
                days += 1
            day += dt.timedelta(days=1)
        reachable += min(count, days)
    return round(100.0 * reachable / len(current), 1)
