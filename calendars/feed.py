"""Render one iCalendar feed: plain frozen data in, RFC 5545 bytes out.

Pure and deterministic: the same :class:`FeedSpec` always gives the same bytes, so a
feed whose sessions did not change keeps its ETag and clients do not reprocess it.
``DTSTAMP`` is the session's last change (not the time of rendering) for the same
reason. Everything goes through icalendar's typed API, which writes CRLF line ends
and folds lines at 75 octets without splitting a UTF-8 character.

Times are written with ``TZID`` in the feed's zone and the zone's VTIMEZONE is
included (see :mod:`calendars.timezones`). A wall-clock time that occurs twice (the
hour after clocks go back) is written in UTC instead: RFC 5545 reads it as the first
occurrence, pytz-based parsers (vobject) as the second; UTC leaves no doubt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration, vGeo  # type: ignore[import-untyped,unused-ignore]
from icalendar.parser import (  # type: ignore[import-untyped,unused-ignore]
    escape_char,
    foldline,
    param_value,
)

from calendars.timezones import vtimezone

PRODID = "-//keyworker//keyworker calendars 1.0//EN"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One session as a calendar event; ``start``, ``end`` and ``stamp`` are aware."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    sequence: int
    stamp: datetime
    description: str | None = None
    location: str | None = None
    geo: tuple[float, float] | None = None
    # CANCELLED for a session recorded cancelled or did-not-attend: calendars strike it
    status: str = "CONFIRMED"

    def __post_init__(self) -> None:
        for name in ("start", "end", "stamp"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None:
                raise ValueError(f"FeedEvent.{name} must be an aware datetime, got {value!r}")
        if self.end <= self.start:
            raise ValueError(f"FeedEvent {self.uid!r} ends before it starts")
        for name in ("uid", "summary", "description", "location"):
            text: str | None = getattr(self, name)
            if text is not None:
                object.__setattr__(self, name, clean_text(text))


# RFC 5545 CONTROL, the C1 controls, and the bidi embeddings, overrides and isolates
# (a right-to-left override turns what a calendar shows after it around).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Line ends as ``\n`` and other control characters as spaces: TEXT cannot hold them."""
    if text.isprintable():  # the common case, checked in C
        return text
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_line(text: str) -> str:
    """:func:`clean_text` on one line: line breaks as spaces too (a calendar's name)."""
    if text.isprintable():
        return text
    return clean_text(text).replace("\n", " ").replace("\u2028", " ").replace("\u2029", " ")


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A whole feed: its display name, zone and events (in any order)."""

    name: str
    timezone: str
    events: tuple[FeedEvent, ...] = field(default_factory=tuple)
    refresh_minutes: int = 60
    description: str | None = None

    def __post_init__(self) -> None:
        # NAME and X-WR-CALNAME hold a worker's name: never raw control characters
        # (RFC 5545), whatever reached the database before imports refused them.
        object.__setattr__(self, "name", clean_line(self.name))
        if self.description is not None:
            object.__setattr__(self, "description", clean_line(self.description))


def render_feed(spec: FeedSpec) -> bytes:
    """The feed as ``text/calendar`` bytes (UTF-8, CRLF, folded).

    The calendar and its VTIMEZONE are built with icalendar's typed API. Events, the
    bulk of a feed, are written by :func:`_event_text` with icalendar's own escaping
    and folding functions: the same bytes :func:`render_feed_typed` builds through
    ``icalendar.Event`` (a test holds them equal), about ten times faster, which is
    what lets 300 feeds be refreshed inside a plan commit.
    """
    return _assemble(spec, _rendered(spec))


def render_feed_fitted(spec: FeedSpec, *, max_bytes: int, now: datetime) -> tuple[bytes, int]:
    """``render_feed(trim_to_size(spec, ...)[0])`` and how many events were left out.

    The same bytes, but every event is rendered only once.
    """
    rendered = _rendered(spec)
    kept = _fit(spec, rendered, max_bytes=max_bytes, now=now)
    left_out = len(rendered) - len(kept)
    return _assemble(_noted(spec, kept, left_out), kept), left_out


def trim_to_size(spec: FeedSpec, *, max_bytes: int, now: datetime) -> tuple[FeedSpec, int]:
    """Drop events until the feed fits in ``max_bytes``; returns the spec and how many.

    Google Calendar ignores what comes after about 1 MB, so a team feed that would be
    larger keeps what matters most: upcoming sessions soonest first, then past
    sessions most recent first, and says in its description how many it left out.
    Deterministic, like everything here.
    """
    rendered = _rendered(spec)
    kept = _fit(spec, rendered, max_bytes=max_bytes, now=now)
    left_out = len(rendered) - len(kept)
    return _noted(spec, kept, left_out), left_out


def _noted(spec: FeedSpec, kept: list[_Rendered], left_out: int) -> FeedSpec:
    if not left_out:
        return spec
    note = (
        f"{left_out} sessions (the furthest ahead, then the oldest) are left out to keep "
        "this feed small enough for calendar apps."
    )
    return replace(
        spec,
        events=tuple(r.event for r in kept),
        description=f"{spec.description} {note}" if spec.description else note,
    )


@dataclass(frozen=True, slots=True)
class _Rendered:
    event: FeedEvent
    text: bytes
    zoned: bool


def _rendered(spec: FeedSpec) -> list[_Rendered]:
    zone = ZoneInfo(spec.timezone)
    tzid = param_value(spec.timezone)
    rendered = []
    for event in _ordered(spec.events):
        text, zoned = _event_text(event, zone, tzid)
        rendered.append(_Rendered(event, text.encode("utf-8"), zoned))
    return rendered


def _assemble(spec: FeedSpec, rendered: list[_Rendered]) -> bytes:
    events = [r.event for r in rendered]
    header = _calendar(spec, events, any(r.zoned for r in rendered)).to_ical()
    assert header.endswith(_END)
    return bytes(header[: -len(_END)]) + b"".join(r.text for r in rendered) + _END


def _fit(
    spec: FeedSpec, rendered: list[_Rendered], *, max_bytes: int, now: datetime
) -> list[_Rendered]:
    total = len(_assemble(spec, [])) + _HEADER_ALLOWANCE
    if total + sum(len(r.text) for r in rendered) <= max_bytes:
        return rendered
    upcoming = [r for r in rendered if r.event.end > now]
    past = [r for r in reversed(rendered) if r.event.end <= now]
    kept: set[int] = set()
    for candidate in upcoming + past:
        if total + len(candidate.text) > max_bytes:
            break
        total += len(candidate.text)
        kept.add(id(candidate))
    return [r for r in rendered if id(r) in kept]


_HEADER_ALLOWANCE = 2048
"""Room left for the VTIMEZONE (an empty feed has none) and a note on what was left out."""


def render_feed_typed(spec: FeedSpec) -> bytes:
    """The same feed built entirely through icalendar's typed API (the reference)."""
    zone = ZoneInfo(spec.timezone)
    events = _ordered(spec.events)
    components = [_event_component(event, zone) for event in events]
    calendar = _calendar(spec, events, any(zoned for _, zoned in components))
    for component, _ in components:
        calendar.add_component(component)
    return bytes(calendar.to_ical())


_END = b"END:VCALENDAR\r\n"


def _ordered(events: tuple[FeedEvent, ...]) -> list[FeedEvent]:
    return sorted(events, key=lambda e: (e.start, e.end, e.uid))


def _calendar(spec: FeedSpec, events: list[FeedEvent], zoned: bool) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", spec.name)  # RFC 7986; older clients read X-WR-CALNAME
    calendar.add("x-wr-calname", spec.name)
    if spec.description:
        calendar.add("x-wr-caldesc", spec.description)
    refresh = timedelta(minutes=spec.refresh_minutes)
    calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    if zoned:
        zone = ZoneInfo(spec.timezone)
        years = [t.astimezone(zone).year for e in events for t in (e.start, e.end)]
        calendar.add_component(vtimezone(spec.timezone, min(years), max(years)))
    return calendar


def _event_component(event: FeedEvent, zone: ZoneInfo) -> tuple[Event, bool]:
    component = Event()
    component.add("uid", event.uid)
    component.add("dtstamp", event.stamp.astimezone(UTC))
    start, start_zoned = _wall_clock(event.start, zone)
    end, end_zoned = _wall_clock(event.end, zone)
    component.add("dtstart", start)
    component.add("dtend", end)
    component.add("sequence", event.sequence)
    component.add("summary", event.summary)
    if event.description:
        component.add("description", event.description)
    if event.location:
        component.add("location", event.location)
    if event.geo is not None:
        component.add("geo", vGeo(event.geo))
    component.add("class", "PRIVATE")
    component.add("status", event.status)
    component.add("transp", "OPAQUE")
    return component, start_zoned or end_zoned


def _event_text(event: FeedEvent, zone: ZoneInfo, tzid: str) -> tuple[str, bool]:
    """``_event_component(...).to_ical()`` as text, without building the component.

    Properties come in icalendar's canonical order for VEVENT (SUMMARY, DTSTART,
    DTEND, DTSTAMP, UID, SEQUENCE, then the rest alphabetically). Everything after
    SUMMARY is the same in every feed that shows the session (the worker's, a joint
    worker's, the team's), so it is rendered once and remembered.
    """
    rest, zoned = _event_rest(
        event.uid,
        start=event.start,
        end=event.end,
        stamp=event.stamp,
        sequence=event.sequence,
        description=event.description,
        location=event.location,
        geo=event.geo,
        zone=zone,
        tzid=tzid,
        status=event.status,
    )
    return "BEGIN:VEVENT\r\n" + _fold("SUMMARY:" + escape_char(event.summary)) + rest, zoned


@lru_cache(maxsize=1 << 16)
def _event_rest(
    uid: str,
    *,
    start: datetime,
    end: datetime,
    stamp: datetime,
    sequence: int,
    description: str | None,
    location: str | None,
    geo: tuple[float, float] | None,
    zone: ZoneInfo,
    tzid: str,
    status: str = "CONFIRMED",
) -> tuple[str, bool]:
    start_zoned, start_line = _time_line("DTSTART", start, zone, tzid)
    end_zoned, end_line = _time_line("DTEND", end, zone, tzid)
    lines = [
        start_line,
        end_line,
        "DTSTAMP:" + _format(stamp.astimezone(UTC)),
        "UID:" + escape_char(uid),
        f"SEQUENCE:{sequence}",
        "CLASS:PRIVATE",
    ]
    if description:
        lines.append("DESCRIPTION:" + escape_char(description))
    if geo is not None:
        lines.append(f"GEO:{float(geo[0])};{float(geo[1])}")
    if location:
        lines.append("LOCATION:" + escape_char(location))
    lines += [f"STATUS:{status}", "TRANSP:OPAQUE"]
    text = "\r\n" + "".join(_fold(line) + "\r\n" for line in lines)
    return text + "END:VEVENT\r\n", start_zoned or end_zoned


def _fold(line: str) -> str:
    # foldline leaves lines under 75 octets as they are; most lines are, so skip it.
    return line if len(line) < 19 or len(line.encode("utf-8")) < 75 else foldline(line)


def _time_line(name: str, moment: datetime, zone: ZoneInfo, tzid: str) -> tuple[bool, str]:
    local, zoned = _wall_clock(moment, zone)
    if zoned:
        return True, f"{name};TZID={tzid}:{_format(local)}"
    return False, f"{name}:{_format(local)}"


def _format(moment: datetime) -> str:
    text = "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031 - the fastest way, and this is hot
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )
    return text + "Z" if moment.tzinfo is UTC else text


def _wall_clock(moment: datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    """The local time to write, and whether it carries the zone (False: written in UTC).

    A wall-clock time that occurs twice is written in UTC, whichever occurrence it is:
    RFC 5545 means the first, but some parsers (those built on pytz) take the second.
    """
    local = moment.astimezone(zone)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return moment.astimezone(UTC), False
    return local, True
