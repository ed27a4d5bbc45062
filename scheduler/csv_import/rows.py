"""Typed rows of the input files, parsed from raw cells with every error kept."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from scheduler.csv_import import fields
from scheduler.csv_import.fields import AvailabilityEntry, BadValue
from scheduler.csv_import.reader import RawRow
from scheduler.errors import InputError

T = TypeVar("T")

# The columns that may hold line breaks; every other cell is single-line.
NOTE_COLUMNS = frozenset({"note"})

WORKER_COLUMNS = (
    "ref",
    "name",
    "email",
    "team",
    "hours_per_week",
    "max_caseload",
    "skills",
    "languages",
    "gender",
    "availability",
    "lat",
    "lon",
    "start_date",
    "end_date",
)
WORKER_REQUIRED = ("ref", "name", "team", "hours_per_week", "max_caseload")
CHILD_COLUMNS = (
    "ref",
    "initials",
    "team",
    "required_skills",
    "language",
    "preferred_gender",
    "preferred_workers",
    "excluded_workers",
    "availability",
    "lat",
    "lon",
    "risk",
    "key_worker",
    "key_worker_since",
)
CHILD_REQUIRED = ("ref", "team")
PLAN_COLUMNS = (
    "child",
    "start_date",
    "end_date",
    "sessions",
    "every_weeks",
    "session_minutes",
    "max_gap_days",
)
PLAN_REQUIRED = ("child", "start_date", "sessions", "session_minutes")
ABSENCE_COLUMNS = ("worker", "start_date", "end_date", "kind", "note")
ABSENCE_REQUIRED = ("worker", "start_date", "end_date")
CLOSURE_COLUMNS = ("team", "start_date", "end_date", "note")
CLOSURE_REQUIRED = ("start_date", "end_date")


@dataclass(frozen=True, slots=True)
class WorkerRow:
    line: int
    ref: str
    name: str
    email: str | None
    team: str
    hours_per_week: float
    max_caseload: int
    skills: list[str]
    languages: list[str]
    gender: str | None
    windows: tuple[AvailabilityEntry, ...]
    lat: float | None
    lon: float | None
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True, slots=True)
class ChildRow:
    line: int
    ref: str
    initials: str | None
    team: str
    required_skills: list[str]
    language: str | None
    preferred_gender: str | None
    preferred_workers: list[str]
    excluded_workers: list[str]
    windows: tuple[AvailabilityEntry, ...]
    lat: float | None
    lon: float | None
    risk: str
    key_worker: str | None
    key_worker_since: date | None


@dataclass(frozen=True, slots=True)
class PlanRow:
    line: int
    child: str
    start_date: date
    end_date: date | None
    sessions: int
    every_weeks: int
    session_minutes: int
    max_gap_days: int


@dataclass(frozen=True, slots=True)
class AbsenceRow:
    line: int
    worker: str
    start_date: date
    end_date: date
    kind: str
    note: str | None


@dataclass(frozen=True, slots=True)
class ClosureRow:
    line: int
    team: str | None  # None: every team
    start_date: date
    end_date: date
    note: str | None


class _Cells:
    """Reads one raw row's cells, remembering each problem instead of stopping."""

    def __init__(self, file: str, raw: RawRow, errors: list[InputError]) -> None:
        self.file = file
        self.raw = raw
        self.values = raw.values
        self.errors = errors
        self.ok = True

    def error(self, column: str, message: str) -> None:
        self.ok = False
        value = self.raw.values.get(column, "")
        self.errors.append(InputError(self.file, self.raw.line, column, value, message))

    def get(self, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        text = self.values.get(column, "")
        if not text:
            if required:
                self.error(column, "is required but empty")
            return None
        try:
            # Every text field but a note is one line without control characters (SPEC
            # "Import rules"): they forge rows in terminal tables and reach calendars.
            if column in NOTE_COLUMNS:
                fields.note_text(text)
            else:
                fields.single_line(text)
            return parse(text)
        except BadValue as exc:
            self.error(column, f"{column} {exc}")
            return None

    def need(self, column: str, parse: Callable[[str], T]) -> Any:
        return self.get(column, parse, required=True)


@functools.cache
def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise BadValue(f"is longer than {limit} characters")
        return text

    return parse


def _coordinates(cells: _Cells) -> tuple[float | None, float | None]:
    lat = cells.get("lat", lambda t: fields.coordinate(t, 90))
    lon = cells.get("lon", lambda t: fields.coordinate(t, 180))
    if (lat is None) != (lon is None) and cells.ok:
        missing = "lon" if lon is None else "lat"
        cells.error(missing, "lat and lon must be given together")
    return lat, lon


def _date_range(cells: _Cells, required: bool) -> tuple[date | None, date | None]:
    start = cells.get("start_date", fields.iso_date, required=required)
    end = cells.get("end_date", fields.iso_date, required=required)
    if start and end and end < start:
        cells.error("end_date", f"end_date {end} is before start_date {start}")
    return start, end


def parse_worker(file: str, raw: RawRow, errors: list[InputError]) -> WorkerRow | None:
    c = _Cells(file, raw, errors)
    ref = c.need("ref", fields.ref)
    name = c.need("name", _text(200))
    email = c.get("email", fields.email)
    team = c.need("team", _text(100))
    hours = c.need("hours_per_week", fields.hours)
    caseload = c.need("max_caseload", lambda t: fields.integer(t, 0, 1000))
    skills = c.get("skills", fields.tags) or []
    languages = c.get("languages", fields.tags) or []
    gender = c.get("gender", _text(50))
    windows = c.get("availability", fields.availability)
    lat, lon = _coordinates(c)
    start, end = _date_range(c, required=False)
    if not c.ok:
        return None
    return WorkerRow(
        raw.line,
        ref,
        name,
        email,
        team,
        hours,
        caseload,
        skills,
        languages,
        gender.lower() if gender else None,
        tuple(windows) if windows else fields.DEFAULT_WORKER_WINDOWS,
        lat,
        lon,
        start,
        end,
    )


def parse_child(file: str, raw: RawRow, errors: list[InputError]) -> ChildRow | None:
    c = _Cells(file, raw, errors)
    ref = c.need("ref", fields.ref)
    initials = c.get("initials", fields.initials)
    team = c.need("team", _text(100))
    skills = c.get("required_skills", fields.tags) or []
    language = c.get("language", _text(50))
    gender = c.get("preferred_gender", _text(50))
    preferred = c.get("preferred_workers", fields.refs) or []
    excluded = c.get("excluded_workers", fields.refs) or []
    windows = c.get("availability", fields.availability)
    lat, lon = _coordinates(c)
    risk = c.get("risk", lambda t: fields.choice(t, fields.RISKS)) or "medium"
    key_worker = c.get("key_worker", fields.ref)
    since = c.get("key_worker_since", fields.iso_date)
    # key_worker may be in excluded_workers: the child asks to change (SPEC children.csv),
    # and the next plan gives them another key worker. Preferred and excluded at once is
    # a contradiction no plan can honour, so that one stays an error.
    clash = sorted(set(preferred) & set(excluded))
    if clash:
        c.error("preferred_workers", f"{', '.join(clash)} also listed in excluded_workers")
    if not c.ok:
        return None
    return ChildRow(
        raw.line,
        ref,
        initials,
        team,
        skills,
        language.lower() if language else None,
        gender.lower() if gender else None,
        preferred,
        excluded,
        tuple(windows or ()),
        lat,
        lon,
        risk,
        key_worker,
        since,
    )


def parse_plan(file: str, raw: RawRow, errors: list[InputError]) -> PlanRow | None:
    c = _Cells(file, raw, errors)
    child = c.need("child", fields.ref)
    start, end = _date_range(c, required=False)
    if not raw.values.get("start_date"):
        c.error("start_date", "is required but empty")
    sessions = c.need("sessions", lambda t: fields.integer(t, 1, 7))
    every = c.get("every_weeks", lambda t: fields.integer(t, 1, 8)) or 1
    minutes = c.need("session_minutes", _session_minutes)
    gap = c.get("max_gap_days", lambda t: fields.integer(t, 1, 366)) or 14
    if not c.ok or start is None:
        return None
    return PlanRow(raw.line, child, start, end, sessions, every, minutes, gap)


def _session_minutes(text: str) -> int:
    value = fields.integer(text, 15, 480)
    if value % 15:
        raise BadValue("must be a multiple of 15 minutes from 15 to 480")
    return value


def parse_absence(file: str, raw: RawRow, errors: list[InputError]) -> AbsenceRow | None:
    c = _Cells(file, raw, errors)
    worker = c.need("worker", fields.ref)
    start, end = _date_range(c, required=True)
    kind = c.get("kind", lambda t: fields.choice(t, fields.ABSENCE_KINDS)) or "leave"
    note = c.get("note", _text(2000))
    if not c.ok or start is None or end is None:
        return None
    return AbsenceRow(raw.line, worker, start, end, kind, note)


def parse_closure(file: str, raw: RawRow, errors: list[InputError]) -> ClosureRow | None:
    c = _Cells(file, raw, errors)
    team = c.get("team", _text(100))
    start, end = _date_range(c, required=True)
    note = c.get("note", _text(2000))
    if not c.ok or start is None or end is None:
        return None
    return ClosureRow(raw.line, team, start, end, note)
