"""Builders for the report tests: stored rows made directly with the ORM.

``make_worker(session, ref="W002")`` and friends add one row with sensible defaults and
return it; ``held(session, child, worker, day)`` adds a session at 10:00 local time.
``hand_worked_team(database)`` stores the small history whose figures the tests check by
hand (see its docstring).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scheduler.db import Database
from scheduler.models import Child, KeyWorkerHistory, PlanVersion, SupportPlan, Worker
from scheduler.models import Session as PlanSession

ZONE = ZoneInfo("Europe/London")
AS_OF = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
AS_OF_TEXT = "2026-11-27T12:00:00+00:00"
_ids = itertools.count(1)


def _apply(row: Any, overrides: dict[str, Any]) -> None:
    for name, value in overrides.items():
        setattr(row, name, value)


def make_worker(session: Session, **overrides: Any) -> Worker:
    worker = Worker(ref="W001", name="Asha Patel", email=None, team="North",
                    hours_per_week=30.0, max_caseload=8, skills=[], languages=[],
                    gender="female")  # fmt: skip
    _apply(worker, overrides)
    session.add(worker)
    session.flush()
    return worker


def make_child(session: Session, **overrides: Any) -> Child:
    child = Child(ref="YP-0001", initials=None, team="North", required_skills=[],
                  preferred_workers=[], excluded_workers=[], risk="medium")  # fmt: skip
    _apply(child, overrides)
    session.add(child)
    session.flush()
    return child


def make_plan(session: Session, child: Child, **overrides: Any) -> SupportPlan:
    plan = SupportPlan(child_id=child.id, start_date=date(2026, 1, 5), end_date=None,
                       sessions=1, every_weeks=1, session_minutes=60,
                       max_gap_days=14)  # fmt: skip
    _apply(plan, overrides)
    session.add(plan)
    session.flush()
    return plan


def make_version(session: Session, **overrides: Any) -> PlanVersion:
    version = PlanVersion(committed_at=AS_OF, committed_by="tester", as_of=AS_OF,
                          horizon_start=date(2026, 11, 30), horizon_end=date(2026, 12, 27),
                          timezone="Europe/London", teams=[], metrics={},
                          is_current=True)  # fmt: skip
    _apply(version, overrides)
    session.add(version)
    session.flush()
    return version


def key(
    session: Session,
    child: Child,
    worker: Worker,
    start: date,
    end: date | None = None,
    *,
    role: str = "key",
) -> KeyWorkerHistory:
    row = KeyWorkerHistory(child_id=child.id, worker_id=worker.id, role=role,
                           start_date=start, end_date=end, reason=None, source="plan",
                           recorded_at=AS_OF)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def held(
    session: Session,
    child: Child,
    worker: Worker,
    day: date,
    *,
    version: PlanVersion,
    with_worker: Worker | None = None,
    minutes: int = 60,
    removed: bool = False,
) -> PlanSession:
    """A session at 10:00 local time on ``day`` (held if before AS_OF, else planned)."""
    start = datetime.combine(day, time(10), ZONE).astimezone(UTC)
    row = PlanSession(id=f"s{next(_ids)}", child_id=child.id, worker_id=worker.id,
                      with_worker_id=with_worker.id if with_worker else None, start=start,
                      end=start + timedelta(minutes=minutes), cover=False, locked=False,
                      sequence=0, created_in=version.id, updated_in=version.id,
                      removed_in=version.id if removed else None,
                      updated_at=AS_OF)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def hand_worked_team(database: Database) -> None:
    """Four children, three workers, as of 2026-11-27 12:00 UTC (window from 2025-11-27).

    * YP-A (North, plan from 2026-10-01, max gap 14): key W2 to 2026-05-31, then W1 from
      2026-06-01 in two back-to-back rows (one relationship: tenure 179 days, 1 change).
      Held: Oct 5, 12 (W1), 19 (W3, cover), 26 (W1), Nov 16 (W1): UPC 4/5 = 0.8,
      COC (16 + 1 - 5) / (5 * 4) = 0.6; longest gap Oct 26 -> Nov 16 = 21 days > 14.
      Not counted: a session removed by a re-plan, one before the window, and one planned
      on Nov 30 (it counts as planned workload).
    * YP-B (North, wants W2, plan from 2025-01-01, max gap 28): key W2, W3, then W2
      again: 2 changes in the window; one held session with W2 on Nov 20: UPC 1.0,
      COC n/a; longest gap from the window start 2025-11-27 to 2026-11-20 = 358 days.
    * YP-C (South, wants a male worker, plan from 2026-03-01): first key worker W1
      (female) from 2026-03-01: no change, wish not honoured, no sessions, gap 271 days.
    * YP-D (North): plan ended in 2024 and no key worker: not in the report.
    """
    with database.transaction() as s:
        version = make_version(s)
        w1 = make_worker(s)
        w2 = make_worker(s, ref="W002", name="Tom Reilly", gender="Male")
        w3 = make_worker(s, ref="W003", name="Grace Okafor", team="South")
        a = make_child(s, ref="YP-A")
        b = make_child(s, ref="YP-B", preferred_workers=["W002"])
        c = make_child(s, ref="YP-C", team="South", preferred_gender="male")
        d = make_child(s, ref="YP-D")
        make_plan(s, a, start_date=date(2026, 10, 1))
        make_plan(s, b, start_date=date(2025, 1, 1), max_gap_days=28)
        make_plan(s, c, start_date=date(2026, 3, 1))
        make_plan(s, d, start_date=date(2024, 1, 1), end_date=date(2024, 6, 30))
        key(s, a, w2, date(2025, 1, 1), date(2026, 5, 31))
        key(s, a, w1, date(2026, 6, 1), date(2026, 8, 31))
        key(s, a, w1, date(2026, 9, 1))
        key(s, a, w3, date(2026, 6, 1), role="secondary")
        key(s, b, w2, date(2025, 3, 1), date(2026, 1, 31))
        key(s, b, w3, date(2026, 2, 1), date(2026, 4, 30))
        key(s, b, w2, date(2026, 5, 1))
        key(s, c, w1, date(2026, 3, 1))
        for day in (
            date(2026, 10, 5),
            date(2026, 10, 12),
            date(2026, 10, 26),
            date(2026, 11, 16),
            date(2026, 11, 30),
        ):
            held(s, a, w1, day, version=version)
        held(s, a, w3, date(2026, 10, 19), version=version)
        held(s, a, w3, date(2026, 11, 2), version=version, removed=True)
        held(s, a, w2, date(2025, 10, 1), version=version)
        held(s, b, w2, date(2026, 11, 20), version=version, minutes=90)  # fmt: skip
