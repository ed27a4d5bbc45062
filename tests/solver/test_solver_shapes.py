"""Every input shape SPEC allows, at team size: Hypothesis over ``bench/scenarios.py``.

Hypothesis draws the generator's knobs (each shape off, at its default share, or
far above it) and a seed; every plan, first and re-planned days later, must pass
``validate``, agree with SPEC's metrics, gaps and unmet periods as
``spec_oracle`` recomputes them, and raise no common-sense concern. The
``nightly`` test draws many more examples at full team size (deselected by default).
"""

from __future__ import annotations

import dataclasses

import pytest
import spec_oracle
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.scenarios import Knobs, make_instance, replan_instance
from solver import Instance, Solution, SolverParams, solve, validate
from solver.common_sense import common_sense

# Well under the product's 30 s, so that each example takes a few seconds; below about
# 5 s a team's allocation is left far from its best and the checks judge the search.
PARAMS = SolverParams(time_limit_seconds=6.0, num_workers=2, random_seed=0)
SHARES = [f.name for f in dataclasses.fields(Knobs) if isinstance(f.default, float)]


@st.composite
def knobs(draw: st.DrawFn) -> Knobs:
    base = Knobs()
    shares = {
        name: draw(st.sampled_from([0.0, getattr(base, name), min(1.0, 4 * getattr(base, name))]))
        for name in SHARES
    }
    return Knobs(
        weeks=draw(st.sampled_from([2, 4])),
        dst=draw(st.booleans()),
        midweek_start_days=draw(st.integers(0, 6)),
        **shares,
    )


def check_plan(instance: Instance, solution: Solution) -> None:
    assert validate(instance, solution) == []
    ours, spec = solution.metrics, spec_oracle.metrics(instance, solution)
    for name in (
        "children",
        "allocated",
        "keyworker_changes",
        "sessions_required",
        "sessions_scheduled",
        "sessions_with_key_worker_pct",
    ):
        assert getattr(ours, name) == getattr(spec, name), name
    gaps = {
        (f.child, f.start, f.end, f.limit) for f in solution.findings if f.kind == "CONTACT_GAP"
    }
    assert gaps == spec_oracle.contact_gaps(instance, solution)
    unmet = {(f.child, f.start, f.end) for f in solution.findings if f.kind == "UNMET_SESSIONS"}
    assert unmet == spec_oracle.unmet_periods(instance, solution)
    assert common_sense(instance, solution) == []
    assert ours.sessions_with_key_worker_pct <= ours.key_worker_ceiling_pct


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a shrink re-solves dozens of times
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(knobs=knobs(), seed=st.integers(1, 10_000))
def test_every_shape_at_team_size_gives_a_plan_a_manager_would_sign(
    knobs: Knobs, seed: int
) -> None:
    instance = make_instance(12, 60, knobs, seed)
    check_plan(instance, solve(instance, PARAMS))


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a shrink re-solves dozens of times
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(knobs=knobs(), seed=st.integers(1, 10_000), days_later=st.integers(1, 12))
def test_every_shape_re_planned_days_later_gives_a_plan_a_manager_would_sign(
    knobs: Knobs, seed: int, days_later: int
) -> None:
    instance = make_instance(12, 60, knobs, seed)
    first = solve(instance, PARAMS)
    again = replan_instance(instance, first, days_later=days_later)
    check_plan(again, solve(again, PARAMS))


@pytest.mark.nightly  # pytest -m nightly: about 10 minutes
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(knobs=knobs(), seed=st.integers(1, 10_000), days_later=st.integers(0, 20))
def test_nightly_many_shapes_full_team(knobs: Knobs, seed: int, days_later: int) -> None:
    instance = make_instance(12, 90, knobs, seed)
    first = solve(instance, PARAMS)
    check_plan(instance, first)
    if days_later:
        again = replan_instance(instance, first, days_later=days_later)
        check_plan(again, solve(again, PARAMS))
