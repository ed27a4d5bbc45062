"""Why a key worker changed: a reason code and its facts (``solver.terms.Cause``).

``binding_rule`` names the rule that rules the old key worker out from a day (it
needs no solution: the model notes it beside the change it forces), in the order a
manager would give it: the child's own exclusion first, then the case record, a
pin, and the worker's dates, team, presence, skills and language.
``load_pressure`` is the rest: the old key worker could have stayed, and the
solution's caseloads or hours moved the child. ``paid_causes`` reads the causes of
the changes a solution paid. ``solver/findings/messages.py`` puts them in words.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from solver.context import Context
from solver.eligibility import may_hold_case
from solver.terms import CHANGE_CAUSES, Cause, Fact, Paid, Reason


def binding_rule(ctx: Context, child: str, old: str | None, day: dt.date) -> Cause | None:
    """The rule that keeps ``old`` from being ``child``'s key worker from ``day``, if one does."""
    kid = ctx.children[child]
    seen: dict[str, Fact] = {"child": child, "old": old, "day": day}
    if old is not None and old in kid.excluded_workers:
        # First: an exclusion is the child's own request to change (SPEC children.csv),
        # and it binds whatever else (a pin, an absence) also holds.
        return Cause(Reason.EXCLUDED, seen)
    if kid.key_worker_change_reason and day == ctx.in_force[child][0]:
        return Cause(Reason.CASE_RECORD, {**seen, "record": kid.key_worker_change_reason})
    if kid.pinned_worker and kid.pinned_worker != old:
        if kid.pinned_from:
            return Cause(
                Reason.PIN_FROM, {**seen, "pinned": kid.pinned_worker, "since": kid.pinned_from}
            )
        return Cause(Reason.PIN, {**seen, "pinned": kid.pinned_worker})
    if old is None:
        return Cause(Reason.NO_PREVIOUS, seen)
    return _worker_rule(ctx, child, old, day)


def _worker_rule(ctx: Context, child: str, old: str, day: dt.date) -> Cause | None:
    """What of the old key worker's own record rules them out (rules 2 and 3)."""
    kid = ctx.children[child]
    seen: dict[str, Fact] = {"child": child, "old": old, "day": day}
    worker = ctx.workers.get(old)
    if worker is None:
        return Cause(Reason.NOT_A_WORKER, seen)
    if worker.end_date is not None and day > worker.end_date:
        return Cause(Reason.LEFT, {**seen, "end": worker.end_date})
    if worker.start_date is not None and day < worker.start_date:
        return Cause(Reason.NOT_STARTED, {**seen, "start": worker.start_date})
    if worker.team != kid.team:
        return Cause(Reason.TEAM, {**seen, "team": kid.team})
    if may_hold_case(worker, kid):
        return None
    # rule 3 fails: said as a session would be (absent or closed that day first)
    if not ctx.at_work(old, day):
        closed = ctx.closed_on(old, day)
        if closed is not None:
            return Cause(Reason.CLOSED, {**seen, "team": worker.team, "closure": closed})
        return Cause(Reason.ABSENT, seen)
    missing = sorted(kid.required_skills - worker.skills)
    if missing:
        return Cause(Reason.SKILL, {**seen, "skills": ", ".join(missing)})
    return Cause(Reason.LANGUAGE, {**seen, "language": kid.language})


def load_pressure(
    ctx: Context,
    child: str,
    old: str,
    day: dt.date,
    *,
    caseload: Mapping[tuple[str, dt.date], int],
    overflow: Mapping[str, int],
) -> Cause:
    """Why the solution moved ``child`` from ``old``, who could have stayed."""
    seen: dict[str, Fact] = {"child": child, "old": old, "day": day}
    limit = ctx.workers[old].max_caseload
    if caseload.get((old, day), 0) >= limit:
        return Cause(Reason.CASELOAD, {**seen, "limit": limit})
    if overflow.get(old, 0) > 0:
        return Cause(Reason.HOURS, seen)
    return Cause(Reason.TEAM_CASELOADS, seen)


def change_cause(
    ctx: Context,
    *,
    child: str,
    old: str | None,
    day: dt.date,
    caseload: Mapping[tuple[str, dt.date], int],
    overflow: Mapping[str, int],
) -> Cause:
    """Why ``old`` did not stay key worker for ``child`` from ``day``."""
    cause = binding_rule(ctx, child, old, day)
    if cause is not None:
        return cause
    assert old is not None  # binding_rule answers NO_PREVIOUS
    return load_pressure(ctx, child, old, day, caseload=caseload, overflow=overflow)


def paid_causes(
    ctx: Context,
    paid: list[Paid],
    *,
    keys: Mapping[tuple[str, int], str | None],
    block_days: Mapping[tuple[str, int], list[dt.date]],
    overflow: Mapping[str, int],
) -> dict[tuple[str, dt.date], Cause]:
    """The cause of each key-worker change the solution paid, by child and first day.

    A change a rule forced was noted with that rule's code; a change the model chose
    (``KEY_CHANGE``) is put down to the load the solution leaves the old key worker.
    A paid change the final keys do not make (a search stopped early may pay one
    it need not) is left out.
    """
    caseload: Counter[tuple[str, dt.date]] = Counter()
    for (child, b), holder in keys.items():
        if holder is not None:
            caseload.update((holder, day) for day in block_days[(child, b)])
    out: dict[tuple[str, dt.date], Cause] = {}
    chosen: list[Paid] = []
    for p in paid:
        reason = p.term.reason
        if reason in CHANGE_CAUSES:
            facts = p.term.facts
            out[(str(facts["child"]), _day(facts))] = Cause(Reason(reason), facts)
        elif reason is Reason.KEY_CHANGE:
            chosen.append(p)
    for p in chosen:
        facts = p.term.facts
        child, b, day = str(facts["child"]), _int(facts["block"]), _day(facts)
        before = facts.get("before")
        old = facts.get("old") if before is None else keys.get((child, _int(before)))
        new = keys.get((child, b))
        if old is None or new is None or new == old or (child, day) in out:
            continue
        out[(child, day)] = change_cause(
            ctx, child=child, old=str(old), day=day, caseload=caseload, overflow=overflow
        )
    return out


def _day(facts: Mapping[str, object]) -> dt.date:
    day = facts["day"]
    assert isinstance(day, dt.date)
    return day


def _int(fact: object) -> int:
    assert isinstance(fact, int)
    return fact
