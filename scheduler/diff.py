"""What a proposed plan changes against the current one, in plain English."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import solver


@dataclass(frozen=True, slots=True)
class StoredSessionView:
    """The current plan's view of one session (refs, not row ids)."""

    id: str
    child: str
    worker: str
    with_worker: str | None
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Change:
    child: str
    session: str | None
    text: str
    moved: bool = False  # time or worker changed (calendar clients must be told)
    workers: tuple[str, ...] = ()  # whose calendars it touches
    start: datetime | None = None


def _when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%A} {local:%d %b} {local:%H:%M}"


def _people(worker: str, with_worker: str | None) -> str:
    return f"{worker} and {with_worker}" if with_worker else worker


def _with_whom(s: solver.PlannedSession, moved_worker: bool) -> str:
    """Who a moved session is with, read from its own cover flag: the key worker on its
    day may differ from the horizon start's (a leaver, an exclusion)."""
    if s.cover:
        return f"cover by {s.worker}"
    return "now with the key worker" if moved_worker else "with the key worker"


def changes(
    stored: dict[str, StoredSessionView],
    solution: solver.Solution,
    *,
    now: datetime,
    zone: ZoneInfo,
    committed: frozenset[tuple[str, str, date]] = frozenset(),
) -> list[Change]:
    """``committed`` holds (child, worker, first day) of key-worker changes already made."""
    out: list[Change] = []
    for a in solution.allocations:
        if a.changed and (a.child, a.key_worker or "", a.start) not in committed:
            reason = f" because {a.reason}" if a.reason else ""
            out.append(
                Change(
                    a.child,
                    None,
                    f"{a.child}: key worker -> {a.key_worker or 'none'} from {a.start}{reason}",
                )
            )
    planned = {s.id: s for s in solution.sessions}
    for s in sorted(solution.sessions, key=lambda s: (s.start, s.child)):
        if s.past:
            continue
        old = stored.get(s.id)
        if old is None:
            out.append(
                Change(
                    s.child,
                    s.id,
                    f"{s.child}: new session {_when(s.start, zone)} with "
                    f"{_people(s.worker, s.with_worker)}",
                    moved=True,
                    workers=_both(s.worker, s.with_worker),
                    start=s.start,
                )
            )
            continue
        moved_time = (old.start, old.end) != (s.start, s.end)
        moved_worker = (old.worker, old.with_worker) != (s.worker, s.with_worker)
        if not (moved_time or moved_worker):
            continue
        before = f"{_when(old.start, zone)} with {_people(old.worker, old.with_worker)}"
        if moved_time and moved_worker:
            after = f"{_when(s.start, zone)} with {_people(s.worker, s.with_worker)}"
        elif moved_time:
            after = _when(s.start, zone)
        else:
            after = f"{_people(s.worker, s.with_worker)}, same time"
        out.append(
            Change(
                s.child,
                s.id,
                f"{s.child}: {before} moves to {after}, {_with_whom(s, moved_worker)}",
                moved=True,
                workers=tuple(
                    sorted({*_both(old.worker, old.with_worker), *_both(s.worker, s.with_worker)})
                ),
                start=min(old.start, s.start),
            )
        )
    for old in sorted(stored.values(), key=lambda s: (s.start, s.child)):
        if old.id not in planned and old.start >= now:
            out.append(
                Change(
                    old.child,
                    old.id,
                    f"{old.child}: session {_when(old.start, zone)} with "
                    f"{_people(old.worker, old.with_worker)} is cancelled",
                    moved=True,
                    workers=_both(old.worker, old.with_worker),
                    start=old.start,
                )
            )
    return out


def _both(worker: str, with_worker: str | None) -> tuple[str, ...]:
    return (worker, with_worker) if with_worker else (worker,)
