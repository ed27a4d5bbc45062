"""When the night is: the trigger that fires once per local date, and the slots it gives.

The night of a run is the local date of its scheduled time (``scheduled_for``) in the
configured zone. :class:`NightlyTrigger` fires once per local date, also on the nights
the clocks change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from scheduler.settings import Settings


class NightlyTrigger(BaseTrigger):  # type: ignore[misc]  # apscheduler has no type hints
    """Fires once a day at local time ``at`` in ``timezone``: once per local date, always.

    On the night the clocks go forward a time that does not exist (01:30 in London on
    2027-03-28) fires an hour later by the wall clock (02:30 BST), at the instant it
    would have been without the change. On the night they go back a time that happens
    twice (01:30 on 2027-10-31) fires only the first time.

    Why not ``CronTrigger``: APScheduler 3.11's ``CronTrigger`` fires twice on the night
    the clocks go back, and after the clocks go forward it skips a whole day for some
    times (00:00 and 19:00-23:59 in New York on 2027-03-15), which the tests pin.
    """

    __slots__ = ("at", "timezone")
    # Pickled into the persistent job store by this name: the one every version of
    # keyworker sharing the database can load (scheduler.nightly re-exports it).
    __module__ = "scheduler.nightly"

    def __init__(self, at: time, timezone: ZoneInfo) -> None:
        self.at = at.replace(tzinfo=None, fold=0)
        self.timezone = timezone

    def fire_on(self, night: date) -> datetime:
        """The instant of the run for local date ``night``, as a normalised local time."""
        wall = datetime.combine(night, self.at, tzinfo=self.timezone)  # fold=0: the first
        return wall.astimezone(UTC).astimezone(self.timezone)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        # As CronTrigger: from just after the previous fire, so that missed runs can be
        # counted (and coalesced) by the scheduler; else from now.
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + timedelta(microseconds=1))
            if start <= previous_fire_time:
                start = previous_fire_time + timedelta(microseconds=1)
        day = start.astimezone(self.timezone).date() - timedelta(days=1)
        while True:
            fire = self.fire_on(day)
            if fire >= start:
                return fire
            day += timedelta(days=1)

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "at": self.at, "timezone": self.timezone}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version") != 1:
            raise ValueError(f"cannot restore a NightlyTrigger of version {state.get('version')}")
        self.at = state["at"]
        self.timezone = state["timezone"]

    def __str__(self) -> str:
        return f"nightly at {self.at:%H:%M} ({self.timezone.key})"

    def __repr__(self) -> str:
        return f"<NightlyTrigger (at='{self.at:%H:%M}', timezone='{self.timezone.key}')>"


def nightly_trigger(settings: Settings) -> NightlyTrigger:
    return NightlyTrigger(settings.nightly_time, settings.zone)


def last_slot(settings: Settings, now: datetime) -> datetime:
    """The latest scheduled run time at or before ``now``."""
    trigger = nightly_trigger(settings)
    fire = trigger.get_next_fire_time(None, now - timedelta(days=2))
    last = fire
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire)
    assert last is not None and last <= now, "a daily trigger fires every day"
    return last.astimezone(UTC)


def next_slot(settings: Settings, now: datetime) -> datetime:
    """The first scheduled run time after ``now``."""
    fire = nightly_trigger(settings).get_next_fire_time(None, now + timedelta(microseconds=1))
    assert fire is not None
    return fire.astimezone(UTC)


def night_of(moment: datetime, zone: ZoneInfo) -> date:
    """The night a run belongs to: the local date of its scheduled time."""
    return moment.astimezone(zone).date()


def night_bounds(night: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight starting and ending ``night``."""
    start = datetime.combine(night, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(night + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end
