"""Feeds from the stored plan: golden files, other parsers, privacy, re-plans, the cache.

The golden files in ``data/`` are the feeds of :func:`calendar_builders.golden_plan`;
after a deliberate change of format, rewrite them with
``KEYWORKER_UPDATE_GOLDEN=1 pytest tests/calendars`` and review the diff.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
import vobject
from calendar_builders import (
    COMMITTED,
    NOW,
    SETTINGS,
    add_child,
    add_plan_version,
    add_session,
    add_worker,
    golden_plan,
    local,
)
from dateutil import tz as dateutil_tz
from icalendar import Calendar
from sqlalchemy import select, update

from calendars import (
    MAX_FEED_BYTES,
    export_calendars,
    refresh_feeds,
    render_feeds,
)
from scheduler.db import Database
from scheduler.models import FeedCache
from scheduler.models import Session as SessionRow

DATA = Path(__file__).parent / "data"
GOLDEN = {
    "worker:W001": "W001.ics",
    "worker:W002": "W002.ics",
    "worker:W007": "W007.ics",
    "team:North": "team-North.ics",
    "team:South": "team-South.ics",
}


def feeds_of(database: Database, now: datetime = NOW, **settings: object) -> dict[str, bytes]:
    from dataclasses import replace

    with database.reading() as session:
        rendered = render_feeds(session, now=now, settings=replace(SETTINGS, **settings))
    return {feed.owner: feed.body for feed in rendered}


def cached(database: Database) -> dict[str, FeedCache]:
    with database.reading() as session:
        return {row.owner: row for row in session.scalars(select(FeedCache))}


@pytest.fixture
def golden(database: Database) -> Database:
    with database.transaction() as session:
        golden_plan(session)
    return database


def test_feeds_match_the_golden_files(golden: Database) -> None:
    feeds = feeds_of(golden)
    assert set(feeds) == set(GOLDEN)
    for owner, name in GOLDEN.items():
        path = DATA / name
        if os.environ.get("KEYWORKER_UPDATE_GOLDEN") == "1":
            path.write_bytes(feeds[owner])
        assert feeds[owner] == path.read_bytes(), f"{owner} differs from {path}"


def _vtimezone_tzinfo(body: bytes) -> dateutil_tz.tzical:
    text = body.decode("utf-8")
    start, end = text.index("BEGIN:VTIMEZONE"), text.index("END:VTIMEZONE")
    return dateutil_tz.tzical(io.StringIO(text[start : end + len("END:VTIMEZONE")]))


def _utc(value: datetime, zones: dateutil_tz.tzical) -> datetime:
    """A parsed time in UTC, the wall-clock part read with our own VTIMEZONE."""
    if (
        value.tzinfo is not None
        and value.utcoffset() == timedelta(0)
        and str(value.tzinfo)
        in (
            "UTC",
            "tzutc()",
        )
    ):
        return value.astimezone(UTC)
    return value.replace(tzinfo=zones.get("Europe/London")).astimezone(UTC)


def test_other_parsers_read_every_event_at_its_planned_time(golden: Database) -> None:
    with golden.reading() as session:
        planned = {row.id: row for row in session.scalars(select(SessionRow))}
    for owner, body in feeds_of(golden).items():
        zones = _vtimezone_tzinfo(body)
        # vobject (dateutil underneath): every property, times via the feed's VTIMEZONE.
        calendar = vobject.readOne(body.decode("utf-8"))
        events = calendar.contents.get("vevent", [])
        seen = set()
        for event in events:
            row = planned[event.uid.value]
            assert _utc(event.dtstart.value, zones) == row.start, (owner, row.id)
            assert _utc(event.dtend.value, zones) == row.end, (owner, row.id)
            assert event.dtstart.value.astimezone(UTC) == row.start  # vobject's own reading
            assert int(event.sequence.value) == row.sequence
            assert event.dtstamp.value == row.updated_at
            assert event.contents["class"][0].value == "PRIVATE"
            seen.add(row.id)
        # recurring-ical-events (icalendar underneath) over the whole window.
        window = recurring_ical_events.of(Calendar.from_ical(body)).between(
            datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
        )
        assert {str(e["UID"]) for e in window} == seen
        for event in window:
            row = planned[str(event["UID"])]
            assert event.decoded("DTSTART").astimezone(UTC) == row.start
            assert event.decoded("DTEND").astimezone(UTC) == row.end


def test_each_feed_holds_exactly_its_sessions(golden: Database) -> None:
    def uids(body: bytes) -> set[str]:
        return {str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")}

    feeds = feeds_of(golden)
    assert uids(feeds["worker:W001"]) == {
        "s-past",
        "s-before-spring",
        "s-after-spring",
        "s-joint",
        "s-before-autumn",
        "s-after-autumn",
    }
    assert uids(feeds["worker:W002"]) == {
        "s-across-spring",
        "s-joint",
        "s-cover",
        "s-autumn-first",
        "s-autumn-second",
    }
    assert uids(feeds["worker:W007"]) == {"s-south"}
    assert uids(feeds["team:South"]) == {"s-cover", "s-south"}
    assert uids(feeds["team:North"]) == uids(feeds["worker:W001"]) | uids(feeds["worker:W002"])


def test_summaries_show_initials_and_kind_and_nothing_else(golden: Database) -> None:
    feeds = feeds_of(golden)
    summaries = {
        str(e["UID"]): str(e["SUMMARY"])
        for body in (feeds["worker:W001"], feeds["worker:W002"])
        for e in Calendar.from_ical(body).walk("VEVENT")
    }
    assert summaries["s-before-spring"] == "AB – support session"
    assert summaries["s-across-spring"] == "ÉØ – support session"
    assert summaries["s-joint"] == "YP-0003 – joint handover session"
    assert summaries["s-cover"] == "ŁŻ – cover for W007"
    for body in feeds.values():
        text = body.decode("utf-8")
        for secret in ("YP-0001", "YP-0002", "YP-0004", "high", "53.81", "-1.56", "LOCATION"):
            assert secret not in text


def test_place_is_shown_only_when_configured(golden: Database) -> None:
    body = feeds_of(golden, show_location=True)["worker:W002"]
    event = next(
        e for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]) == "s-across-spring"
    )
    assert str(event["LOCATION"]) == "53.80000,-1.55000"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (53.8, -1.55)


def test_every_worker_has_a_feed_even_without_sessions(database: Database) -> None:
    with database.transaction() as session:
        add_worker(session, ref="W009", name="New Starter")
        stats = refresh_feeds(session, now=NOW, settings=SETTINGS)
    assert stats.feeds == 2  # the worker and their team
    body = cached(database)["worker:W009"].body
    assert Calendar.from_ical(body).walk("VEVENT") == []


def _events(body: bytes) -> dict[str, bytes]:
    """Each VEVENT's raw bytes by UID, plus everything outside events under ``""``."""
    text = body.decode("utf-8")
    parts = text.split("BEGIN:VEVENT\r\n")
    events = {"": parts[0].encode() + b"|" + parts[-1].split("END:VEVENT\r\n")[-1].encode()}
    for part in parts[1:]:
        raw = part.split("END:VEVENT\r\n")[0]
        uid = next(line[4:] for line in raw.split("\r\n") if line.startswith("UID:"))
        events[uid] = raw.encode()
    return events


def test_replan_moving_one_session_changes_only_that_event(golden: Database) -> None:
    with golden.transaction() as session:
        refresh_feeds(session, now=NOW, settings=SETTINGS)
    before = cached(golden)
    moved_at = COMMITTED + timedelta(days=1)
    with golden.transaction() as session:
        session.execute(
            update(SessionRow)
            .where(SessionRow.id == "s-after-spring")
            .values(
                start=local("2027-03-30 16:00"),
                end=local("2027-03-30 17:30"),
                sequence=SessionRow.sequence + 1,
                updated_at=moved_at,
            )
        )
        stats = refresh_feeds(session, now=NOW + timedelta(hours=1), settings=SETTINGS)
    after = cached(golden)
    assert stats.changed == 2  # W001's feed and the team's
    for owner in ("worker:W002", "worker:W007", "team:South"):
        assert after[owner].body == before[owner].body
        assert after[owner].last_modified == before[owner].last_modified
    for owner in ("worker:W001", "team:North"):
        old, new = _events(before[owner].body), _events(after[owner].body)
        assert old.keys() == new.keys()
        changed = {uid for uid in old if old[uid] != new[uid]}
        assert changed == {"s-after-spring"}
        old_lines = set(old["s-after-spring"].split(b"\r\n"))
        new_lines = set(new["s-after-spring"].split(b"\r\n"))
        assert {line.split(b":")[0].split(b";")[0] for line in old_lines ^ new_lines} == {
            b"DTSTART",
            b"DTEND",
            b"SEQUENCE",
            b"DTSTAMP",
        }
        assert b"SEQUENCE:1" in new_lines
        assert b"DTSTART;TZID=Europe/London:20270330T160000" in new_lines
        assert after[owner].etag != before[owner].etag
        assert after[owner].last_modified > before[owner].last_modified


def test_a_removed_session_leaves_the_feed(golden: Database) -> None:
    with golden.transaction() as session:
        session.execute(update(SessionRow).where(SessionRow.id == "s-joint").values(removed_in=1))
    feeds = feeds_of(golden)
    for owner in ("worker:W001", "worker:W002", "team:North"):
        assert b"UID:s-joint" not in feeds[owner]


def test_unchanged_refresh_keeps_etag_and_last_modified(golden: Database) -> None:
    with golden.transaction() as session:
        first = refresh_feeds(session, now=NOW, settings=SETTINGS)
    before = cached(golden)
    with golden.transaction() as session:
        again = refresh_feeds(session, now=NOW + timedelta(hours=3), settings=SETTINGS)
    after = cached(golden)
    assert (first.changed, again.changed) == (5, 0)
    for owner, row in after.items():
        assert (row.etag, row.last_modified) == (before[owner].etag, before[owner].last_modified)
        assert row.etag == '"' + __import__("hashlib").sha256(row.body).hexdigest() + '"'


def test_last_modified_moves_on_even_within_one_second(golden: Database) -> None:
    with golden.transaction() as session:
        refresh_feeds(session, now=NOW, settings=SETTINGS)
        session.execute(update(SessionRow).where(SessionRow.id == "s-south").values(sequence=5))
        refresh_feeds(session, now=NOW, settings=SETTINGS)
        session.execute(update(SessionRow).where(SessionRow.id == "s-south").values(sequence=6))
        refresh_feeds(session, now=NOW - timedelta(days=2), settings=SETTINGS)  # --as-of earlier
    row = cached(golden)["worker:W007"]
    assert row.last_modified == NOW + timedelta(seconds=2)


def test_the_window_slides_with_the_day(golden: Database) -> None:
    later = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)  # 14 days back is 11 March: s-past is out
    assert b"UID:s-past\r\n" in feeds_of(golden)["worker:W001"]
    assert b"UID:s-past\r\n" not in feeds_of(golden, later)["worker:W001"]


def test_a_huge_team_feed_is_trimmed_below_the_size_google_accepts(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 64 * 1024  # MAX_FEED_BYTES scaled down, so the test needs fewer sessions
    monkeypatch.setattr("calendars.snapshot.MAX_FEED_BYTES", limit)
    with database.transaction() as session:
        plan = add_plan_version(session)
        workers = [add_worker(session, ref=f"W{n:03d}", name=f"Worker {n}") for n in range(12)]
        children = [add_child(session, ref=f"YP-{n:04d}", initials="XY") for n in range(12)]
        rows = [
            {
                "id": f"bulk-{w}-{day}",
                "child_id": children[w].id,
                "worker_id": workers[w].id,
                "start": local("2027-03-22 09:00") + timedelta(days=day),
                "end": local("2027-03-22 10:00") + timedelta(days=day),
                "created_in": plan.id,
                "updated_in": plan.id,
                "updated_at": COMMITTED,
                "sequence": 0,
            }
            for w in range(12)
            for day in range(0, 30)
        ]
        session.execute(SessionRow.__table__.insert(), rows)
        stats = refresh_feeds(session, now=NOW, settings=SETTINGS)
    assert stats.trimmed > 0
    team = cached(database)["team:North"].body
    assert len(team) <= limit
    uids = {str(e["UID"]) for e in Calendar.from_ical(team).walk("VEVENT")}
    assert "bulk-0-0" in uids and "bulk-11-0" in uids  # the soonest sessions stay
    assert "bulk-0-29" not in uids  # the furthest ones go
    assert f"X-WR-CALDESC:{stats.trimmed} sessions".encode() in team
    assert len(cached(database)["worker:W000"].body) < limit
    assert MAX_FEED_BYTES <= 512 * 1024


def test_export_writes_one_file_per_worker(golden: Database, tmp_path: Path) -> None:
    with golden.reading() as session:
        paths = export_calendars(session, tmp_path / "out", now=NOW, settings=SETTINGS)
    assert sorted(p.name for p in paths) == ["W001.ics", "W002.ics", "W007.ics"]
    assert (tmp_path / "out" / "W001.ics").read_bytes() == (DATA / "W001.ics").read_bytes()
    assert not list((tmp_path / "out").glob(".*"))


def test_sessions_added_in_bulk_are_found_without_per_worker_queries(database: Database) -> None:
    """Refreshing many feeds issues a fixed number of statements, not one per worker."""
    from sqlalchemy import event

    with database.transaction() as session:
        plan = add_plan_version(session)
        for n in range(20):
            worker = add_worker(session, ref=f"W{n:03d}")
            child = add_child(session, ref=f"YP-{n:04d}")
            add_session(session, plan, child, worker, local("2027-03-23 10:00"), cover=True)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.transaction() as session:
            refresh_feeds(session, now=NOW, settings=SETTINGS)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8, selects


def test_an_on_demand_refresh_never_undoes_a_concurrent_commit(golden: Database) -> None:
    """Regression guard for the race between the server's refresh and a plan commit."""
    import contextlib

    if golden.engine.dialect.name == "sqlite":
        pytest.skip(
            "SQLite writers begin with BEGIN IMMEDIATE: no commit can land inside the "
            "refresh's transaction, so this race cannot happen there"
        )

    from sqlalchemy import event, text
    from sqlalchemy.exc import OperationalError

    with golden.transaction() as session:
        refresh_feeds(session, now=NOW, settings=SETTINGS)
        session.execute(update(SessionRow).where(SessionRow.id == "s-past").values(sequence=9))
    fired: list[bool] = []

    def commit_elsewhere(conn: object, cursor: object, statement: str, *args: object) -> None:
        if fired or not statement.lstrip().upper().startswith("UPDATE FEED_CACHE"):
            return
        fired.append(True)
        with golden.engine.connect() as other, other.begin():
            other.execute(
                text("UPDATE feed_cache SET body = :b, etag = :e WHERE owner = 'worker:W001'"),
                {"b": b"from the commit", "e": '"commit"'},
            )

    event.listen(golden.engine, "before_cursor_execute", commit_elsewhere)
    try:
        with contextlib.suppress(OperationalError), golden.transaction() as session:
            refresh_feeds(
                session,
                now=NOW,
                settings=SETTINGS,
                owners=["worker:W001"],
                yield_to_others=True,
            )
    finally:
        event.remove(golden.engine, "before_cursor_execute", commit_elsewhere)
    assert fired
    assert cached(golden)["worker:W001"].body == b"from the commit"
