"""Hints written to the model's proto in bulk read as ``add_hint`` would write them."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.lexico import hint_all, replace_hints


def _hints(model: cp_model.CpModel) -> list[tuple[int, int]]:
    hint = model.proto.solution_hint
    return list(zip(list(hint.vars), list(hint.values), strict=True))


def test_replace_hints_matches_add_hint_negated_literals_included() -> None:
    by_hand, in_bulk = cp_model.CpModel(), cp_model.CpModel()
    for model in (by_hand, in_bulk):
        for name in "abc":
            model.new_bool_var(name)
        model.new_int_var(0, 9, "n")
    a, b, c = (by_hand.get_bool_var_from_proto_index(i) for i in range(3))
    for var, value in ((a, 1), (b.Not(), 1), (c, 0)):
        by_hand.add_hint(var, value)
    x, y, z = (in_bulk.get_bool_var_from_proto_index(i) for i in range(3))
    in_bulk.add_hint(z, 1)  # an earlier hint is dropped
    replace_hints(in_bulk, [(x, 1), (y.Not(), 1), (z, 0)])
    assert _hints(in_bulk) == _hints(by_hand) == [(0, 1), (1, 0), (2, 0)]


def test_hint_all_hints_every_variable_in_proto_order() -> None:
    model = cp_model.CpModel()
    for name in "abc":
        model.new_bool_var(name)
    model.new_int_var(0, 9, "n")
    hint_all(model, [1, 0, 1, 7])
    assert _hints(model) == [(0, 1), (1, 0), (2, 1), (3, 7)]
