"""plans.csv: merge the file's plans with the stored ones (:mod:`.plans` says how plans
replace each other), then insert and update them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update

from scheduler.csv_import import rows as r
from scheduler.csv_import.bulk import core_insert, table_of
from scheduler.csv_import.plans import PlanState, merge_plans
from scheduler.csv_import.results import FileCounts
from scheduler.csv_import.state import ImportState
from scheduler.models import SupportPlan


@dataclass(frozen=True, slots=True)
class PlanMerge:
    """Each child's plans by start date once the file is merged in, and what was stored."""

    merged: dict[str, dict[date, PlanState]]
    ids: dict[tuple[int, date], int]  # the stored plans' ids by (child id, start date)
    stored: dict[str, list[PlanState]]


def merge_stored_plans(state: ImportState, known_children: set[str]) -> PlanMerge:
    by_child: dict[str, list[r.PlanRow]] = defaultdict(list)
    for plan in state.p.plans:
        if plan.child in known_children:
            by_child[plan.child].append(plan)
    stored: dict[str, list[PlanState]] = defaultdict(list)
    plan_ids: dict[tuple[int, date], int] = {}
    refs_by_id = {v: k for k, v in state.child_ids.items()}
    stored_plan = table_of(SupportPlan).c
    # Plain tuples of every stored plan, not ORM objects filtered by an IN list: a few
    # hundred milliseconds for 50,000 plans, and no driver parameter limit.
    for plan_id, child_id, start, end, sessions, every, minutes, gap, closed in state.s.execute(
        select(
            stored_plan.id,
            stored_plan.child_id,
            stored_plan.start_date,
            stored_plan.end_date,
            stored_plan.sessions,
            stored_plan.every_weeks,
            stored_plan.session_minutes,
            stored_plan.max_gap_days,
            stored_plan.closed_by_import,
        )
    ).tuples():
        child = refs_by_id[child_id]
        if child in by_child:
            plan_ids[(child_id, start)] = plan_id
            stored[child].append(PlanState(start, end, sessions, every, minutes, gap, closed))
    result: dict[str, dict[date, PlanState]] = {}
    for child, rows in by_child.items():
        merged, conflicts = merge_plans(stored.get(child, []), rows, state.absent("plans.csv"))
        for conflict in conflicts:
            value = next(str(x.start_date) for x in rows if x.line == conflict.line)
            state.error("plans.csv", conflict.line, conflict.column, value, conflict.message)
        result[child] = merged
    return PlanMerge(result, plan_ids, stored)


def write_plans(state: ImportState, merge: PlanMerge) -> None:
    counts = state.report.files.setdefault("plans.csv", FileCounts())
    ids = merge.ids
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    for child, plans in merge.merged.items():
        child_id = state.child_ids[child]
        before = {p.start_date: p for p in merge.stored.get(child, [])}
        for start, plan in plans.items():
            values = {
                "child_id": child_id,
                "start_date": start,
                "end_date": plan.end_date,
                "sessions": plan.sessions,
                "every_weeks": plan.every_weeks,
                "session_minutes": plan.session_minutes,
                "max_gap_days": plan.max_gap_days,
                "closed_by_import": plan.closed_by_import,
            }
            old = before.get(start)
            if old is None:
                new_rows.append(values)
                counts.created += 1
            elif _plan_values(old) != _plan_values(plan):
                changed_rows.append({"id": ids[(child_id, start)], **values})
                if plan.line is not None:
                    counts.updated += 1
                    for column in ("end_date", "every_weeks", "max_gap_days"):
                        if getattr(old, column) != getattr(plan, column):
                            state.count_if_cleared("plans.csv", plan.line, column)
            elif plan.line is not None:
                counts.unchanged += 1
    if new_rows:
        state.s.execute(core_insert(SupportPlan), new_rows)
    if changed_rows:
        state.s.execute(update(SupportPlan), changed_rows)


def _plan_values(plan: PlanState) -> tuple[object, ...]:
    return (
        plan.end_date,
        plan.sessions,
        plan.every_weeks,
        plan.session_minutes,
        plan.max_gap_days,
        plan.closed_by_import,
    )
