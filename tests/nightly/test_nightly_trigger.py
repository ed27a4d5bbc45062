"""Exactly one run per night, also on the nights the clocks change (issue 6)."""

from __future__ import annotations

import pickle
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.nightly import last_slot, next_slot, night_of, nightly_trigger
from tests.nightly.nightly_support import nightly_settings

LONDON = ZoneInfo("Europe/London")


def fires(trigger: CronTrigger, first: date, last: date, zone: ZoneInfo) -> list[datetime]:
    """Every fire time from local midnight of ``first`` to the end of ``last``."""
    now = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    out: list[datetime] = []
    previous = None
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire >= end:
            return out
        out.append(fire)
        previous = now = fire


def per_local_date(times: list[datetime], zone: ZoneInfo) -> Counter[date]:
    return Counter(t.astimezone(zone).date() for t in times)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


AT_TIMES = ["00:30", "01:00", "01:30", "01:59", "02:00", "02:30", "03:00"]


@pytest.mark.parametrize("at", AT_TIMES)
def test_one_run_per_night_when_the_clocks_go_forward(at: str) -> None:
    hour, minute = map(int, at.split(":"))
    trigger = nightly_trigger(nightly_settings(nightly_time=time(hour, minute)))
    first, last = date(2027, 3, 26), date(2027, 4, 1)
    counted = per_local_date(fires(trigger, first, last, LONDON), LONDON)
    assert counted == dict.fromkeys(days(first, last), 1)


def test_a_time_that_does_not_exist_runs_an_hour_later_that_night() -> None:
    # 2027-03-28 01:30 does not exist in London: clocks go 01:00 GMT -> 02:00 BST.
    trigger = nightly_trigger(nightly_settings(nightly_time=time(1, 30)))
    night = fires(trigger, date(2027, 3, 28), date(2027, 3, 28), LONDON)
    assert [f.astimezone(UTC) for f in night] == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]
    assert night[0].astimezone(LONDON).strftime("%H:%M %Z") == "02:30 BST"


@pytest.mark.parametrize("at", AT_TIMES)
def test_one_run_per_night_when_the_clocks_go_back(at: str) -> None:
    hour, minute = map(int, at.split(":"))
    trigger = nightly_trigger(nightly_settings(nightly_time=time(hour, minute)))
    first, last = date(2027, 10, 29), date(2027, 11, 2)
    counted = per_local_date(fires(trigger, first, last, LONDON), LONDON)
    assert counted == dict.fromkeys(days(first, last), 1)


def test_a_time_that_happens_twice_runs_the_first_time_only() -> None:
    # 2027-10-31 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT).
    trigger = nightly_trigger(nightly_settings(nightly_time=time(1, 30)))
    night = fires(trigger, date(2027, 10, 31), date(2027, 10, 31), LONDON)
    assert [f.astimezone(UTC) for f in night] == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]


def test_cron_trigger_fires_twice_on_2027_10_31_which_is_why_nightly_trigger_exists() -> None:
    plain = CronTrigger(hour=1, minute=30, timezone=LONDON)
    counted = per_local_date(fires(plain, date(2027, 10, 31), date(2027, 10, 31), LONDON), LONDON)
    assert counted[date(2027, 10, 31)] == 2


def test_cron_trigger_skips_2027_03_15_at_midnight_in_new_york_nightly_trigger_does_not() -> None:
    # Found by the all-year property below: APScheduler 3.11's CronTrigger steps over the
    # day after the clocks go forward for some times of day.
    new_york = ZoneInfo("America/New_York")
    first, last = date(2027, 3, 13), date(2027, 3, 17)
    plain = CronTrigger(hour=0, minute=0, timezone=new_york)
    assert date(2027, 3, 15) not in per_local_date(fires(plain, first, last, new_york), new_york)
    ours = nightly_trigger(nightly_settings(nightly_time=time(0, 0), timezone="America/New_York"))
    counted = per_local_date(fires(ours, first, last, new_york), new_york)
    assert counted == dict.fromkeys(days(first, last), 1)


def test_a_scheduler_started_between_the_two_0130s_does_not_run_at_the_second() -> None:
    trigger = nightly_trigger(nightly_settings(nightly_time=time(1, 30)))
    between = datetime(2027, 10, 31, 1, 0, tzinfo=UTC)  # 01:00 GMT, after 01:30 BST
    fire = trigger.get_next_fire_time(None, between)
    assert fire is not None
    assert fire.astimezone(LONDON).date() == date(2027, 11, 1)


@settings(max_examples=30, deadline=None)
@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]),
)
def test_one_fire_per_local_date_all_year(hour: int, minute: int, zone: str) -> None:
    where = ZoneInfo(zone)
    trigger = nightly_trigger(nightly_settings(nightly_time=time(hour, minute), timezone=zone))
    first, last = date(2027, 1, 1), date(2027, 12, 31)
    counted = per_local_date(fires(trigger, first, last, where), where)
    assert counted == dict.fromkeys(days(first, last), 1)


def test_last_and_next_slot_around_the_clock_change() -> None:
    config = nightly_settings(nightly_time=time(1, 30))
    after_second = datetime(2027, 10, 31, 2, 0, tzinfo=UTC)
    slot = last_slot(config, after_second)
    assert slot == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert night_of(slot, LONDON) == date(2027, 10, 31)
    assert next_slot(config, after_second) == datetime(2027, 11, 1, 1, 30, tzinfo=UTC)
    assert last_slot(config, slot) == slot  # at the scheduled time it is the last slot
    assert last_slot(config, slot - timedelta(microseconds=1)) == datetime(
        2027, 10, 30, 0, 30, tzinfo=UTC
    )


def test_the_trigger_survives_the_job_store_pickle() -> None:
    trigger = nightly_trigger(nightly_settings(nightly_time=time(1, 30)))
    again = pickle.loads(pickle.dumps(trigger))
    start = datetime(2027, 10, 29, tzinfo=UTC)
    assert fires(again, start.date(), date(2027, 11, 2), LONDON) == fires(
        trigger, start.date(), date(2027, 11, 2), LONDON
    )
    assert type(again) is type(trigger)
