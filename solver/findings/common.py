"""What every finding shares: severities by risk, dates in words, the key worker on a day."""

from __future__ import annotations

import datetime as dt

from solver.context import Context
from solver.solution import Allocation

HIGH, MEDIUM, LOW = "high", "medium", "low"


def severity(ctx: Context, child: str) -> str:
    return HIGH if ctx.children[child].risk == "high" else MEDIUM


def day_text(day: dt.date) -> str:
    return day.isoformat()


def key_on(
    ctx: Context, allocations: dict[str, list[Allocation]], child: str, day: dt.date
) -> str | None:
    """The child's key worker on ``day``: the plan's inside the horizon, else the current one."""
    if day < ctx.instance.horizon_start:
        return ctx.children[child].current_key_worker
    for alloc in allocations.get(child, []):
        if alloc.start <= day <= alloc.end:
            return alloc.key_worker
    return None
