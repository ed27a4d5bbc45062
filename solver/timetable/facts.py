"""Rule 8: the sessions a re-plan may not move, as constants for every team's model.

A fixed session (before ``now``, inside the freeze window, or locked) that still
meets rules 2 and 3 is *kept*: it occupies its worker (``busy``, ``minutes``), its
child's day and its period's count. One that no longer does is *broken*: it keeps
its time, and the model may give it to another worker or cancel it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from solver.candidates import Busy
from solver.context import Context
from solver.instance import ExistingSession
from solver.periods import period_key
from solver.timegrid import elapsed_minutes, monday


@dataclass
class FixedFacts:
    """Fixed sessions (rule 8) as constants for the model, built once for all teams."""

    busy: dict[tuple[str, dt.date], list[Busy]] = field(default_factory=dict)
    count: dict[tuple[str, dt.date, int], int] = field(default_factory=dict)  # (child, plan, k)
    days: dict[str, set[dt.date]] = field(default_factory=dict)
    minutes: dict[tuple[str, dt.date], int] = field(default_factory=dict)  # (worker, monday)
    broken: dict[str, list[ExistingSession]] = field(default_factory=dict)  # child -> sessions
    kept: list[ExistingSession] = field(default_factory=list)
    kept_by_child: dict[str, list[ExistingSession]] = field(default_factory=dict)


def fixed_facts(ctx: Context) -> FixedFacts:
    facts = FixedFacts()
    for s in ctx.fixed_sessions:
        day = ctx.local_day(s.start)
        broken = not ctx.is_past(s) and any(
            ctx.session_problem(ref, s.child, day) for ref in (s.worker, s.with_worker)
        )
        if broken:
            facts.broken.setdefault(s.child, []).append(s)
            continue
        facts.kept.append(s)
        facts.kept_by_child.setdefault(s.child, []).append(s)
        minutes = elapsed_minutes(s.start, s.end)
        for ref in (s.worker, s.with_worker):
            if ref is None:
                continue
            facts.busy.setdefault((ref, day), []).append(Busy(s.start, s.end, s.child))
            key = (ref, monday(day))
            facts.minutes[key] = facts.minutes.get(key, 0) + minutes
        facts.days.setdefault(s.child, set()).add(day)
        period = ctx.period_of(s.child, day)
        if period is not None:
            pk = period_key(period)
            facts.count[pk] = facts.count.get(pk, 0) + 1
    return facts
