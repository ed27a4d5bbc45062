"""``whatif``: apply an absence, a leaver or new referrals to a copy of the instance.

The store is never written; the edited instance goes through the same pipeline as
``plan`` so the alerts and changes shown are exactly those a commit would make.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import solver
from scheduler import everyday, pipeline
from scheduler.alerts import PlannedAlert
from scheduler.csv_import import import_files
from scheduler.csv_import import rows as r
from scheduler.csv_import.reader import read_table
from scheduler.db import Database
from scheduler.errors import Cause, ImportFailed, InputError, NotFound
from scheduler.mapping import solver_child, solver_plan
from scheduler.models import Alert
from scheduler.models import Session as PlanSession
from scheduler.pipeline import PlanRequest, Progress, Proposal
from scheduler.settings import Settings


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
    """New children and their plans from ``children.csv`` and ``plans.csv`` in ``directory``.

    Every error of both files is collected first and raised together (ImportFailed), as
    ``import`` does.
    """
    child_file = directory / "children.csv"
    plan_file = directory / "plans.csv"
    if not child_file.is_file() or not plan_file.is_file():
        raise NotFound("referral directory with children.csv and plans.csv", str(directory))
    errors: list[InputError] = []
    referred = _read_children(child_file, errors)
    plans = _read_plans(plan_file, errors)
    _check_children_are_new(referred.children, instance, errors)
    _check_plans_are_for_referrals(plans, referred, errors)
    if errors:
        raise ImportFailed(errors)
    return (
        [solver_child(c) for c in referred.children],
        [solver_plan(p.child, p) for p in plans],
    )


@dataclass(frozen=True, slots=True)
class _Referred:
    """The rows of a referral's children.csv that parsed, and where the others failed."""

    children: list[r.ChildRow]
    # the refs of rows that failed: a plan naming one is counted, not listed
    failed: dict[str, Cause]
    # set when the whole file could not be read
    unreadable: Cause | None


def _read_children(path: Path, errors: list[InputError]) -> _Referred:
    children: list[r.ChildRow] = []
    failed: dict[str, Cause] = {}
    table = read_table(path, r.CHILD_COLUMNS, r.CHILD_REQUIRED, errors)
    unreadable = Cause("children.csv", 1, "file") if errors and not table.rows else None
    for raw in table.rows:
        child = r.parse_child("children.csv", raw, errors)
        if child is not None:
            children.append(child)
        elif raw.values.get("ref"):
            failed.setdefault(raw.values["ref"], Cause("children.csv", raw.line, "child"))
    return _Referred(children, failed, unreadable)


def _read_plans(path: Path, errors: list[InputError]) -> list[r.PlanRow]:
    rows = read_table(path, r.PLAN_COLUMNS, r.PLAN_REQUIRED, errors).rows
    return [p for raw in rows if (p := r.parse_plan("plans.csv", raw, errors)) is not None]


def _check_children_are_new(
    children: list[r.ChildRow], instance: solver.Instance, errors: list[InputError]
) -> None:
    """A referral is a child not yet stored, and names only stored workers."""
    existing = {c.ref for c in instance.children}
    workers = {w.ref for w in instance.workers}
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


def _check_plans_are_for_referrals(
    plans: list[r.PlanRow], referred: _Referred, errors: list[InputError]
) -> None:
    """Each plan is for a referred child; one for a child whose row failed says so."""
    new_refs = {c.ref for c in referred.children}
    for p in plans:
        if p.child in new_refs:
            continue
        cause = referred.failed.get(p.child, referred.unreadable)
        why = "" if cause is None else ", whose row failed"
        if cause is not None and cause.what == "file":
            why = ": children.csv could not be read"
        errors.append(
            InputError(
                "plans.csv",
                p.line,
                "child",
                p.child,
                f"not one of the referred children{why}",
                caused_by=cause,
            )
        )


def editor(change: WhatIf) -> Callable[[solver.Instance], solver.Instance]:
    def edit(instance: solver.Instance) -> solver.Instance:
        if change.absent is not None:
            ref, start, end = change.absent
            worker = _worker(instance, ref)
            # in the order the store loads them (its own by start, then the closures),
            # so that the instance after a commit of the change is the one the
            # what-if planned (the same fingerprint)
            own = [a for a in worker.absences if a.closure is None]
            own = sorted([*own, solver.Absence(start, end)], key=_absence_key)
            absences = [*own, *(a for a in worker.absences if a.closure is not None)]
            worker = replace(worker, absences=tuple(absences))
            instance = _replace_worker(instance, worker)
        if change.leaving is not None:
            ref, last_day = change.leaving
            instance = _replace_worker(instance, replace(_worker(instance, ref), end_date=last_day))
        if change.referral_dir is not None:
            children, plans = read_referrals(change.referral_dir, instance)
            every = sorted((*instance.children, *children), key=lambda c: c.ref)
            rank = {c.ref: k for k, c in enumerate(every)}
            instance = replace(
                instance,
                children=tuple(every),
                plans=tuple(
                    sorted(
                        (*instance.plans, *plans),
                        key=lambda p: (rank.get(p.child, len(rank)), p.start_date),
                    )
                ),
            )
        return instance

    return edit


def _absence_key(a: solver.Absence) -> date:
    return a.start


@dataclass(frozen=True, slots=True)
class Delta:
    """What a what-if adds to or takes from the current plan, beyond its changes."""

    added: list[PlannedAlert]
    removed: list[Alert]
    lost_handovers: list[PlanSession]


def delta(database: Database, proposal: Proposal) -> Delta:
    planned_ids = {a.id for a in proposal.alerts}
    handovers = {s.id for s in proposal.solution.sessions if s.with_worker is not None}
    with database.reading() as session:
        standing = list(session.scalars(select(Alert).where(Alert.status != "resolved")))
        current = list(
            session.scalars(
                select(PlanSession)
                .where(PlanSession.with_worker_id.is_not(None))
                .where(PlanSession.removed_in.is_(None))
                .where(PlanSession.start >= proposal.request.now)
                .options(selectinload(PlanSession.child), selectinload(PlanSession.worker))
                .options(selectinload(PlanSession.with_worker))
            )
        )
        session.expunge_all()
    standing_ids = {a.id for a in standing}
    return Delta(
        added=[a for a in proposal.alerts if a.id not in standing_ids],
        removed=[a for a in standing if a.id not in planned_ids],
        lost_handovers=[s for s in current if s.id not in handovers],
    )


def propose_change(
    database: Database,
    settings: Settings,
    request: PlanRequest,
    change: WhatIf,
    *,
    progress: Progress | None = None,
) -> tuple[Proposal, Delta]:
    """``whatif``: the plan ``request`` would get with ``change`` made, and what that adds
    to or takes from the current plan. Nothing is written."""
    proposal = pipeline.propose(database, settings, request, progress=progress, edit=editor(change))
    return proposal, delta(database, proposal)


def record_change(
    database: Database, change: WhatIf, *, actor: str, now: datetime, timezone: str
) -> None:
    """Record the what-if's change in the store (``whatif --commit``), validated and
    audited as ``absence add``, ``worker leaves`` or an import of the referral files."""
    common: dict[str, Any] = {"actor": actor, "now": now, "timezone": timezone}
    if change.absent is not None:
        worker, first, last = change.absent
        everyday.add_absence(
            database,
            worker=worker,
            start=first.isoformat(),
            end=last.isoformat(),
            kind="leave",
            note=None,
            **common,
        )
    if change.leaving is not None:
        worker, last_day = change.leaving
        everyday.worker_leaves(database, worker=worker, last_day=last_day.isoformat(), **common)
    if change.referral_dir is not None:
        import_files(
            database,
            [change.referral_dir / "children.csv", change.referral_dir / "plans.csv"],
            action="referral.add",
            **common,
        )
