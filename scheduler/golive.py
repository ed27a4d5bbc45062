"""The first plans after go-live: no ``UNMET_SESSIONS`` for days nobody could plan.

Before keyworker's first plan (the *go-live* day: the local date of the first
committed plan's as-of) nobody planned sessions in it. A period that began before
go-live is therefore judged only on its days from go-live on: its required number
becomes ``ceil(sessions * d / D)``, where ``D`` is the number of days of the period
and ``d`` the days of it, on or after go-live, on which the plan is in force (SPEC
"Period", with the days before go-live taken as not in force). Its sessions (held,
including any imported from ``sessions.csv``, and planned) are still counted in full.
When they reach that number, the plan's ``UNMET_SESSIONS`` finding for the period is
dropped; otherwise it stands, with its message unchanged.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import solver
from scheduler.mapping import Loaded


def excuse_before_go_live(
    loaded: Loaded, solution: solver.Solution, findings: list[solver.Finding]
) -> list[solver.Finding]:
    go_live = loaded.go_live
    if go_live is None:
        return findings
    instance = loaded.instance
    zone = instance.tz
    # read once: at la size a scan of every plan and session per finding took a second
    plans: dict[tuple[str, date | None], solver.SupportPlan] = {
        (p.child, p.start_date): p for p in instance.plans
    }
    days_of: dict[str, list[date]] = {}
    for s in solution.sessions:
        days_of.setdefault(s.child, []).append(s.start.astimezone(zone).date())
    out: list[solver.Finding] = []
    for f in findings:
        if f.kind != "UNMET_SESSIONS" or f.start >= go_live or f.child is None:
            out.append(f)
            continue
        plan = plans.get((f.child, f.plan_start))
        if plan is None:
            out.append(f)
            continue
        days = [f.start + timedelta(days=i) for i in range(plan.every_weeks * 7)]
        open_days = sum(1 for d in days if d >= go_live and plan.in_force(d))
        owed = math.ceil(Fraction(plan.sessions * open_days, len(days)))
        have = sum(1 for day in days_of.get(f.child, []) if _counts(day, f, plan))
        if have < owed:
            out.append(f)
    return out


def _counts(day: date, period: solver.Finding, plan: solver.SupportPlan) -> bool:
    """Whether a session on ``day`` counts towards the period (as the solver counts)."""
    return period.start <= day <= period.end and plan.in_force(day)
