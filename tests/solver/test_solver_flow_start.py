"""The allocation stage's start (``solver/flow_start.py``) and the lexicographic fallback."""

from __future__ import annotations

import datetime as dt

from ortools.sat.python import cp_model
from solver_builders import MONDAY, make_child, make_instance, make_worker

from solver.budget import Budget
from solver.context import Context
from solver.flow_start import flow_keys
from solver.instance import in_utc
from solver.lexico import _completed

DAYS = [MONDAY + dt.timedelta(days=k) for k in range(7)]


def keys(
    instance_children: list[str], options: dict[str, list[str]], **kw: object
) -> dict[str, str]:
    workers = sorted({w for ws in options.values() for w in ws})
    ctx = Context(
        in_utc(
            make_instance(
                [make_worker(w, max_caseload=1) for w in workers],
                [make_child(c, **kw.get(c, {})) for c in instance_children],  # type: ignore[arg-type]
                weeks=1,
            )
        )
    )
    out = flow_keys(
        ctx,
        blocks=1,
        child_blocks={c: [0] for c in instance_children},
        block_days={(c, 0): DAYS for c in instance_children},
        options={(c, 0): options[c] for c in instance_children},
        wanted={},
        weekly_of={(c, 0): 60 for c in instance_children},
    )
    return {c: w for (c, _), w in out.items()}


def test_every_child_gets_a_key_worker_where_caseloads_allow() -> None:
    # first come, first served would give YP-A the worker YP-B needs
    found = keys(["YP-A", "YP-B"], {"YP-A": ["W1", "W2"], "YP-B": ["W1"]})
    assert found == {"YP-A": "W2", "YP-B": "W1"}


def test_the_current_key_worker_is_kept_where_there_is_room() -> None:
    found = keys(["YP-A"], {"YP-A": ["W1", "W2"]}, **{"YP-A": {"current_key_worker": "W2"}})
    assert found == {"YP-A": "W2"}


def test_high_risk_child_first_when_there_is_not_room_for_both() -> None:
    found = keys(
        ["YP-A", "YP-B"],
        {"YP-A": ["W1"], "YP-B": ["W1"]},
        **{"YP-B": {"risk": "high"}},
    )
    assert found == {"YP-B": "W1"}


def test_completed_hint_is_a_solution_or_none() -> None:
    model = cp_model.CpModel()
    x, y = model.new_bool_var("x"), model.new_bool_var("y")
    z = model.new_bool_var("z")
    model.add(z == x + y - 1).only_enforce_if(x)  # z follows from x and y
    model.add(x + y <= 1)
    model.add_hint(x, 1)
    model.add_hint(y, 0)
    completed = _completed(model, Budget.for_seconds(5.0), num_workers=1, seed=0)
    assert completed is not None and completed[x.index] == 1 and completed[y.index] == 0
    model.clear_hints()  # type: ignore[no-untyped-call]
    model.add_hint(x, 1)
    model.add_hint(y, 1)  # breaks x + y <= 1
    assert _completed(model, Budget.for_seconds(5.0), num_workers=1, seed=0) is None


def test_the_key_worker_of_the_block_before_is_kept_over_the_current_plans_wish() -> None:
    # The model prices a change against the block before (goal 2); the current plan's
    # wish is goal 3. YP-A's first block can only go to W2 (W1 is not an option
    # there); in the second the current plan names W1. Keeping the wish would change
    # key worker between the blocks, a change the search then had to undo.
    ctx = Context(
        in_utc(
            make_instance(
                [make_worker(w, max_caseload=1) for w in ("W1", "W2")],
                [make_child("YP-A", current_key_worker="W1")],
                weeks=2,
            )
        )
    )
    second = [d + dt.timedelta(days=7) for d in DAYS]
    out = flow_keys(
        ctx,
        blocks=2,
        child_blocks={"YP-A": [0, 1]},
        block_days={("YP-A", 0): DAYS, ("YP-A", 1): second},
        options={("YP-A", 0): ["W2"], ("YP-A", 1): ["W1", "W2"]},
        wanted={("YP-A", 1): "W1"},
        weekly_of={("YP-A", 0): 60, ("YP-A", 1): 60},
    )
    assert out == {("YP-A", 0): "W2", ("YP-A", 1): "W2"}
