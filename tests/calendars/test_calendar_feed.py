"""The pure feed builder: format rules, determinism, the VTIMEZONE rules, round trips."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil import tz as dateutil_tz
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from calendars import (
    FeedEvent,
    FeedSpec,
    render_feed,
    render_feed_fitted,
    render_feed_typed,
    trim_to_size,
    vtimezone,
)

BASE = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def make_event(**overrides: object) -> FeedEvent:
    values: dict[str, object] = {
        "uid": "s-0001",
        "start": BASE,
        "end": BASE + timedelta(hours=1),
        "summary": "AB – support session",
        "sequence": 0,
        "stamp": datetime(2027, 2, 1, 12, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return FeedEvent(**values)  # type: ignore[arg-type]


def make_spec(*events: FeedEvent, **overrides: object) -> FeedSpec:
    values: dict[str, object] = {
        "name": "Key work sessions – Asha Patel (W001)",
        "timezone": "Europe/London",
        "events": events,
    }
    values.update(overrides)
    return FeedSpec(**values)  # type: ignore[arg-type]


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    return lines


def test_calendar_properties_clients_rely_on() -> None:
    body = render_feed(make_spec(make_event()))
    lines = physical_lines(body)
    for expected in (
        b"METHOD:PUBLISH",
        b"NAME:Key work sessions \xe2\x80\x93 Asha Patel (W001)",
        b"X-WR-CALNAME:Key work sessions \xe2\x80\x93 Asha Patel (W001)",
        b"REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        b"X-PUBLISHED-TTL:PT1H",
        b"VERSION:2.0",
        b"CLASS:PRIVATE",
        b"DTSTART;TZID=Europe/London:20270301T090000",
        b"DTSTAMP:20270201T120000Z",
        b"UID:s-0001",
        b"SEQUENCE:0",
    ):
        assert expected in lines


def test_folding_never_splits_a_utf8_character() -> None:
    summary = "ÉØŁŻ – " + "ü" * 50 + "😀" * 30 + " – zoë" * 20
    body = render_feed(make_spec(make_event(summary=summary, description=summary * 2)))
    lines = physical_lines(body)
    assert any(line.startswith(b" ") for line in lines), "long lines are folded"
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is whole UTF-8 on its own
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == summary


def test_same_input_same_bytes_whatever_the_event_order() -> None:
    events = [
        make_event(
            uid=f"s-{i}", start=BASE + timedelta(days=i), end=BASE + timedelta(days=i, hours=1)
        )
        for i in range(5)
    ]
    assert render_feed(make_spec(*events)) == render_feed(make_spec(*reversed(events)))


def test_fast_events_are_byte_for_byte_icalendars_typed_api() -> None:
    events = [
        make_event(),
        make_event(
            uid="s-2",
            summary="a;b,c\\d\ne",
            description="with W003; 2, 3",
            location="53.81000,-1.56000",
            geo=(53.81, -1.56),
        ),
        make_event(
            uid="s-3",
            start=datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
            end=datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
        ),
    ]
    spec = make_spec(*events)
    assert render_feed(spec) == render_feed_typed(spec)


def test_empty_feed_is_valid_and_has_no_timezone() -> None:
    body = render_feed(make_spec())
    calendar = Calendar.from_ical(body)
    assert list(calendar.walk("VEVENT")) == []
    assert b"VTIMEZONE" not in body
    vobject.readOne(body.decode("utf-8"))


def test_control_characters_cannot_break_the_format() -> None:
    body = render_feed(make_spec(make_event(summary="A\x00B\rC\x1b")))
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "A B\nC "


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_event(start=datetime(2027, 3, 1, 9, 0))  # noqa: DTZ001 - the point of the test


def test_the_repeated_autumn_hour_is_written_in_utc() -> None:
    first = make_event(
        uid="first",
        start=datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
        end=datetime(2027, 10, 31, 0, 45, tzinfo=UTC),
    )
    second = make_event(
        uid="second",
        start=datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
        end=datetime(2027, 10, 31, 2, 30, tzinfo=UTC),
    )
    lines = physical_lines(render_feed(make_spec(first, second)))
    assert b"DTSTART:20271031T003000Z" in lines
    assert b"DTSTART:20271031T013000Z" in lines
    assert b"DTEND;TZID=Europe/London:20271031T023000" in lines


# --- VTIMEZONE: one yearly rule pair, correct offsets ------------------------------------


@pytest.mark.parametrize(
    "key", ["Europe/London", "Australia/Sydney", "America/New_York", "Asia/Kolkata"]
)
def test_vtimezone_is_rrule_based_and_agrees_with_zoneinfo(key: str) -> None:
    text = vtimezone(key, 2026, 2028).to_ical().decode("utf-8")
    assert "RDATE" not in text
    observances = text.count("BEGIN:STANDARD") + text.count("BEGIN:DAYLIGHT")
    assert observances == (1 if key == "Asia/Kolkata" else 2)
    if observances == 2:
        assert text.count("RRULE:FREQ=YEARLY") == 2
    # dateutil's tzical is an independent reading of the same text.
    parsed = dateutil_tz.tzical(io.StringIO(text)).get()
    zone = ZoneInfo(key)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment < datetime(2029, 1, 1, tzinfo=UTC):
        expected = moment.astimezone(zone)
        wall = expected.replace(tzinfo=None)
        if expected.replace(fold=0).utcoffset() == expected.replace(fold=1).utcoffset():
            assert wall.replace(tzinfo=parsed).utcoffset() == expected.utcoffset(), wall
        moment += timedelta(hours=5, minutes=15)


def test_london_rules_are_the_last_sundays_of_march_and_october() -> None:
    text = vtimezone("Europe/London", 2027, 2027).to_ical().decode("utf-8")
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000" in text


# --- trimming to stay under the size Google accepts ---------------------------------------


def test_trim_keeps_upcoming_sessions_first_then_recent_past_ones() -> None:
    now = BASE + timedelta(days=50)
    events = [
        make_event(
            uid=f"s-{i:03d}", start=BASE + timedelta(days=i), end=BASE + timedelta(days=i, hours=1)
        )
        for i in range(100)
    ]
    spec = make_spec(*events)
    full = len(render_feed(spec))
    trimmed, dropped = trim_to_size(spec, max_bytes=full * 3 // 4, now=now)
    assert dropped > 0
    assert len(render_feed(trimmed)) <= full * 3 // 4
    kept = sorted(e.uid for e in trimmed.events)
    upcoming = [e.uid for e in events if e.end > now]
    assert set(upcoming) <= set(kept)
    past_kept = sorted(set(kept) - set(upcoming))
    assert past_kept == [e.uid for e in events if e.end <= now][-len(past_kept) :]
    body, left_out = render_feed_fitted(spec, max_bytes=full * 3 // 4, now=now)
    assert (body, left_out) == (render_feed(trimmed), dropped)
    assert f"X-WR-CALDESC:{dropped} sessions".encode() in body
    untouched, none = trim_to_size(spec, max_bytes=full + 4096, now=now)
    assert (untouched, none) == (spec, 0)


# --- round trip ---------------------------------------------------------------------------

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120)
moments = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC))


@st.composite
def feed_events(draw: st.DrawFn) -> FeedEvent:
    start = draw(moments)
    has_place = draw(st.booleans())
    lat = draw(st.floats(min_value=-89, max_value=89).map(lambda x: round(x, 5)))
    lon = draw(st.floats(min_value=-179, max_value=179).map(lambda x: round(x, 5)))
    return FeedEvent(
        uid=draw(st.from_regex(r"[A-Za-z0-9-]{1,40}", fullmatch=True)),
        start=start,
        end=start + timedelta(minutes=draw(st.integers(min_value=15, max_value=480))),
        summary=draw(texts),
        sequence=draw(st.integers(min_value=0, max_value=10_000)),
        stamp=draw(moments),
        description=draw(st.none() | texts),
        location=f"{lat},{lon}" if has_place else None,
        geo=(lat, lon) if has_place else None,
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(feed_events(), max_size=6, unique_by=lambda e: e.uid),
    st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]),
)
def test_round_trip_through_icalendar(events: list[FeedEvent], zone: str) -> None:
    spec = make_spec(*events, timezone=zone)
    body = render_feed(spec)
    assert body == render_feed_typed(spec)
    for line in physical_lines(body):
        assert len(line) <= 75
        line.decode("utf-8")
    # Times through icalendar; text through vobject, because icalendar's own parser
    # reads "\\\," (an escaped backslash, then an escaped comma) as "," (see
    # test_backslash_then_comma_is_escaped_as_rfc5545_says).
    texts = {
        event.uid.value: event
        for event in vobject.readOne(body.decode()).contents.get("vevent", [])
    }

    def text(uid: str, name: str) -> str | None:
        found = texts[uid].contents.get(name)
        return str(found[0].value) if found else None

    parsed = {}
    for component in Calendar.from_ical(body).walk("VEVENT"):
        uid = str(component["UID"])
        geo = component.get("GEO")
        parsed[uid] = FeedEvent(
            uid=uid,
            start=component.decoded("DTSTART"),
            end=component.decoded("DTEND"),
            summary=text(uid, "summary") or "",
            sequence=int(component["SEQUENCE"]),
            stamp=component.decoded("DTSTAMP"),
            description=text(uid, "description"),
            location=text(uid, "location"),
            geo=(geo.latitude, geo.longitude) if geo is not None else None,
        )
    assert parsed == {event.uid: event for event in events}


def test_backslash_then_comma_is_escaped_as_rfc5545_says() -> None:
    r"""Found by the round trip: icalendar 6.3 reads ``\\\,`` back as ``,``; vobject is right."""
    body = render_feed(make_spec(make_event(summary="a\\,b;c")))
    assert b"SUMMARY:a\\\\\\,b\\;c\r\n" in body
    assert vobject.readOne(body.decode()).vevent.summary.value == "a\\,b;c"
