"""Builders for plans as the calendars package reads them, and a small golden plan.

``add_worker(session, ref="W002")`` and friends insert ORM rows with sensible
defaults; :func:`golden_plan` builds the fixed plan behind the golden ``.ics`` files:
sessions either side of the 2027-03-28 and 2027-10-31 clock changes (one across the
spring change, one in each occurrence of the repeated autumn hour), a joint handover,
a cover session, a child without initials, multi-byte initials and names, a session
older than the window and a removed one (neither may appear).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scheduler.models import Child, PlanAllocation, PlanVersion, Worker
from scheduler.models import Session as SessionRow
from scheduler.settings import Settings

ZONE = ZoneInfo("Europe/London")
SETTINGS = Settings(timezone="Europe/London", feed_base_url="https://feeds.example.org")
NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
COMMITTED = datetime(2027, 3, 19, 18, 0, tzinfo=UTC)

_ids = itertools.count(1)


def local(text: str) -> datetime:
    """``"2027-03-28 00:30"`` (wall clock, first occurrence) as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC)


def add_worker(session: Session, **overrides: Any) -> Worker:
    values: dict[str, Any] = {
        "ref": "W001",
        "name": "Asha Patel",
        "email": "asha.patel@example.org",
        "team": "North",
        "hours_per_week": 30.0,
        "max_caseload": 8,
        "skills": ["cse"],
        "languages": ["en"],
    }
    values.update(overrides)
    worker = Worker(**values)
    session.add(worker)
    session.flush()
    return worker


def add_child(session: Session, **overrides: Any) -> Child:
    values: dict[str, Any] = {
        "ref": "YP-0001",
        "initials": "AB",
        "team": "North",
        "lat": 53.81,
        "lon": -1.56,
        "risk": "high",
        "required_skills": [],
        "preferred_workers": [],
        "excluded_workers": [],
    }
    values.update(overrides)
    child = Child(**values)
    session.add(child)
    session.flush()
    return child


def add_plan_version(session: Session, **overrides: Any) -> PlanVersion:
    values: dict[str, Any] = {
        "committed_at": COMMITTED,
        "committed_by": "manager",
        "as_of": COMMITTED,
        "horizon_start": date(2027, 3, 22),
        "horizon_end": date(2027, 11, 7),
        "timezone": "Europe/London",
        "teams": ["North"],
        "metrics": {},
        "is_current": True,
    }
    values.update(overrides)
    plan = PlanVersion(**values)
    session.add(plan)
    session.flush()
    return plan


def add_allocation(
    session: Session, plan: PlanVersion, child: Child, key_worker: Worker | None, **overrides: Any
) -> PlanAllocation:
    values: dict[str, Any] = {
        "plan_version_id": plan.id,
        "child_id": child.id,
        "key_worker_id": key_worker.id if key_worker else None,
        "start": plan.horizon_start,
        "end": plan.horizon_end,
    }
    values.update(overrides)
    allocation = PlanAllocation(**values)
    session.add(allocation)
    session.flush()
    return allocation


def add_session(
    session: Session,
    plan: PlanVersion,
    child: Child,
    worker: Worker,
    start: datetime,
    *,
    minutes: int = 60,
    **overrides: Any,
) -> SessionRow:
    values: dict[str, Any] = {
        "id": f"s-{next(_ids):04d}",
        "child_id": child.id,
        "worker_id": worker.id,
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "created_in": plan.id,
        "updated_in": plan.id,
        "updated_at": COMMITTED,
        "sequence": 0,
    }
    values.update(overrides)
    row = SessionRow(**values)
    session.add(row)
    session.flush()
    return row


@dataclass
class GoldenPlan:
    """What :func:`golden_plan` made, for tests to check the feeds against."""

    workers: dict[str, Worker] = field(default_factory=dict)
    sessions: dict[str, SessionRow] = field(default_factory=dict)
    excluded: set[str] = field(default_factory=set)
    plan_id: int = 0


def golden_plan(session: Session) -> GoldenPlan:
    """The fixed plan behind ``tests/calendars/data/*.ics`` (ids are fixed too)."""
    made = GoldenPlan()
    asha = add_worker(session, ref="W001", name="Asha Patel")
    zoe = add_worker(session, ref="W002", name="Zoë Łukasiewicz-Ørsted", email=None)
    kim = add_worker(session, ref="W007", name="Kim Lee", team="South")
    made.workers = {"W001": asha, "W002": zoe, "W007": kim}
    plan = add_plan_version(session)
    made.plan_id = plan.id
    ab = add_child(session, ref="YP-0001", initials="AB")
    accents = add_child(session, ref="YP-0002", initials="ÉØ", lat=53.8, lon=-1.55)
    no_initials = add_child(session, ref="YP-0003", initials=None)
    kims = add_child(session, ref="YP-0004", initials="ŁŻ", team="South")
    add_allocation(session, plan, ab, asha)
    add_allocation(session, plan, accents, zoe)
    add_allocation(session, plan, no_initials, asha)
    add_allocation(session, plan, kims, kim)

    def put(
        sid: str, child: Child, worker: Worker, start: datetime, minutes: int = 60, **extra: Any
    ) -> None:
        made.sessions[sid] = add_session(
            session, plan, child, worker, start, minutes=minutes, id=sid, **extra
        )

    put("s-past-old", ab, asha, local("2027-03-01 10:00"))  # before the window: left out
    put("s-past", ab, asha, local("2027-03-10 10:00"), sequence=2)
    put("s-before-spring", ab, asha, local("2027-03-25 16:00"))
    put("s-across-spring", accents, zoe, local("2027-03-28 00:30"), 60)  # 00:30 GMT-02:30 BST
    put("s-after-spring", ab, asha, local("2027-03-29 16:00"), 90)
    put("s-joint", no_initials, asha, local("2027-04-01 10:00"), with_worker_id=zoe.id)
    put("s-cover", kims, zoe, local("2027-04-02 13:15"), 45, cover=True)
    put("s-before-autumn", ab, asha, local("2027-10-28 16:00"))
    # 01:30 happens twice on 2027-10-31: first in BST (00:30 UTC), then in GMT (01:30 UTC).
    put("s-autumn-first", accents, zoe, datetime(2027, 10, 31, 0, 30, tzinfo=UTC), 30)
    put("s-autumn-second", no_initials, zoe, datetime(2027, 10, 31, 1, 30, tzinfo=UTC), 30)
    put("s-after-autumn", ab, asha, local("2027-11-01 16:00"))
    put("s-south", kims, kim, local("2027-04-05 09:00"))
    put("s-removed", ab, asha, local("2027-04-06 09:00"), removed_in=plan.id)
    put("s-beyond", ab, asha, local("2027-11-08 09:00"))  # after the horizon: left out
    made.excluded = {"s-past-old", "s-removed", "s-beyond"}
    return made
