"""What a solution paid, read back from its named terms (solver/terms.py, issue 14).

Real CP-SAT solves of tiny teams: a change a rule forces is read back with that
rule's code, nothing is paid where nothing changes, and every reason code a
finding can carry has its words in the message table.
"""

from __future__ import annotations

import datetime as dt

import pytest
from ortools.sat.python import cp_model
from solver_builders import MONDAY, PARAMS, make_child, make_instance, make_worker, solve_valid

from solver import Instance
from solver.allocation import AllocationResult, allocate
from solver.context import Context
from solver.findings import CHANGE_MESSAGES, change_message
from solver.instance import in_utc
from solver.terms import CHANGE_CAUSES, Cause, Level, Paid, Reason, paid


def _allocation(instance: Instance) -> AllocationResult:
    ctx = Context(in_utc(instance))
    return allocate(ctx, PARAMS, PARAMS.budget(len(ctx.planned)))


def _changes(result: AllocationResult) -> list[Paid]:
    return [
        p for p in result.paid if p.term.reason in CHANGE_CAUSES or p.term.reason == "KEY_CHANGE"
    ]


def test_level_reads_back_the_true_terms_with_their_codes_and_facts() -> None:
    model = cp_model.CpModel()
    x, y = model.new_bool_var("x[a]"), model.new_bool_var("y[b]")
    level = Level(2, "test")
    level.add(x, 5, Reason.KEY_CHANGE, {"child": "YP-1"})
    level.add(y, 3)
    level.note(y.Not(), Reason.LEFT, {"old": "W1"})
    model.add(x == 1)
    model.add(y == 0)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    values = list(solver.response_proto.solution)
    got = paid([level], values)
    assert [(p.term.name, p.term.reason, p.cost) for p in got] == [
        ("x[a]", Reason.KEY_CHANGE, 5),
        ("not(y[b])", Reason.LEFT, 0),
    ]
    assert got[0].term.facts == {"child": "YP-1"}
    assert got[1].cause == Cause(Reason.LEFT, {"old": "W1"})


def test_nothing_paid_for_a_change_when_the_key_worker_stays() -> None:
    instance = make_instance(
        [make_worker("W1"), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", known_workers=frozenset({"W1"}))],
    )
    result = _allocation(instance)
    assert _changes(result) == []
    assert result.causes == {}
    solution = solve_valid(instance)
    assert not any(a.changed for a in solution.allocations)


def test_a_child_who_excluded_their_key_worker_pays_a_change_with_code_excluded() -> None:
    instance = make_instance(
        [make_worker("W1"), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", excluded_workers=frozenset({"W1"}))],
    )
    result = _allocation(instance)
    cause = result.causes[("YP-1", MONDAY)]
    assert cause.reason is Reason.EXCLUDED
    assert cause.facts["old"] == "W1"
    assert [p.term.reason for p in _changes(result)] == [Reason.EXCLUDED]
    solution = solve_valid(instance)
    (alloc,) = solution.allocations
    assert alloc.changed and alloc.reason_code == "EXCLUDED"
    (finding,) = [f for f in solution.findings if f.kind == "KEYWORKER_CHANGE"]
    assert finding.message.endswith("because YP-1 has excluded W1 (excluded_workers).")


def test_a_leaver_s_child_pays_a_change_with_code_left_from_the_day_after() -> None:
    leaves = MONDAY + dt.timedelta(days=4)
    instance = make_instance(
        [make_worker("W1", end_date=leaves), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", known_workers=frozenset({"W1", "W2"}))],
    )
    result = _allocation(instance)
    after = leaves + dt.timedelta(days=1)
    cause = result.causes[("YP-1", after)]
    assert cause.reason is Reason.LEFT
    assert cause.facts["end"] == leaves
    noted = [p for p in result.paid if p.term.reason is Reason.LEFT]
    assert len(noted) == 1 and noted[0].term.weight == 0  # forced: noted, not priced
    solution = solve_valid(instance)
    changed = [a for a in solution.allocations if a.changed]
    assert [(a.key_worker, a.start, a.reason_code) for a in changed] == [("W2", after, "LEFT")]
    assert changed[0].reason == f"W1 leaves on {leaves.isoformat()}"


def test_a_pin_to_another_worker_is_read_as_pin() -> None:
    instance = make_instance(
        [make_worker("W1"), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", pinned_worker="W2")],
    )
    result = _allocation(instance)
    assert result.causes[("YP-1", MONDAY)].reason is Reason.PIN
    solution = solve_valid(instance)
    assert [a.reason for a in solution.allocations if a.changed] == [
        "YP-1 was pinned to W2 by the manager"
    ]


def test_every_change_cause_has_its_words() -> None:
    assert set(CHANGE_MESSAGES) == set(CHANGE_CAUSES)


@pytest.mark.parametrize("reason", sorted(CHANGE_CAUSES))
def test_each_message_fills_from_the_facts_its_rule_gives(reason: Reason) -> None:
    facts = {
        "child": "YP-1",
        "old": "W1",
        "day": MONDAY,
        "record": "moved house",
        "pinned": "W2",
        "since": MONDAY,
        "end": MONDAY,
        "start": MONDAY,
        "team": "A",
        "closure": "bank holiday",
        "skills": "BSL",
        "language": "pl",
        "limit": 8,
    }
    text = change_message(Cause(reason, facts))
    assert "{" not in text and text
    assert "2027-01-04" in text or "{day}" not in CHANGE_MESSAGES[reason]


def test_a_change_the_model_chose_is_read_back_with_the_load_that_moved_the_child() -> None:
    instance = make_instance(
        [make_worker("W1", max_caseload=1), make_worker("W2")],
        [
            make_child("YP-1", current_key_worker="W1", risk="high"),
            make_child("YP-2", current_key_worker="W1", risk="low"),
        ],
    )
    result = _allocation(instance)
    chosen = [p for p in result.paid if p.term.reason is Reason.KEY_CHANGE]
    assert [p.term.facts["child"] for p in chosen] == ["YP-2"]  # the low-risk child moves
    cause = result.causes[("YP-2", MONDAY)]
    assert cause.reason is Reason.CASELOAD and cause.facts["limit"] == 1
    solution = solve_valid(instance)
    assert [(a.child, a.reason) for a in solution.allocations if a.changed] == [
        ("YP-2", "W1 is at the caseload limit of 1")
    ]


def test_the_greedy_baseline_records_the_code_of_the_rule_that_moved_the_child() -> None:
    from bench.greedy import _allocate, greedy_plan

    leaves = MONDAY + dt.timedelta(days=4)
    instance = make_instance(
        [make_worker("W1", end_date=leaves), make_worker("W2")],
        [
            make_child("YP-1", current_key_worker="W1"),
            make_child("YP-2", current_key_worker="W2", excluded_workers=frozenset({"W2"})),
        ],
    )
    recorded = _allocate(Context(in_utc(instance))).causes
    assert {(child, c.reason) for (child, _day), c in recorded.items()} == {
        ("YP-1", Reason.LEFT),
        ("YP-2", Reason.EXCLUDED),
    }
    plan = greedy_plan(instance)
    changed = {(a.child, a.reason_code) for a in plan.allocations if a.changed}
    assert changed == {("YP-1", "LEFT"), ("YP-2", "EXCLUDED")}
