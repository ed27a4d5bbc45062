"""CONTACT_GAP: stretches without a session with the key worker longer than the plan in
force allows, each with the first and last day without contact, and why (``gap_cause``,
put in words by ``messages.GAP_MESSAGES``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from solver.context import Context
from solver.findings.common import day_text, key_on, severity
from solver.findings.messages import GAP_MESSAGES, in_words
from solver.solution import Allocation, Finding, PlannedSession
from solver.terms import Cause, Fact, Reason


def contact_gap_findings(
    ctx: Context, allocations: dict[str, list[Allocation]], sessions: list[PlannedSession]
) -> list[Finding]:
    """SPEC ``CONTACT_GAP``: each stretch without a key-worker session that breaks the
    ``max_gap_days`` of the plan in force, dated from its first to its last day without
    contact (a stretch running to the horizon end ends on that day)."""
    by_child: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in sessions:
        by_child[s.child].append(s)
    out: list[Finding] = []
    for child in ctx.planned:
        if not ctx.periods.get(child):
            continue
        days = ctx.in_force[child]
        first_key = key_on(ctx, allocations, child, days[0])
        anchor = ctx.contact_anchor(child, first_key)
        start_ref = gap_start(ctx, child, anchor)
        end_ref = min(ctx.instance.horizon_end, days[-1])
        contacts = sorted(
            {
                ctx.local_day(s.start)
                for s in by_child[child]
                if key_on(ctx, allocations, child, ctx.local_day(s.start))
                in (s.worker, s.with_worker)
                and ctx.local_day(s.start) >= start_ref
                and (anchor is None or ctx.local_day(s.start) > anchor)
                and ctx.local_day(s.start) >= ctx.instance.horizon_start
            }
        )
        for stretch in gap_stretches(
            ctx,
            child,
            start_ref=start_ref,
            start_is_contact=anchor is not None,
            contacts=contacts,
            end_ref=end_ref,
        ):
            first, last, limit, length = stretch
            key = key_on(ctx, allocations, child, max(first, ctx.instance.horizon_start))
            who = key or "a key worker"
            cause = gap_cause(ctx, child, key, first, last)
            out.append(
                Finding(
                    "CONTACT_GAP",
                    severity(ctx, child),
                    child,
                    key,
                    None,
                    first,
                    last,
                    f"{child} goes {length} days without a session with {who} "
                    f"({day_text(first)} to {day_text(last)}, limit {limit}) because "
                    f"{in_words(GAP_MESSAGES, cause)}.",
                    limit=limit,
                    reason_code=str(cause.reason),
                )
            )
    return out


def gap_start(ctx: Context, child: str, anchor: dt.date | None) -> dt.date:
    """Where a child's first gap is measured from: the last key-worker contact before now,
    else the later of the plan's first in-force day and the horizon start."""
    if anchor is not None:
        return anchor
    first_in_force = min(p.plan.start_date for p in ctx.periods[child])
    return max(first_in_force, ctx.instance.horizon_start)


def gap_stretches(
    ctx: Context,
    child: str,
    *,
    start_ref: dt.date,
    start_is_contact: bool,
    contacts: list[dt.date],
    end_ref: dt.date,
) -> list[tuple[dt.date, dt.date, int, int]]:
    """(first, last day without contact, limit broken, days) of each stretch too long.

    The limit on a day is the ``max_gap_days`` of the plan in force that day, so a
    stretch that starts under a weekly plan and runs into a fortnightly one is judged
    by each plan on its own days. Days with no plan in force have no limit.
    """
    out: list[tuple[dt.date, dt.date, int, int]] = []
    previous, previous_is_contact = start_ref, start_is_contact
    stops = list(contacts)
    if not stops or stops[-1] < end_ref:
        stops.append(end_ref)
    for stop in stops:
        is_contact = stop in contacts
        if stop <= previous:
            previous_is_contact = previous_is_contact or is_contact
            continue
        limit = None
        day = previous + dt.timedelta(days=1)
        while day <= stop:
            plan = ctx.plan_on(child, day)
            if plan is not None and (day - previous).days > plan.max_gap_days:
                limit = plan.max_gap_days
                break
            day += dt.timedelta(days=1)
        if limit is not None:
            first = previous + dt.timedelta(days=1) if previous_is_contact else previous
            last = stop - dt.timedelta(days=1) if is_contact else stop
            out.append((first, last, limit, (stop - previous).days))
        previous, previous_is_contact = stop, is_contact
    return out


def gap_cause(ctx: Context, child: str, key: str | None, first: dt.date, last: dt.date) -> Cause:
    """Why ``child`` sees no key worker from ``first`` to ``last``: the key worker's own
    absence, the team's closure (a bank holiday is not the worker's absence), both,
    or no slot that fits sooner."""
    seen: dict[str, Fact] = {"child": child, "worker": key, "first": first, "last": last}
    if key is None:
        return Cause(Reason.NO_SLOT, seen)
    away = [d for d in ctx.in_force[child] if first <= d <= last and not ctx.at_work(key, d)]
    if not away:
        return Cause(Reason.NO_SLOT, seen)
    closed = sum(1 for d in away if ctx.closed_on(key, d))
    counts: dict[str, Fact] = {**seen, "away": len(away) - closed, "closed": closed}
    if closed == len(away):
        return Cause(Reason.TEAM_CLOSED, counts)
    if closed == 0:
        return Cause(Reason.KEY_AWAY, counts)
    return Cause(Reason.AWAY_AND_CLOSED, counts)
