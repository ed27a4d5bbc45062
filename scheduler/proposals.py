"""Stored proposals: ``plan`` keeps the plan it showed; ``plan --commit`` commits that plan.

A manager reviews a dry run and then commits it, and must get exactly what they
reviewed. The search is deterministic (``solver/budget.py``), but a proposal is
also stored with a fingerprint of everything the solver read: the team, the
plans, absences, the current plan and the settings. When the fingerprint at
commit time is the same and the stored plan still holds at the commit's
``now`` (nothing it adds has started, nothing it moves has come into the freeze
window), that stored plan is committed without solving again. Otherwise the
pipeline plans afresh and the caller lists what differs from the preview.

The current time is left out of the fingerprint on purpose: a preview at 10:00
and a commit at 10:05 see the same team, and the validation at the commit's
``now`` is what decides whether the preview may still be used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import solver
from scheduler.mapping import Loaded
from scheduler.models import PlanProposal
from scheduler.settings import Settings

# proposals kept (the newest); a preview older than these is re-planned at commit
KEEP = 20
FORMAT = 1  # of the stored solution; a stored proposal of another format is not used


@dataclass(frozen=True, slots=True)
class StoredProposal:
    id: int
    created_at: dt.datetime
    fingerprint: str
    solution: solver.Solution | None  # None: stored in a format this version cannot read


def _canonical(value: Any) -> Any:
    """A JSON value that is the same for equal inputs in every process (sets sorted,
    times in UTC, dataclasses by field name)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    return value


def fingerprint(loaded: Loaded, teams: tuple[str, ...], params: solver.SolverParams) -> str:
    """What the solver and the alerts read, but the current time."""
    instance = dataclasses.replace(loaded.instance, now=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    facts = {
        "instance": _canonical(instance),
        "current_version": loaded.current_version,
        "committed_changes": _canonical(loaded.committed_changes),
        "overridden": _canonical(loaded.overridden),
        "teams": sorted(teams),
        "params": _canonical(params),
    }
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the stored solution -----------------------------------------------------------------


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"datetime"}:
            return dt.datetime.fromisoformat(value["datetime"])
        if set(value) == {"date"}:
            return dt.date.fromisoformat(value["date"])
    return value


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    return cls(**{k: _decode(v) for k, v in data.items()})


def encode_solution(solution: solver.Solution) -> dict[str, Any]:
    return {"format": FORMAT, "solution": _encode(solution)}


def decode_solution(data: dict[str, Any]) -> solver.Solution | None:
    if data.get("format") != FORMAT:
        return None
    raw = data["solution"]
    try:
        return solver.Solution(
            allocations=tuple(_build(solver.Allocation, a) for a in raw["allocations"]),
            sessions=tuple(_build(solver.PlannedSession, s) for s in raw["sessions"]),
            findings=tuple(_build(solver.Finding, f) for f in raw["findings"]),
            metrics=_build(solver.Metrics, raw["metrics"]),
            status=raw["status"],
            bounds=tuple(_build(solver.GoalBound, b) for b in raw["bounds"]),
            clock_stopped=raw["clock_stopped"],
        )
    except (KeyError, TypeError, ValueError):
        return None  # written by another version of keyworker: plan again


# --- storage -----------------------------------------------------------------------------


def store(
    session: Session,
    *,
    solution: solver.Solution,
    fingerprint: str,
    settings: Settings,
    start: dt.date,
    weeks: int,
    teams: tuple[str, ...],
    as_of: dt.datetime,
    created_at: dt.datetime,
    created_by: str,
) -> int:
    """Keep ``solution`` as the latest proposal for its request; returns its id."""
    row = PlanProposal(
        created_at=created_at,
        created_by=created_by,
        as_of=as_of,
        horizon_start=start,
        weeks=weeks,
        teams=sorted(teams),
        timezone=settings.timezone,
        fingerprint=fingerprint,
        solution=encode_solution(solution),
    )
    session.add(row)
    session.flush()
    keep = select(PlanProposal.id).order_by(PlanProposal.id.desc()).limit(KEEP)
    session.execute(delete(PlanProposal).where(PlanProposal.id.not_in(keep.scalar_subquery())))
    return row.id


def latest(
    session: Session, *, start: dt.date, weeks: int, teams: tuple[str, ...]
) -> StoredProposal | None:
    """The newest proposal made for this horizon and these teams."""
    rows = session.scalars(
        select(PlanProposal)
        .where(PlanProposal.horizon_start == start, PlanProposal.weeks == weeks)
        .order_by(PlanProposal.id.desc())
    )
    for row in rows:
        if sorted(row.teams) == sorted(teams):
            return _stored(row)
    return None


def by_id(session: Session, proposal_id: int) -> tuple[StoredProposal, PlanProposal] | None:
    row = session.get(PlanProposal, proposal_id)
    return None if row is None else (_stored(row), row)


def _stored(row: PlanProposal) -> StoredProposal:
    return StoredProposal(row.id, row.created_at, row.fingerprint, decode_solution(row.solution))


def at_now(solution: solver.Solution, now: dt.datetime) -> solver.Solution:
    """The stored plan seen from a later ``now``: sessions begun since are past."""
    return dataclasses.replace(
        solution,
        sessions=tuple(dataclasses.replace(s, past=s.start < now) for s in solution.sessions),
    )


# --- what differs from the preview --------------------------------------------------------


def differences(
    preview: solver.Solution, plan: solver.Solution, *, zone: ZoneInfo, limit: int = 50
) -> list[str]:
    """In words, what ``plan`` does otherwise than ``preview``: key workers, sessions."""
    out: list[str] = []

    def keys(solution: solver.Solution) -> dict[str, list[tuple[str | None, dt.date, dt.date]]]:
        by: dict[str, list[tuple[str | None, dt.date, dt.date]]] = {}
        for a in solution.allocations:
            by.setdefault(a.child, []).append((a.key_worker, a.start, a.end))
        return by

    before, after = keys(preview), keys(plan)
    for child in sorted(set(before) | set(after)):
        if before.get(child) != after.get(child):
            was = _periods(before.get(child, []))
            now = _periods(after.get(child, []))
            out.append(f"{child}: key worker {was} in the preview, {now} now")
    previewed = {s.id: s for s in preview.sessions if not s.past}
    planned = {s.id: s for s in plan.sessions if not s.past}
    for sid in sorted(set(previewed) | set(planned)):
        a, b = previewed.get(sid), planned.get(sid)
        if a is None and b is not None:
            out.append(
                f"{b.child}: new session {_when(b, zone)} with {b.worker} (not in the preview)"
            )
        elif b is None and a is not None:
            out.append(f"{a.child}: session {_when(a, zone)} with {a.worker} is no longer planned")
        elif (
            a is not None
            and b is not None
            and (a.worker, a.with_worker, a.start)
            != (
                b.worker,
                b.with_worker,
                b.start,
            )
        ):
            out.append(
                f"{b.child}: session {_when(a, zone)} with {a.worker} in the preview, "
                f"{_when(b, zone)} with {b.worker} now"
            )
    if len(out) > limit:
        out = [*out[:limit], f"... and {len(out) - limit} more"]
    return out


def _periods(periods: list[tuple[str | None, dt.date, dt.date]]) -> str:
    if not periods:
        return "none"
    return ", ".join(f"{k or 'none'} {s}..{e}" for k, s, e in periods)


def _when(s: solver.PlannedSession, zone: ZoneInfo) -> str:
    return s.start.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")
