"""Property tests: every plan for a random small instance passes ``validate``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_builders import MONDAY, NOW, at, make_child, make_plan, make_session, make_worker

from solver import (
    Absence,
    CurrentAllocation,
    ExistingSession,
    Instance,
    SolverParams,
    Window,
    validate,
)
from solver.solve import solve

SKILLS = ["cse", "bsl", "missing"]
FAST = SolverParams(time_limit_seconds=3.0, num_workers=1)


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    n_workers = draw(st.integers(1, 4))
    n_children = draw(st.integers(1, 6))
    workers = []
    for w in range(n_workers):
        days = draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))
        start = draw(st.sampled_from([8, 9, 10, 12]))
        length = draw(st.sampled_from([3, 5, 8]))
        absences = ()
        if draw(st.booleans()):
            first = MONDAY + dt.timedelta(days=draw(st.integers(-3, 12)))
            absences = (Absence(first, first + dt.timedelta(days=draw(st.integers(0, 6)))),)
        end_date = None
        if draw(st.integers(0, 4)) == 0:
            end_date = MONDAY + dt.timedelta(days=draw(st.integers(0, 13)))
        workers.append(
            make_worker(
                f"W{w}",
                team=draw(st.sampled_from(["A", "A", "B"])),
                hours_per_week=draw(st.sampled_from([2.0, 6.0, 20.0])),
                max_caseload=draw(st.integers(0, 4)),
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
                availability=tuple(
                    Window(d, dt.time(start), dt.time(min(23, start + length))) for d in days
                ),
                absences=absences,
                end_date=end_date,
                lat=51.5 + draw(st.integers(0, 10)) / 100,
                lon=-0.1,
            )
        )
    refs = [w.ref for w in workers]
    children, plans, sessions = [], [], []
    for c in range(n_children):
        ref = f"YP-{c}"
        current = draw(st.sampled_from([None, *refs]))
        window = ()
        if draw(st.booleans()):
            window = tuple(Window(d, dt.time(15), dt.time(19)) for d in range(5))
        children.append(
            make_child(
                ref,
                team=draw(st.sampled_from(["A", "B"])),
                required_skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=1))),
                risk=draw(st.sampled_from(["low", "medium", "high"])),
                current_key_worker=current,
                availability=window,
                lat=51.5 + draw(st.integers(0, 10)) / 100,
                lon=-0.1 + draw(st.integers(0, 10)) / 100,
                excluded_workers=frozenset(draw(st.sets(st.sampled_from(refs), max_size=1))),
            )
        )
        plans.append(
            make_plan(
                ref,
                sessions=draw(st.integers(1, 3)),
                every_weeks=draw(st.integers(1, 2)),
                session_minutes=draw(st.sampled_from([45, 60, 90])),
                start_date=MONDAY + dt.timedelta(days=draw(st.integers(-14, 6))),
                max_gap_days=draw(st.sampled_from([7, 14])),
            )
        )
        if current is not None and draw(st.booleans()):
            day = MONDAY + dt.timedelta(days=draw(st.integers(-5, 10)))
            sessions.append(
                make_session(
                    f"e{c}",
                    ref,
                    current,
                    at(day, draw(st.sampled_from([9, 10, 16]))),
                    locked=draw(st.booleans()),
                )
            )
    return Instance(
        workers=tuple(workers),
        children=tuple(children),
        plans=tuple(plans),
        existing_sessions=tuple(sessions),
        now=NOW + dt.timedelta(hours=draw(st.sampled_from([0, 10, 40]))),
        horizon_start=MONDAY,
        weeks=2,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_plan_passes_validate(instance: Instance) -> None:
    solution = solve(instance, FAST)
    assert validate(instance, solution) == []
    m = solution.metrics
    assert m.sessions_scheduled <= m.sessions_required
    assert m.allocated <= m.children
    unmet = sum(1 for f in solution.findings if f.kind == "UNMET_SESSIONS")
    assert (unmet == 0) == (m.sessions_scheduled == m.sessions_required)
    unallocated = {f.child for f in solution.findings if f.kind == "UNALLOCATED"}
    assert len(unallocated) == m.children - m.allocated
    covers = {f.session for f in solution.findings if f.kind == "COVER"}
    assert covers == {s.id for s in solution.sessions if s.cover and not s.past}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(0, 30))
def test_a_replan_of_a_plan_passes_validate(instance: Instance, hours_later: int) -> None:
    first = solve(instance, FAST)
    existing = tuple(
        ExistingSession(s.id, s.child, s.worker, s.with_worker, s.start, s.end, s.locked)
        for s in first.sessions
    )
    current = tuple(
        CurrentAllocation(a.child, a.key_worker, a.secondary_worker, a.start, a.end)
        for a in first.allocations
    )
    later = replace(
        instance,
        existing_sessions=existing,
        current_allocations=current,
        now=instance.now + dt.timedelta(hours=hours_later),
        retired_session_ids=frozenset({"s-retired"}),
    )
    second = solve(later, FAST)
    assert validate(later, second) == []
    kept = {s.id for s in second.sessions}
    assert all(s.id in kept for s in first.sessions if s.past or s.locked)
