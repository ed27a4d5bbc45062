"""``solver/validate/`` keeps its own arithmetic for the rules (issue #14): it may
import the solver's data types, never the model's helpers, or a bug the model and
its check share would hide from the check. Plus the validator's own readings of
SPEC's words, each pinned on a case worked by hand."""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from solver_builders import make_child, make_instance, make_plan, make_worker, solve_valid

from solver import Absence, Window, validate
from solver.validate.reading import Reading, joined, period_at, travel_minutes

PACKAGE = Path(__file__).resolve().parents[2] / "solver" / "validate"
ALLOWED = {"solver.instance", "solver.solution", "solver.ids", "solver.errors"}
FORBIDDEN = (
    "solver.context",
    "solver.eligibility",
    "solver.timegrid",
    "solver.periods",
    "solver.candidates",
    "solver.presence",
    "solver.allocation",
    "solver.timetable",
)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            module = node.module or ""
            names.append(module)
            if module == "solver":  # `from solver import timegrid` names a module too
                names += [f"solver.{alias.name}" for alias in node.names]
    return names


def test_validate_package_imports_no_model_helper() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert {p.name for p in modules} >= {"__init__.py", "reading.py", "session_rules.py"}
    for path in modules:
        for name in _imports(path):
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
            if name == "solver" or name.startswith("solver."):
                own = name == "solver.validate" or name.startswith("solver.validate.")
                assert own or name in ALLOWED, f"{path.name} imports {name}"


def test_validate_modules_stay_small() -> None:
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name


def test_availability_joins_touching_windows_and_drops_empty_ones() -> None:
    windows = (
        Window(0, dt.time(9), dt.time(12)),
        Window(0, dt.time(12), dt.time(13)),
        Window(0, dt.time(15), dt.time(15)),
        Window(0, dt.time(14), dt.time(16)),
        Window(1, dt.time(9), dt.time(17)),
    )
    assert joined(windows, 0) == ((9 * 60, 13 * 60), (14 * 60, 16 * 60))
    assert joined(windows, 2) == ()


def test_travel_time_follows_spec_formula() -> None:
    here = make_child("A", lat=51.5, lon=-0.1)
    # 0.1 degrees of latitude is 11.12 km: ceil(2.6 * 11.12) = 29 -> 30 minutes
    there = make_child("B", lat=51.6, lon=-0.1)
    far = make_child("C", lat=52.5, lon=-0.1)  # 111.2 km: 290 -> 300
    nowhere = make_child("D")
    assert travel_minutes(here, here) == 15
    assert travel_minutes(here, there) == 30
    assert travel_minutes(here, far) == 300
    assert travel_minutes(here, nowhere) == 15


def test_required_sessions_count_the_days_in_force() -> None:
    # a fortnightly plan of 3 sessions starting on a Wednesday: 12 of 14 days in force
    plan = make_plan("A", start_date=dt.date(2027, 1, 6), sessions=3, every_weeks=2)
    first = period_at(plan, dt.date(2027, 1, 6))
    assert (first.first_day, first.last_day, first.required) == (
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 17),
        3,  # ceil(3 * 12 / 14)
    )
    ending = make_plan(
        "A", start_date=dt.date(2027, 1, 4), end_date=dt.date(2027, 1, 5), sessions=3
    )
    assert period_at(ending, dt.date(2027, 1, 4)).required == 1  # ceil(3 * 2 / 7)


def test_weekly_capacity_is_exact() -> None:
    worker = make_worker(
        "W1",
        hours_per_week=22.2,
        absences=(Absence(dt.date(2027, 1, 5), dt.date(2027, 1, 5)),),
    )
    reading = Reading(make_instance([worker], [make_child("YP-1")]))
    assert reading.weekly_capacity(worker, dt.date(2027, 1, 4)) == Fraction(111, 5) * 60 * 4 / 5
    assert reading.weekly_capacity(worker, dt.date(2027, 1, 11)) == 1332


def test_start_with_seconds_is_off_the_15_minute_grid() -> None:
    # the validator before issue #14 read only the wall-clock minute, so 10:00:30 passed
    instance = make_instance([make_worker("W1")], [make_child("YP-1")])
    solution = solve_valid(instance)
    s = solution.sessions[0]
    half = dt.timedelta(seconds=30)
    late = replace(solution, sessions=(replace(s, start=s.start + half, end=s.end + half),))
    assert [v.rule for v in validate(instance, late)] == [1]
    assert "15-minute boundary" in validate(instance, late)[0].message


def test_cross_team_cover_is_refused_only_while_someone_of_the_team_is_free() -> None:
    # W1 (team A) holds both children's sessions; handing YP-1's to WB (team B) breaks
    # rule 3 while W1 is free at that time, and not once W1 is busy with YP-2 then
    instance = make_instance(
        [make_worker("W1"), make_worker("WB", team="B")],
        [make_child("YP-1"), make_child("YP-2")],
        weeks=1,
    )
    first = solve_valid(instance)
    mine = {s.child: s for s in first.sessions}
    moved = replace(mine["YP-1"], worker="WB", cover=True)
    others = [s for s in first.sessions if s.child != "YP-1"]
    alone = replace(first, sessions=(moved, *others))
    problems = [v for v in validate(instance, alone) if "although W1 of team A could" in str(v)]
    assert len(problems) == 1

    busy = replace(mine["YP-2"], start=moved.start, end=moved.end)
    both = replace(first, sessions=(moved, busy))
    assert not [v for v in validate(instance, both) if "although" in str(v)]
