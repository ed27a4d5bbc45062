"""``suggest``: ranked candidate key workers with what each would cost."""

from __future__ import annotations

import datetime as dt

import pytest
from solver_builders import make_child, make_instance, make_worker

from solver import UnknownChild, suggest


def test_current_key_worker_first_then_known_then_ineligible_last() -> None:
    instance = make_instance(
        [
            make_worker("W1"),
            make_worker("W2"),
            make_worker("W3", skills=frozenset({"cse"})),
            make_worker("W4", skills=frozenset({"cse"})),
            make_worker("W5", skills=frozenset({"cse"}), max_caseload=0),
        ],
        [
            make_child(
                "YP-1",
                current_key_worker="W3",
                required_skills=frozenset({"cse"}),
                known_workers=frozenset({"W4"}),
            )
        ],
    )
    ranked = suggest(instance, "YP-1", limit=5)
    assert [c.worker for c in ranked[:2]] == ["W3", "W4"]
    assert ranked[0].eligible and ranked[0].cost("keyworker_change") == 0
    assert ranked[1].cost("unknown_to_child") == 0
    assert not next(c for c in ranked if c.worker == "W5").eligible
    assert "full: 0 of 0 places taken" in next(c for c in ranked if c.worker == "W5").reasons
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))


def test_unknown_child_raises() -> None:
    instance = make_instance([make_worker("W1")], [make_child("YP-1")])
    with pytest.raises(UnknownChild):
        suggest(instance, "YP-404")


def test_leavers_come_after_everyone_who_stays_and_costs_read_as_words() -> None:
    from solver import Window

    after_school = tuple(Window(d, dt.time(16), dt.time(19)) for d in range(5))
    instance = make_instance(
        [
            make_worker("W1", end_date=dt.date(2027, 1, 8)),  # leaves inside the horizon
            make_worker("W2", max_caseload=4),
            make_worker("W3", availability=(Window(0, dt.time(9), dt.time(17)),)),
        ],
        [
            make_child("YP-1", current_key_worker="W1", known_workers=frozenset({"W1"}),
                       availability=after_school),
            make_child("YP-2", current_key_worker="W2"),
        ],
    )  # fmt: skip
    ranked = suggest(instance, "YP-1", limit=5)
    assert ranked[-1].worker == "W1"  # the current key worker, but leaving
    assert any("leaves on 2027-01-08, inside the plan" in r for r in ranked[-1].reasons)
    w2 = next(c for c in ranked if c.worker == "W2")
    assert "new to the child" in w2.reasons
    assert "1 of 4 places taken" in w2.reasons
    w3 = next(c for c in ranked if c.worker == "W3")
    assert "no shared time on Tue, Wed, Thu, Fri" in w3.reasons  # Mondays 16:00-17:00 only
    assert "knows the child" in ranked[-1].reasons
