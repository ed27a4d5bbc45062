"""closures.csv: refuse a team nobody is in, then upsert each closure by (team, start_date)."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.csv_import.bulk import table_of
from scheduler.csv_import.state import ImportState
from scheduler.errors import InputError
from scheduler.models import Child, Closure, Worker


def check_closure_teams(state: ImportState) -> None:
    """A team no worker or child is in (stored, or in this import) is a typo: closing
    it would close nobody, and the manager would believe the team closed."""
    if not state.p.closures:
        return
    worker, child = table_of(Worker).c, table_of(Child).c
    teams = set(state.s.scalars(select(worker.team).distinct()))
    teams |= set(state.s.scalars(select(child.team).distinct()))
    teams |= state.p.teams
    by_fold = {t.casefold(): t for t in teams}
    for c in state.p.closures:
        if c.team is None or c.team in teams:
            continue
        near = by_fold.get(c.team.casefold())
        hint = f"; did you mean {near!r}?" if near else ""
        state.errors.append(
            InputError(
                "closures.csv",
                c.line,
                "team",
                c.team,
                f"no worker or child is in this team{hint}",
                caused_by=None if near else state.p.unreadable.get("team"),
            )
        )


def upsert_closures(state: ImportState) -> None:
    """Upsert by (team, start_date), an empty team meaning every team."""
    rows = [
        (
            c.line,
            {
                "team": c.team,
                "start_date": c.start_date,
                "end_date": c.end_date,
                "note": c.note,
            },
        )
        for c in state.p.closures
    ]
    state.upsert_keyed("closures.csv", Closure, ("team", "start_date"), rows)
