"""``whatif``: apply an absence, a leaver or new referrals to a copy of the instance.

The store is never written; the edited instance goes through the same pipeline as
``plan`` so the alerts and changes shown are exactly those a commit would make.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import solver
from scheduler.csv_import import rows as r
from scheduler.csv_import.reader import read_table
from scheduler.errors import ImportFailed, InputError, NotFound
from scheduler.mapping import solver_child


@dataclass(frozen=True, slots=True)
class WhatIf:
    absent: tuple[str, date, date] | None = None
    leaving: tuple[str, date] | None = None
    referral_dir: Path | None = None


def _worker(instance: solver.Instance, ref: str) -> solver.Worker:
    for w in instance.workers:
        if w.ref == ref:
            return w
    raise NotFound("worker", ref)


def _replace_worker(instance: solver.Instance, worker: solver.Worker) -> solver.Instance:
    return replace(
        instance,
        workers=tuple(worker if w.ref == worker.ref else w for w in instance.workers),
    )


def read_referrals(
    directory: Path, instance: solver.Instance
) -> tuple[list[solver.Child], list[solver.SupportPlan]]:
    """New children and their plans from ``children.csv`` and ``plans.csv`` in ``directory``."""
    errors: list[InputError] = []
    children: list[r.ChildRow] = []
    plans: list[r.PlanRow] = []
    child_file = directory / "children.csv"
    plan_file = directory / "plans.csv"
    if not child_file.is_file() or not plan_file.is_file():
        raise NotFound("referral directory with children.csv and plans.csv", str(directory))
    for raw in read_table(child_file, r.CHILD_COLUMNS, r.CHILD_REQUIRED, errors).rows:
        child = r.parse_child("children.csv", raw, errors)
        if child is not None:
            children.append(child)
    for raw in read_table(plan_file, r.PLAN_COLUMNS, r.PLAN_REQUIRED, errors).rows:
        plan = r.parse_plan("plans.csv", raw, errors)
        if plan is not None:
            plans.append(plan)
    existing = {c.ref for c in instance.children}
    workers = {w.ref for w in instance.workers}
    new_refs = {c.ref for c in children}
    for c in children:
        if c.ref in existing:
            errors.append(
                InputError(
                    "children.csv",
                    c.line,
                    "ref",
                    c.ref,
                    "is an existing child; a referral must be new",
                )
            )
        for ref in [*c.preferred_workers, *c.excluded_workers]:
            if ref not in workers:
                errors.append(
                    InputError(
                        "children.csv", c.line, "preferred_workers", ref, "no worker with this ref"
                    )
                )
    for p in plans:
        if p.child not in new_refs:
            errors.append(
                InputError(
                    "plans.csv", p.line, "child", p.child, "not one of the referred children"
                )
            )
    if errors:
        raise ImportFailed(errors)
    return (
        [solver_child(c) for c in children],
        [
            solver.SupportPlan(
                child=p.child,
                start_date=p.start_date,
                end_date=p.end_date,
                sessions=p.sessions,
                every_weeks=p.every_weeks,
                session_minutes=p.session_minutes,
                max_gap_days=p.max_gap_days,
            )
            for p in plans
        ],
    )


def editor(change: WhatIf) -> Callable[[solver.Instance], solver.Instance]:
    def edit(instance: solver.Instance) -> solver.Instance:
        if change.absent is not None:
            ref, start, end = change.absent
            worker = _worker(instance, ref)
            worker = replace(worker, absences=(*worker.absences, solver.Absence(start, end)))
            instance = _replace_worker(instance, worker)
        if change.leaving is not None:
            ref, last_day = change.leaving
            instance = _replace_worker(instance, replace(_worker(instance, ref), end_date=last_day))
        if change.referral_dir is not None:
            children, plans = read_referrals(change.referral_dir, instance)
            instance = replace(
                instance,
                children=(*instance.children, *children),
                plans=(*instance.plans, *plans),
            )
        return instance

    return edit
