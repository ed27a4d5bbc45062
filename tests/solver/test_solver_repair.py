"""The timetable start's local repair (``solver/repair.py``) and its ``Packing``.

White-box: each test builds one team's timetable model on a tiny instance, hands
the repair a deliberately poor start and checks what it makes of it: fewer cover
sessions or a handover, never a session fewer, and nothing that breaks a rule.
"""

from __future__ import annotations

import datetime as dt

from solver_builders import MONDAY, at, make_child, make_instance, make_plan, make_worker

from solver import Instance, SolverParams, Window
from solver.allocation import allocate
from solver.budget import Budget
from solver.candidates import KEY, TravelTable
from solver.context import Context, team_parts
from solver.instance import in_utc
from solver.timetable import TeamModel, fixed_facts


def team_model(instance: Instance) -> TeamModel:
    ctx = Context(in_utc(instance))
    alloc = allocate(
        ctx, SolverParams(time_limit_seconds=5, num_workers=1), Budget.for_seconds(2.0)
    )
    (part,) = team_parts(ctx)
    model = TeamModel(ctx, part, alloc, fixed_facts(ctx), TravelTable(ctx))
    model.build_candidates()
    model._prepare_costs()
    model._greedy_hint()  # sets the kept existing sessions (none here)
    return model


def repaired_start(model: TeamModel, start: list[int]) -> list[int]:
    picked, moved = model._repaired(start, frozen=set())
    assert moved == set()
    return picked


def session(model: TeamModel, child: str, worker: str, start: dt.datetime) -> int:
    """The index of the candidate ``child`` with ``worker`` at ``start``, added if new."""
    ctx = model.ctx
    day = start.date()
    period = ctx.period_of(child, day)
    assert period is not None
    for cand in model._grid_slots(child, period, day, worker):
        if cand.start == start:
            return model._intern(cand)
    raise AssertionError(f"no candidate for {child} with {worker} at {start}")


def test_cover_session_goes_back_to_the_free_key_worker() -> None:
    model = team_model(
        make_instance(
            [make_worker("W1"), make_worker("W2")],
            [make_child("YP-1", current_key_worker="W1", current_secondary_worker="W2")],
            weeks=1,
        )
    )
    cover = session(model, "YP-1", "W2", at(MONDAY, 10))
    assert model.cands[cover].role != KEY
    repaired = repaired_start(model, [cover])
    assert len(repaired) == 1
    assert model.cands[repaired[0]].role == KEY
    assert model._level2_cost(repaired) < model._level2_cost([cover])


def test_session_in_the_way_moves_so_a_narrow_child_keeps_the_key_worker() -> None:
    # A can only meet on Monday 15:00-16:00; B, any time. W1 is key worker for both.
    narrow = (Window(0, dt.time(15), dt.time(16)),)
    model = team_model(
        make_instance(
            [make_worker("W1"), make_worker("W2")],
            [
                make_child("YP-A", current_key_worker="W1", availability=narrow),
                make_child("YP-B", current_key_worker="W1"),
            ],
            weeks=1,
        )
    )
    b_with_key = session(model, "YP-B", "W1", at(MONDAY, 15))
    a_covered = session(model, "YP-A", "W2", at(MONDAY, 15))
    start = [b_with_key, a_covered]
    repaired = repaired_start(model, start)
    assert len(repaired) == 2
    by_child = {model.cands[i].child: model.cands[i] for i in repaired}
    assert (by_child["YP-A"].worker, by_child["YP-A"].start) == ("W1", at(MONDAY, 15))
    assert by_child["YP-B"].worker == "W1" and by_child["YP-B"].start != at(MONDAY, 15)


def test_no_move_when_nothing_better_fits() -> None:
    # the key worker is busy with another child in the only slot the child has
    narrow = (Window(0, dt.time(15), dt.time(16)),)
    model = team_model(
        make_instance(
            [make_worker("W1"), make_worker("W2")],
            [
                make_child("YP-A", current_key_worker="W1", availability=narrow),
                make_child("YP-B", current_key_worker="W1", availability=narrow),
            ],
            weeks=1,
        )
    )
    start = [
        session(model, "YP-B", "W1", at(MONDAY, 15)),
        session(model, "YP-A", "W2", at(MONDAY, 15)),
    ]
    assert sorted(repaired_start(model, start)) == sorted(start)


def test_missing_handover_takes_the_place_of_a_session_before_the_change() -> None:
    leaves = MONDAY + dt.timedelta(days=4)  # Friday of week 1
    model = team_model(
        make_instance(
            [make_worker("W1", end_date=leaves), make_worker("W2")],
            [make_child("YP-1", current_key_worker="W1")],
            [make_plan("YP-1")],
            weeks=2,
        )
    )
    (group,) = model.handover_groups.values()
    plain = session(model, "YP-1", "W1", at(MONDAY, 10))
    later = session(model, "YP-1", "W2", at(MONDAY + dt.timedelta(days=7), 10))
    repaired = repaired_start(model, [plain, later])
    assert len(repaired) == 2
    assert set(repaired) & set(group)  # the week-1 session is now the joint handover
    handover = next(model.cands[i] for i in repaired if model.cands[i].handover)
    assert (handover.worker, handover.with_worker) == ("W1", "W2")


def test_packing_drop_undoes_take_and_names_the_blocker() -> None:
    model = team_model(
        make_instance(
            [make_worker("W1"), make_worker("W2")],
            [
                make_child("YP-A", current_key_worker="W1"),
                make_child("YP-B", current_key_worker="W1"),
            ],
            weeks=1,
        )
    )
    a = session(model, "YP-A", "W1", at(MONDAY, 10))
    b_clash = session(model, "YP-B", "W1", at(MONDAY, 10, 30))
    pack = model._packing()
    before = [pack.fits(c, i) for i, c in enumerate(model.cands)]
    pack.take(a)
    assert not pack.fits(model.cands[b_clash], b_clash)
    assert pack.blockers(model.cands[b_clash]) == {a}
    pack.drop(a)
    assert [pack.fits(c, i) for i, c in enumerate(model.cands)] == before
