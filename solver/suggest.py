"""``suggest``: ranked candidate key workers for one child, with what each would cost.

Used for manual edits (``keyworker suggest CHILD``, ``pin``). No CP-SAT: it
reads the instance as it stands (current key workers as the caseloads) and
prices each worker on the same goals the solver uses, in the same order.

One check per rule or goal (``_CHECKS``, in the order their reasons read): each
says whether the rule makes the worker ineligible, the words for it, and the
costs it prices; ``suggest`` joins them and ranks by the costs in ``COSTS``'
order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from solver.context import Context
from solver.eligibility import employed, may_hold_case, may_work_with, skill_cause
from solver.errors import UnknownChild
from solver.findings.messages import problem_message
from solver.instance import Child, Instance, SupportPlan, Worker
from solver.timegrid import travel_minutes

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# the costs a suggestion is ranked by, most important first
COSTS = (
    "ineligible",
    # a leaver would be another change within weeks: after everyone who stays
    "leaves_in_horizon",
    "keyworker_change",
    "unknown_to_child",
    "minutes_over_capacity",
    "days_away",
    "wishes_missed",
    "caseload_share",
    "travel_minutes",
)


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


@dataclass(frozen=True, slots=True)
class _Case:
    """The child every worker is checked against, and the team's caseloads without it."""

    ctx: Context
    kid: Child
    days: list[dt.date]  # the child's plan days (the horizon where none)
    plan: SupportPlan | None  # the child's plan on its first day
    own_minutes: int  # the child's weekly session minutes
    caseload: dict[str, int]  # per worker: the other children they are key worker for
    minutes: dict[str, int]  # per worker: those children's weekly session minutes
    child_days: list[int]  # the weekdays on which the child has a window

    @property
    def first(self) -> dt.date:
        return self.days[0]

    @property
    def last(self) -> dt.date:
        return self.days[-1]


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What one check says of one worker."""

    reasons: tuple[str, ...] = ()
    ineligible: bool = False
    costs: tuple[tuple[str, float], ...] = ()


_Check = Callable[[_Case, Worker], _Verdict]


def suggest(instance: Instance, child_ref: str, limit: int = 5) -> list[Suggestion]:
    """The ``limit`` best key workers for ``child_ref``, best first."""
    case = _read_case(Context(instance), child_ref)
    scored: list[tuple[tuple[float, ...], Suggestion]] = []
    for worker in case.ctx.workers.values():
        if worker.team != case.kid.team and not may_work_with(worker, case.kid):
            continue  # another team's worker who could not take the child anyway
        found = _judge(case, worker)
        scored.append((tuple(value for _, value in found.costs), found))
    scored.sort(key=lambda item: (item[0], item[1].worker))
    out: list[Suggestion] = []
    for rank, (_, cand) in enumerate(scored[:limit], start=1):
        out.append(Suggestion(cand.worker, cand.eligible, rank, cand.reasons, cand.costs))
    return out


def _read_case(ctx: Context, child_ref: str) -> _Case:
    kid = ctx.children.get(child_ref)
    if kid is None:
        raise UnknownChild(child_ref)
    days = ctx.in_force.get(child_ref) or ctx.horizon
    first = days[0]
    caseload: dict[str, int] = {}
    minutes: dict[str, int] = {}
    for other in ctx.children.values():
        ref = other.current_key_worker
        if ref is None or other.ref == child_ref:
            continue
        caseload[ref] = caseload.get(ref, 0) + 1
        plan = ctx.plan_on(other.ref, first) or next(iter(ctx.plans.get(other.ref, [])), None)
        if plan is not None:
            minutes[ref] = minutes.get(ref, 0) + _weekly_minutes(plan)
    plan = ctx.plan_on(child_ref, first)
    child_days = sorted({d.weekday() for d in days if ctx.child_spans(child_ref, d.weekday())})
    return _Case(
        ctx=ctx,
        kid=kid,
        days=days,
        plan=plan,
        own_minutes=_weekly_minutes(plan) if plan else 0,
        caseload=caseload,
        minutes=minutes,
        child_days=child_days,
    )


def _weekly_minutes(plan: SupportPlan) -> int:
    return plan.sessions * plan.session_minutes // plan.every_weeks


def _judge(case: _Case, worker: Worker) -> Suggestion:
    """Every check on ``worker``, joined into one unranked suggestion."""
    verdicts = [check(case, worker) for check in _CHECKS]
    eligible = not any(v.ineligible for v in verdicts)
    priced = {name: value for v in verdicts for name, value in v.costs}
    priced["ineligible"] = 0.0 if eligible else 1.0
    reasons = tuple(reason for v in verdicts for reason in v.reasons)
    costs = tuple((name, priced[name]) for name in COSTS)
    return Suggestion(worker.ref, eligible, 0, reasons, costs)


# -- the checks, in the order their reasons read


def _team_and_skills(case: _Case, worker: Worker) -> _Verdict:
    """Rules 1-3: of the child's team, with the skills the child needs."""
    if may_hold_case(worker, case.kid):
        return _Verdict()
    cause = skill_cause(worker, case.kid)
    reason = problem_message(cause) if cause else f"in team {worker.team}, not {case.kid.team}"
    return _Verdict((reason,), ineligible=True)


def _employed_at_start(case: _Case, worker: Worker) -> _Verdict:
    if employed(worker, case.first):
        return _Verdict()
    return _Verdict((f"not employed on {case.first}",), ineligible=True)


def _stays(case: _Case, worker: Worker) -> _Verdict:
    """A worker who leaves inside the plan would be another change within weeks."""
    leaves = worker.end_date is not None and worker.end_date < case.last
    reasons = (f"leaves on {worker.end_date}, inside the plan: another change",) if leaves else ()
    return _Verdict(reasons, costs=(("leaves_in_horizon", 1.0 if leaves else 0.0),))


def _continuity(case: _Case, worker: Worker) -> _Verdict:
    """Goal 3: the current key worker costs no change."""
    change = 0.0 if worker.ref == case.kid.current_key_worker else 1.0
    reasons = ("the current key worker",) if change == 0.0 else ()
    return _Verdict(reasons, costs=(("keyworker_change", change),))


def _known(case: _Case, worker: Worker) -> _Verdict:
    kid = case.kid
    known = (
        0.0
        if worker.ref in kid.known_workers or worker.ref == kid.current_secondary_worker
        else 1.0
    )
    reason = "knows the child" if known == 0.0 else "new to the child"
    return _Verdict((reason,), costs=(("unknown_to_child", known),))


def _caseload(case: _Case, worker: Worker) -> _Verdict:
    """Rule 7: a place left in the worker's caseload."""
    held = case.caseload.get(worker.ref, 0)
    share = (("caseload_share", held / max(1, worker.max_caseload)),)
    if held >= worker.max_caseload:
        reason = f"full: {held} of {worker.max_caseload} places taken"
        return _Verdict((reason,), ineligible=True, costs=share)
    return _Verdict((f"{held} of {worker.max_caseload} places taken",), costs=share)


def _weekly_hours(case: _Case, worker: Worker) -> _Verdict:
    """Goal 1: the child's sessions fit the worker's weekly hours."""
    capacity = int(worker.hours_per_week * 60)
    booked = case.minutes.get(worker.ref, 0) + case.own_minutes
    over = max(0, booked - capacity)
    if over:
        reason = f"with this child {_in_hours(over)} over their {_in_hours(capacity)} weekly hours"
    else:
        reason = (
            f"with this child {_in_hours(capacity - booked)} of {_in_hours(capacity)} "
            "weekly hours still free"
        )
    return _Verdict((reason,), costs=(("minutes_over_capacity", float(over)),))


def _shared_time(case: _Case, worker: Worker) -> _Verdict:
    """Rule 1: the weekdays on which the worker shares no window with the child."""
    plan = case.plan
    if plan is None:
        return _Verdict()
    missing = [
        DAY_NAMES[d]
        for d in case.child_days
        if not case.ctx.shares_window(worker.ref, case.kid.ref, d, plan.session_minutes)
    ]
    if len(missing) == len(case.child_days):
        return _Verdict(("no time the child is free",))
    if missing:
        return _Verdict((f"no shared time on {', '.join(missing)}",))
    return _Verdict()


def _wishes(case: _Case, worker: Worker) -> _Verdict:
    """Goal 5: the child's wishes for a worker and for their gender."""
    kid = case.kid
    wish = 0.0
    reasons: list[str] = []
    if kid.preferred_workers and worker.ref not in kid.preferred_workers:
        wish += 1
    if kid.preferred_gender and worker.gender != kid.preferred_gender:
        wish += 1
        reasons.append("not the preferred gender")
    if kid.preferred_workers and worker.ref in kid.preferred_workers:
        reasons.append("asked for by the child")
    return _Verdict(tuple(reasons), costs=(("wishes_missed", wish),))


def _travel(case: _Case, worker: Worker) -> _Verdict:
    kid = case.kid
    travel = travel_minutes(worker.lat, worker.lon, kid.lat, kid.lon)
    reasons = (f"{travel} min travel",) if worker.lat is not None and kid.lat is not None else ()
    return _Verdict(reasons, costs=(("travel_minutes", float(travel)),))


def _days_away(case: _Case, worker: Worker) -> _Verdict:
    """The child's plan days the worker is away."""
    ctx = case.ctx
    # a day the team is closed is no one's absence: it tells no candidate apart
    away = sum(
        1
        for d in case.days
        if not ctx.at_work(worker.ref, d) and ctx.closed_on(worker.ref, d) is None
    )
    reasons = (f"away {away} of the child's {len(case.days)} plan days",) if away else ()
    return _Verdict(reasons, costs=(("days_away", float(away)),))


_CHECKS: tuple[_Check, ...] = (
    _team_and_skills,
    _employed_at_start,
    _stays,
    _continuity,
    _known,
    _caseload,
    _weekly_hours,
    _shared_time,
    _wishes,
    _travel,
    _days_away,
)


def _in_hours(minutes: int) -> str:
    return f"{minutes / 60:g}"
