"""Reading what a re-plan starts from: the team as a solver instance, the next version
number, and the stored sessions as the diff compares them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import func, select

import solver
from scheduler.db import Database
from scheduler.diff import StoredSessionView
from scheduler.mapping import Loaded, load_instance
from scheduler.models import PlanVersion
from scheduler.pipeline.request import PlanRequest, scope
from scheduler.settings import Settings


@dataclass(frozen=True, slots=True)
class Inputs:
    loaded: Loaded
    version: int
    stored_views: dict[str, StoredSessionView]


def load_inputs(
    database: Database,
    settings: Settings,
    request: PlanRequest,
    edit: Callable[[solver.Instance], solver.Instance] | None,
) -> Inputs:
    with database.reading() as session:
        loaded = load_instance(session, scope(settings, request))
        version = (session.scalar(select(func.max(PlanVersion.id))) or 0) + 1
        stored_views = {
            s.id: StoredSessionView(
                s.id,
                s.child.ref,
                s.worker.ref,
                s.with_worker.ref if s.with_worker else None,
                s.start,
                s.end,
            )
            for s in loaded.stored_sessions.values()
        }
    if edit is not None:
        loaded = replace(loaded, instance=edit(loaded.instance))
    return Inputs(loaded, version, stored_views)
