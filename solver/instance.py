"""The solver's input: plain, frozen data about workers, children, plans and sessions.

Everything here is already cleaned by the caller: skills, languages and gender are
lower case, a worker without stated availability carries the default Mon-Fri
09:00-17:00 windows, and dates are local calendar dates in ``Instance.timezone``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from solver.errors import InfeasibleInput


@dataclass(frozen=True, slots=True)
class Window:
    """A weekly availability window in local wall-clock time (weekday 0 = Monday)."""

    weekday: int
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class Absence:
    """A worker's absence, first and last day inclusive.

    ``closure`` is set when the absence stands for the worker's team being closed
    (a bank holiday, a team day): rules 2 and 6 read it as any absence, and messages
    say the team is closed, with this reason, instead of that the worker is absent.
    """

    start: dt.date
    end: dt.date
    closure: str | None = None


@dataclass(frozen=True, slots=True)
class Worker:
    ref: str
    team: str
    hours_per_week: float
    max_caseload: int
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    gender: str | None = None
    availability: tuple[Window, ...] = ()
    lat: float | None = None
    lon: float | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    absences: tuple[Absence, ...] = ()
    email: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class Child:
    ref: str
    team: str
    required_skills: frozenset[str] = frozenset()
    language: str | None = None
    preferred_gender: str | None = None
    preferred_workers: tuple[str, ...] = ()
    excluded_workers: frozenset[str] = frozenset()
    availability: tuple[Window, ...] = ()
    lat: float | None = None
    lon: float | None = None
    risk: str = "medium"
    current_key_worker: str | None = None
    key_worker_since: dt.date | None = None
    current_secondary_worker: str | None = None
    pinned_worker: str | None = None
    pinned_from: dt.date | None = None  # the pinned worker takes over on this day
    key_worker_change_reason: str | None = None
    known_workers: frozenset[str] = frozenset()
    last_key_worker_contact: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SupportPlan:
    child: str
    start_date: dt.date
    end_date: dt.date | None
    sessions: int
    every_weeks: int = 1
    session_minutes: int = 60
    max_gap_days: int = 14

    def in_force(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True, slots=True)
class ExistingSession:
    """A session of the current committed plan, or one held before ``now``."""

    id: str
    child: str
    worker: str
    with_worker: str | None
    start: dt.datetime
    end: dt.datetime
    locked: bool = False


@dataclass(frozen=True, slots=True)
class CurrentAllocation:
    """One key-worker period of the current committed plan (used as the re-plan hint)."""

    child: str
    key_worker: str | None
    secondary_worker: str | None
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Instance:
    workers: tuple[Worker, ...]
    children: tuple[Child, ...]
    plans: tuple[SupportPlan, ...]
    existing_sessions: tuple[ExistingSession, ...]
    now: dt.datetime
    horizon_start: dt.date
    weeks: int = 4
    timezone: str = "Europe/London"
    freeze_hours: int = 48
    retired_session_ids: frozenset[str] = frozenset()
    current_allocations: tuple[CurrentAllocation, ...] = field(default=())

    @property
    def horizon_end(self) -> dt.date:
        return self.horizon_start + dt.timedelta(days=7 * self.weeks - 1)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def freeze_until(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC) + dt.timedelta(hours=self.freeze_hours)

    def horizon_days(self) -> list[dt.date]:
        return [self.horizon_start + dt.timedelta(days=i) for i in range(7 * self.weeks)]


def check_instance(instance: Instance) -> None:  # noqa: PLR0912 - one check per input constraint, each with its own message
    """Raise ``InfeasibleInput`` when the instance breaks the input contract."""
    if instance.now.tzinfo is None:
        raise InfeasibleInput("now", instance.now, "datetimes must be timezone-aware")
    if instance.weeks < 1:
        raise InfeasibleInput("weeks", instance.weeks, "must be at least 1")
    worker_refs = [w.ref for w in instance.workers]
    if len(set(worker_refs)) != len(worker_refs):
        raise InfeasibleInput("workers", worker_refs, "duplicate worker ref")
    child_refs = [c.ref for c in instance.children]
    if len(set(child_refs)) != len(child_refs):
        raise InfeasibleInput("children", child_refs, "duplicate child ref")
    known_children = set(child_refs)
    by_child: dict[str, list[SupportPlan]] = {}
    for plan in instance.plans:
        if plan.child not in known_children:
            raise InfeasibleInput("plans.child", plan.child, "unknown child")
        if plan.session_minutes % 15 or not 15 <= plan.session_minutes <= 480:
            raise InfeasibleInput(
                "plans.session_minutes", plan.session_minutes, "must be 15..480, multiple of 15"
            )
        if plan.sessions < 1 or plan.every_weeks < 1:
            raise InfeasibleInput("plans.sessions", plan.sessions, "must be positive")
        by_child.setdefault(plan.child, []).append(plan)
    for child, plans in by_child.items():
        ordered = sorted(plans, key=lambda p: p.start_date)
        for earlier, later in itertools.pairwise(ordered):
            if earlier.end_date is None or earlier.end_date >= later.start_date:
                raise InfeasibleInput("plans", child, "overlapping plans for one child")
    for session in instance.existing_sessions:
        if session.start.tzinfo is None or session.end.tzinfo is None:
            raise InfeasibleInput("existing_sessions.start", session.id, "naive datetime")
        if session.child not in known_children:
            raise InfeasibleInput("existing_sessions.child", session.child, "unknown child")


def in_utc(instance: Instance) -> Instance:
    """The same instance with ``now`` and every session time in UTC.

    Python compares and subtracts datetimes that share a ``tzinfo`` by wall clock,
    which is wrong across a clock change; the solver works in UTC throughout and
    uses the time zone only to read local days and wall-clock times.
    """
    sessions = tuple(
        replace(s, start=s.start.astimezone(dt.UTC), end=s.end.astimezone(dt.UTC))
        for s in instance.existing_sessions
    )
    return replace(instance, now=instance.now.astimezone(dt.UTC), existing_sessions=sessions)
