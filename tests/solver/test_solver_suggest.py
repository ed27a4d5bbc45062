"""``suggest``: ranked candidate key workers with what each would cost."""

from __future__ import annotations

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
    assert any("caseload limit" in r for c in ranked if c.worker == "W5" for r in c.reasons)
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))


def test_unknown_child_raises() -> None:
    instance = make_instance([make_worker("W1")], [make_child("YP-1")])
    with pytest.raises(UnknownChild):
        suggest(instance, "YP-404")
