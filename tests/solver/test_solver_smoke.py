"""End-to-end: a tiny team gets a valid plan with allocations, sessions and metrics."""

from __future__ import annotations

from solver_builders import make_child, make_instance, make_worker, solve_valid


def test_tiny_team_gets_a_full_valid_plan() -> None:
    workers = [make_worker("W1"), make_worker("W2"), make_worker("W3")]
    children = [
        make_child("YP-1", current_key_worker="W1"),
        make_child("YP-2"),
        make_child("YP-3", risk="high", current_key_worker="W2"),
    ]
    solution = solve_valid(make_instance(workers, children))
    keys = {a.child: a.key_worker for a in solution.allocations}
    assert keys["YP-1"] == "W1"
    assert keys["YP-3"] == "W2"
    assert keys["YP-2"] is not None
    assert all(a.secondary_worker not in (None, a.key_worker) for a in solution.allocations)
    assert solution.metrics.sessions_required == 6
    assert solution.metrics.sessions_scheduled == 6
    assert solution.metrics.sessions_with_key_worker_pct == 100.0
    assert solution.findings == ()
