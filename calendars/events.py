"""What a feed may show about a child: the one place that decides it.

An event shows the child's initials (the ref only where there are none) and the kind
of session; the place only when ``[feeds] show_location`` is set. Never notes,
address, risk or wishes: those columns are not even read (:mod:`calendars.snapshot`
reads only the fields of the records here). A cover session names whose child it is
("cover for W007"): the child's key worker that day in the current plan, else in the
key-worker history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from calendars.feed import FeedEvent


@dataclass(frozen=True, slots=True)
class FeedWorker:
    id: int
    ref: str
    name: str
    team: str


@dataclass(frozen=True, slots=True)
class FeedChild:
    ref: str
    initials: str | None
    team: str
    lat: float | None
    lon: float | None

    @property
    def label(self) -> str:
        initials = (self.initials or "").strip()
        return initials or self.ref


@dataclass(frozen=True, slots=True)
class FeedSession:
    id: str
    child_id: int
    worker_id: int
    with_worker_id: int | None
    start: datetime
    end: datetime
    cover: bool
    sequence: int
    updated_at: datetime
    outcome: str | None = None  # cancelled or did-not-attend, where recorded


def feed_event(
    row: FeedSession,
    *,
    child: FeedChild,
    worker: FeedWorker,
    other: FeedWorker | None,
    key_worker: FeedWorker | None,
    team_feed: bool,
    show_location: bool,
) -> FeedEvent:
    """The event for ``row`` in a worker's feed (or, with ``team_feed``, a team's):
    ``other`` is the second worker of a joint session, ``key_worker`` the child's key
    worker on the day of a cover session."""
    kind = session_kind(row, joint=other is not None, key_worker=key_worker)
    summary = f"{child.label} – {kind}"
    if row.outcome is not None:
        summary += " (cancelled)" if row.outcome == "cancelled" else " (did not attend)"
    if team_feed:
        summary += f" – {worker.ref}" + (f" + {other.ref}" if other else "")
    description = None
    if other is not None:
        description = f"Joint session: {worker.name} ({worker.ref}) and {other.name} ({other.ref})."
    location = geo = None
    if show_location and child.lat is not None and child.lon is not None:
        geo = (child.lat, child.lon)
        location = f"{child.lat:.5f},{child.lon:.5f}"
    return FeedEvent(
        uid=row.id,
        start=row.start,
        end=row.end,
        summary=summary,
        sequence=row.sequence,
        stamp=row.updated_at,
        description=description,
        location=location,
        geo=geo,
        status="CONFIRMED" if row.outcome is None else "CANCELLED",
    )


def session_kind(row: FeedSession, *, joint: bool, key_worker: FeedWorker | None) -> str:
    """What the session is: a support session, a joint handover, or cover for whom."""
    if not row.cover:
        return "joint handover session" if joint else "support session"
    whose = f"cover for {key_worker.ref}" if key_worker is not None else "cover (no key worker)"
    return f"joint session, {whose}" if joint else whose
