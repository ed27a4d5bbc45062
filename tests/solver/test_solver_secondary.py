"""Secondary workers (goal 2: cover by the secondary before anyone else): who is named.

Eligibility, then in order: keep the current secondary, someone the child knows,
someone who can see the child when the key worker cannot, and an even spread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from solver_builders import (
    MONDAY,
    PARAMS,
    make_child,
    make_instance,
    make_worker,
    solve_valid,
)
from test_solver_goals import replan_input

from solver import Absence, Instance, Window
from solver.allocation import allocate
from solver.budget import Budget
from solver.context import Context
from solver.secondary import choice

WEEK1 = Absence(MONDAY, MONDAY + dt.timedelta(days=4))  # Mon-Fri of the first week


def named(instance: Instance) -> dict[str, set[str | None]]:
    """The secondary workers each child gets over the horizon (allocation stage only)."""
    result = allocate(Context(instance), PARAMS, Budget.for_seconds(5.0))
    return {child: {sec for _, sec in days.values()} for child, days in result.by_child.items()}


def only(instance: Instance) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for child, secs in named(instance).items():
        assert len(secs) == 1, (child, secs)
        out[child] = next(iter(secs))
    return out


# -- priority 1: the current secondary, then someone the child knows
def test_current_secondary_is_kept_even_when_another_would_cover_better() -> None:
    # W2 is away with the key worker, W3 is not: the relationship still comes first
    instance = make_instance(
        [
            make_worker("W1", absences=(WEEK1,)),
            make_worker("W2", absences=(WEEK1,)),
            make_worker("W3"),
        ],
        [make_child("YP-1", current_key_worker="W1", current_secondary_worker="W2")],
    )
    assert only(instance) == {"YP-1": "W2"}


def test_replan_keeps_the_current_plans_secondary_and_drops_an_ineligible_one() -> None:
    # W3 is away with the key worker: the first plan names W2
    instance = make_instance(
        [
            make_worker("W1", absences=(WEEK1,)),
            make_worker("W2"),
            make_worker("W3", absences=(WEEK1,)),
        ],
        [make_child("YP-1", current_key_worker="W1")],
    )
    first = solve_valid(instance)
    assert [a.secondary_worker for a in first.allocations] == ["W2"]
    again = replan_input(instance, first)
    assert only(again) == {"YP-1": "W2"}
    # the current plan names W3 (a manager's edit, say): kept although W2 covers better
    edited = replace(
        again,
        current_allocations=tuple(
            replace(a, secondary_worker="W3") for a in again.current_allocations
        ),
    )
    assert only(edited) == {"YP-1": "W3"}
    # W3 is now excluded for the child: no longer eligible, so someone else
    unfit = make_child("YP-1", current_key_worker="W1", excluded_workers=frozenset({"W3"}))
    excluded = replace(edited, children=(unfit,))
    assert only(excluded) == {"YP-1": "W2"}


def test_someone_the_child_knows_before_someone_who_covers_better() -> None:
    instance = make_instance(
        [
            make_worker("W1", absences=(WEEK1,)),
            make_worker("W2"),
            make_worker("W3"),
            make_worker("W4", absences=(WEEK1,)),
        ],
        [make_child("YP-1", current_key_worker="W1", known_workers=frozenset({"W4"}))],
    )
    assert only(instance) == {"YP-1": "W4"}


# -- priority 2: usefulness as cover
def test_secondary_away_with_the_key_worker_is_not_chosen() -> None:
    # only W4 is at work in the week the key worker W1 is away
    away = [make_worker(w, absences=(WEEK1,)) for w in ("W1", "W2", "W3", "W5", "W6")]
    instance = make_instance(
        [*away, make_worker("W4")], [make_child("YP-1", current_key_worker="W1")]
    )
    assert only(instance) == {"YP-1": "W4"}


def test_when_everyone_is_away_too_the_one_away_least_is_named() -> None:
    short = Absence(MONDAY, MONDAY + dt.timedelta(days=1))  # Mon-Tue only
    instance = make_instance(
        [
            make_worker("W1", absences=(WEEK1,)),
            make_worker("W2", absences=(WEEK1,)),
            make_worker("W3", absences=(short,)),
        ],
        [make_child("YP-1", current_key_worker="W1")],
    )
    assert only(instance) == {"YP-1": "W3"}


def test_secondary_who_works_when_the_key_worker_does_not() -> None:
    # the child can be seen any day; the key worker works Mon-Fri, W3 also Saturdays
    weekend = (*make_worker("W3").availability, Window(5, dt.time(10), dt.time(16)))
    instance = make_instance(
        [make_worker("W1"), make_worker("W2"), make_worker("W3", availability=weekend)],
        [make_child("YP-1", current_key_worker="W1")],
    )
    assert only(instance) == {"YP-1": "W3"}


# -- priority 3: balance
def test_secondary_duty_is_spread_across_workers() -> None:
    # YP-1 knows W2 and W3, YP-2 only W2: naming W2 for both loads one person
    instance = make_instance(
        [make_worker("W1"), make_worker("W2"), make_worker("W3")],
        [
            make_child("YP-1", current_key_worker="W1", known_workers=frozenset({"W2", "W3"})),
            make_child("YP-2", current_key_worker="W1", known_workers=frozenset({"W2"})),
        ],
    )
    assert only(instance) == {"YP-1": "W3", "YP-2": "W2"}


def test_one_key_workers_children_do_not_all_share_one_secondary() -> None:
    # W1 holds YP-1 and YP-2, W4 holds YP-3 and YP-4; all know W2 and W3. Two each
    # for W2 and W3 either way, but one absence of W1 should not land on one person.
    both = frozenset({"W2", "W3"})
    instance = make_instance(
        [make_worker(f"W{i}") for i in range(1, 5)],
        [
            make_child("YP-1", current_key_worker="W1", known_workers=both, risk="high"),
            make_child("YP-2", current_key_worker="W1", known_workers=both),
            make_child("YP-3", current_key_worker="W4", known_workers=both, risk="high"),
            make_child("YP-4", current_key_worker="W4", known_workers=both),
        ],
    )
    picks = only(instance)
    assert {picks["YP-1"], picks["YP-2"]} == {"W2", "W3"}
    assert {picks["YP-3"], picks["YP-4"]} == {"W2", "W3"}


# -- eligibility
def test_no_secondary_is_the_key_worker_or_ineligible() -> None:
    leaves = MONDAY + dt.timedelta(days=6)
    instance = make_instance(
        [
            make_worker("W1"),
            make_worker("W2", skills=frozenset({"bsl"})),
            make_worker("W3", end_date=leaves),  # gone in the second week
            make_worker("W4", team="B", skills=frozenset({"bsl"})),
            make_worker("W5"),
            make_worker("W6", skills=frozenset({"bsl"})),
        ],
        [
            make_child("YP-1", current_key_worker="W2", required_skills=frozenset({"bsl"})),
            make_child("YP-2", current_key_worker="W1", excluded_workers=frozenset({"W5"})),
            make_child("YP-3", current_key_worker="W5", current_secondary_worker="W3"),
        ],
    )
    ctx = Context(instance)
    result = allocate(ctx, PARAMS, Budget.for_seconds(5.0))
    seen = 0
    for child, days in result.by_child.items():
        kid = ctx.children[child]
        for day, (key, sec) in days.items():
            assert sec is not None and sec != key
            worker = ctx.workers[sec]
            assert worker.team == kid.team and sec not in kid.excluded_workers
            assert kid.required_skills <= worker.skills
            assert worker.end_date is None or day <= worker.end_date
            seen += 1
    assert seen == 3 * 14
    # W3 is kept while employed; YP-1 has only W6 (W4 is of another team)
    assert {sec for d, (_, sec) in result.by_child["YP-3"].items() if d <= leaves} == {"W3"}
    assert named(instance)["YP-1"] == {"W6"}


def test_a_team_of_one_names_no_secondary() -> None:
    instance = make_instance([make_worker("W1"), make_worker("W2", team="B")], [make_child()])
    assert named(instance) == {"YP-1": {None}}


# -- the greedy start is the answer when the solve finds nothing
def test_greedy_fallback_when_the_model_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "_search", lambda *_, **__: (None, False))
    instance = make_instance(
        [
            make_worker("W1", absences=(WEEK1,)),
            make_worker("W2", absences=(WEEK1,)),
            make_worker("W3"),
            make_worker("W4"),
        ],
        [
            make_child("YP-1", current_key_worker="W1", current_secondary_worker="W4"),
            make_child("YP-2", current_key_worker="W1"),
        ],
    )
    assert only(instance) == {"YP-1": "W4", "YP-2": "W3"}
