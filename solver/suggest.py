"""``suggest``: ranked candidate key workers for one child, with what each would cost.

Used for manual edits (``keyworker suggest CHILD``, ``pin``). No CP-SAT: it
reads the instance as it stands (current key workers as the caseloads) and
prices each worker on the same goals the solver uses, in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.context import Context
from solver.eligibility import employed, may_hold_case, skill_problem
from solver.errors import UnknownChild
from solver.instance import Instance
from solver.timegrid import travel_minutes

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One possible key worker. ``costs`` maps goal names to numbers (lower is better)."""

    worker: str
    eligible: bool
    rank: int
    reasons: tuple[str, ...]
    costs: tuple[tuple[str, float], ...]

    def cost(self, name: str) -> float:
        return dict(self.costs).get(name, 0.0)


def suggest(instance: Instance, child_ref: str, limit: int = 5) -> list[Suggestion]:  # noqa: PLR0912, PLR0915 - one reason per eligibility rule; to split with #14
    ctx = Context(instance)
    kid = ctx.children.get(child_ref)
    if kid is None:
        raise UnknownChild(child_ref)
    days = ctx.in_force.get(child_ref) or ctx.horizon
    first, last = days[0], days[-1]
    caseload: dict[str, int] = {}
    minutes: dict[str, int] = {}
    for other in ctx.children.values():
        ref = other.current_key_worker
        if ref is None or other.ref == child_ref:
            continue
        caseload[ref] = caseload.get(ref, 0) + 1
        plan = ctx.plan_on(other.ref, first) or next(iter(ctx.plans.get(other.ref, [])), None)
        if plan is not None:
            minutes[ref] = (
                minutes.get(ref, 0) + plan.sessions * plan.session_minutes // plan.every_weeks
            )
    plan = ctx.plan_on(child_ref, first)
    own = plan.sessions * plan.session_minutes // plan.every_weeks if plan else 0
    scored: list[tuple[tuple[float, ...], Suggestion]] = []
    child_days = sorted({d.weekday() for d in days if ctx.child_spans(child_ref, d.weekday())})
    for worker in ctx.workers.values():
        if worker.team != kid.team and skill_problem(worker, kid) is not None:
            continue
        reasons: list[str] = []
        eligible = True
        if not may_hold_case(worker, kid):
            eligible = False
            reasons.append(skill_problem(worker, kid) or f"in team {worker.team}, not {kid.team}")
        if not employed(worker, first):
            eligible = False
            reasons.append(f"not employed on {first}")
        leaves = worker.end_date is not None and worker.end_date < last
        if leaves:
            reasons.append(f"leaves on {worker.end_date}, inside the plan: another change")
        change = 0.0 if worker.ref == kid.current_key_worker else 1.0
        if change == 0.0:
            reasons.append("the current key worker")
        known = (
            0.0
            if worker.ref in kid.known_workers or worker.ref == kid.current_secondary_worker
            else 1.0
        )
        reasons.append("knows the child" if known == 0.0 else "new to the child")
        held = caseload.get(worker.ref, 0)
        if held >= worker.max_caseload:
            eligible = False
            reasons.append(f"full: {held} of {worker.max_caseload} places taken")
        else:
            reasons.append(f"{held} of {worker.max_caseload} places taken")
        capacity = int(worker.hours_per_week * 60)
        booked = minutes.get(worker.ref, 0) + own
        over = max(0, booked - capacity)
        if over:
            reasons.append(
                f"with this child {_hours(over)} over their {_hours(capacity)} weekly hours"
            )
        else:
            reasons.append(
                f"with this child {_hours(capacity - booked)} of {_hours(capacity)} "
                "weekly hours still free"
            )
        if plan is not None:
            missing = [
                DAY_NAMES[d]
                for d in child_days
                if not ctx.shares_window(worker.ref, child_ref, d, plan.session_minutes)
            ]
            if len(missing) == len(child_days):
                reasons.append("no time the child is free")
            elif missing:
                reasons.append(f"no shared time on {', '.join(missing)}")
        wish = 0.0
        if kid.preferred_workers and worker.ref not in kid.preferred_workers:
            wish += 1
        if kid.preferred_gender and worker.gender != kid.preferred_gender:
            wish += 1
            reasons.append("not the preferred gender")
        if kid.preferred_workers and worker.ref in kid.preferred_workers:
            reasons.append("asked for by the child")
        travel = travel_minutes(worker.lat, worker.lon, kid.lat, kid.lon)
        if worker.lat is not None and kid.lat is not None:
            reasons.append(f"{travel} min travel")
        # a day the team is closed is no one's absence: it tells no candidate apart
        days_away = sum(
            1
            for d in days
            if not ctx.at_work(worker.ref, d) and ctx.closed_on(worker.ref, d) is None
        )
        if days_away:
            reasons.append(f"away {days_away} of the child's {len(days)} plan days")
        costs = (
            ("ineligible", 0.0 if eligible else 1.0),
            # a leaver would be another change within weeks: after everyone who stays
            ("leaves_in_horizon", 1.0 if leaves else 0.0),
            ("keyworker_change", change),
            ("unknown_to_child", known),
            ("minutes_over_capacity", float(over)),
            ("days_away", float(days_away)),
            ("wishes_missed", wish),
            ("caseload_share", held / max(1, worker.max_caseload)),
            ("travel_minutes", float(travel)),
        )
        key = tuple(value for _, value in costs)
        scored.append((key, Suggestion(worker.ref, eligible, 0, tuple(reasons), costs)))
    scored.sort(key=lambda item: (item[0], item[1].worker))
    out: list[Suggestion] = []
    for rank, (_, cand) in enumerate(scored[:limit], start=1):
        out.append(Suggestion(cand.worker, cand.eligible, rank, cand.reasons, cand.costs))
    return out


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"
