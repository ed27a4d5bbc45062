"""Ranked candidate key workers for one child, without planning."""

from __future__ import annotations

import solver
from scheduler.db import Database
from scheduler.errors import NotFound
from scheduler.mapping import load_instance
from scheduler.pipeline.request import PlanRequest, scope
from scheduler.settings import Settings


def suggest(
    database: Database, settings: Settings, request: PlanRequest, child: str, limit: int = 5
) -> list[solver.Suggestion]:
    """Ranked candidate key workers for ``child`` with what each would cost."""
    with database.reading() as session:
        loaded = load_instance(session, scope(settings, request))
    try:
        return solver.suggest(loaded.instance, child, limit=limit)
    except solver.UnknownChild as exc:
        raise NotFound("child", child) from exc
