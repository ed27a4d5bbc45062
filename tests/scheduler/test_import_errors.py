"""SPEC "Import rules": every error names file, physical line, column and value; all at
once; and a failed import writes nothing at all.

Each case first imports the valid small team, then a bad file, and checks the exact
(file, line, column, value) of every error and that a dump of every table is unchanged.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scheduler.db import Database
from scheduler.models import Base
from tests.factories import (
    csv_text,
    import_errors,
    make_absence,
    make_child,
    make_plan,
    make_worker,
    run_import,
    small_team,
    where,
    write_csv,
    write_files,
)

Where = tuple[str, int, str, str]
Case = tuple[Callable[[Path], object], list[Where]]


def _workers(*rows: dict[str, str]) -> Callable[[Path], object]:
    return lambda d: write_files(d, workers=list(rows))


def _children(*rows: dict[str, str]) -> Callable[[Path], object]:
    return lambda d: write_files(d, children=list(rows))


def _plans(*rows: dict[str, str]) -> Callable[[Path], object]:
    return lambda d: write_files(d, plans=list(rows))


def _absences(*rows: dict[str, str]) -> Callable[[Path], object]:
    return lambda d: write_files(d, absences=list(rows))


def _raw(name: str, data: bytes) -> Callable[[Path], object]:
    return lambda d: (d / name).write_bytes(data)


def _without(column: str) -> Callable[[Path], object]:
    worker = make_worker()
    return lambda d: write_csv(d / "workers.csv", [worker], [c for c in worker if c != column])


_W = "workers.csv"
_C = "children.csv"
_P = "plans.csv"
_A = "absences.csv"
_HEADER = csv_text([make_worker()]).splitlines()[0].encode()

CASES: dict[str, Case] = {
    # --- the header -------------------------------------------------------------------------
    "unknown column": (
        lambda d: write_csv(d / _W, [make_worker() | {"nickname": "Ash"}]),
        [(_W, 1, "nickname", "nickname")],
    ),
    "column without a name": (
        lambda d: (d / _W).write_text("ref,name,team,hours_per_week,max_caseload,\n"),
        [(_W, 1, "", "")],
    ),
    "column twice": (
        lambda d: (d / _W).write_text("ref,name,team,hours_per_week,max_caseload,name\n"),
        [(_W, 1, "name", "name")],
    ),
    "missing required column": (_without("hours_per_week"), [(_W, 1, "hours_per_week", "")]),
    "missing required column of plans": (
        lambda d: write_csv(d / _P, [make_plan()], ["child", "start_date", "sessions"]),
        [(_P, 1, "session_minutes", "")],
    ),
    "header not valid CSV": (_raw(_W, b'"ref,name\n'), [(_W, 1, "", "")]),
    "empty file": (_raw(_W, b""), [(_W, 1, "", "")]),
    "empty file with a BOM": (_raw(_A, b"\xef\xbb\xbf"), [(_A, 1, "", "")]),
    # --- cells -------------------------------------------------------------------------------
    "required cell empty": (_workers(make_worker(name="")), [(_W, 2, "name", "")]),
    "bad ref": (_workers(make_worker(ref="W 001")), [(_W, 2, "ref", "W 001")]),
    "bad date": (
        _workers(make_worker(start_date="06/01/2020")),
        [(_W, 2, "start_date", "06/01/2020")],
    ),
    "impossible date": (
        _absences(make_absence(start_date="2027-02-01", end_date="2027-02-30")),
        [(_A, 2, "end_date", "2027-02-30")],
    ),
    "bad number": (
        _workers(make_worker(hours_per_week="thirty")),
        [(_W, 2, "hours_per_week", "thirty")],
    ),
    "caseload not whole": (
        _workers(make_worker(max_caseload="2.5")),
        [(_W, 2, "max_caseload", "2.5")],
    ),
    "caseload negative": (
        _workers(make_worker(max_caseload="-1")),
        [(_W, 2, "max_caseload", "-1")],
    ),
    "hours zero": (_workers(make_worker(hours_per_week="0")), [(_W, 2, "hours_per_week", "0")]),
    "hours 61": (_workers(make_worker(hours_per_week="61")), [(_W, 2, "hours_per_week", "61")]),
    "hours nan": (_workers(make_worker(hours_per_week="nan")), [(_W, 2, "hours_per_week", "nan")]),
    "bad email": (_workers(make_worker(email="asha at home")), [(_W, 2, "email", "asha at home")]),
    "lat out of range": (_workers(make_worker(lat="91")), [(_W, 2, "lat", "91")]),
    "lat not a number": (_workers(make_worker(lat="north")), [(_W, 2, "lat", "north")]),
    "lon out of range": (_children(make_child(lon="-180.5")), [(_C, 2, "lon", "-180.5")]),
    "lat without lon": (_workers(make_worker(lon="")), [(_W, 2, "lon", "")]),
    "lon without lat": (_children(make_child(lat="")), [(_C, 2, "lat", "")]),
    "worker end before start": (
        _workers(make_worker(start_date="2026-01-05", end_date="2026-01-04")),
        [(_W, 2, "end_date", "2026-01-04")],
    ),
    "session_minutes not a multiple of 15": (
        _plans(make_plan(session_minutes="50")),
        [(_P, 2, "session_minutes", "50")],
    ),
    "session_minutes over 480": (
        _plans(make_plan(session_minutes="495")),
        [(_P, 2, "session_minutes", "495")],
    ),
    "session_minutes zero": (
        _plans(make_plan(session_minutes="0")),
        [(_P, 2, "session_minutes", "0")],
    ),
    "sessions 0": (_plans(make_plan(sessions="0")), [(_P, 2, "sessions", "0")]),
    "sessions 8": (_plans(make_plan(sessions="8")), [(_P, 2, "sessions", "8")]),
    "every_weeks 9": (_plans(make_plan(every_weeks="9")), [(_P, 2, "every_weeks", "9")]),
    "every_weeks 0": (_plans(make_plan(every_weeks="0")), [(_P, 2, "every_weeks", "0")]),
    "max_gap_days 0": (_plans(make_plan(max_gap_days="0")), [(_P, 2, "max_gap_days", "0")]),
    "plan start empty": (_plans(make_plan(start_date="")), [(_P, 2, "start_date", "")]),
    "plan end before start": (
        _plans(make_plan(start_date="2027-01-04", end_date="2027-01-03")),
        [(_P, 2, "end_date", "2027-01-03")],
    ),
    "absence end before start": (
        _absences(make_absence(start_date="2027-01-04", end_date="2027-01-01")),
        [(_A, 2, "end_date", "2027-01-01")],
    ),
    "absence end missing": (_absences(make_absence(end_date="")), [(_A, 2, "end_date", "")]),
    "bad absence kind": (_absences(make_absence(kind="holiday")), [(_A, 2, "kind", "holiday")]),
    "bad risk": (_children(make_child(risk="urgent")), [(_C, 2, "risk", "urgent")]),
    "bad availability entry": (
        _workers(make_worker(availability="Mon 09:00-17:00;Monday 9-5")),
        [(_W, 2, "availability", "Mon 09:00-17:00;Monday 9-5")],
    ),
    "availability day unknown": (
        _children(make_child(availability="Xyz 09:00-10:00")),
        [(_C, 2, "availability", "Xyz 09:00-10:00")],
    ),
    "availability hour 24": (
        _workers(make_worker(availability="Mon 09:00-24:00")),
        [(_W, 2, "availability", "Mon 09:00-24:00")],
    ),
    "window start after end": (
        _workers(make_worker(availability="Tue 17:00-09:00")),
        [(_W, 2, "availability", "Tue 17:00-09:00")],
    ),
    "window start equals end": (
        _children(make_child(availability="Tue 09:00-09:00")),
        [(_C, 2, "availability", "Tue 09:00-09:00")],
    ),
    "availability only separators": (
        _workers(make_worker(availability=";;")),
        [(_W, 2, "availability", ";;")],
    ),
    "bad ref in a list": (
        _children(make_child(preferred_workers="W001;W 2")),
        [(_C, 2, "preferred_workers", "W001;W 2")],
    ),
    "preferred and excluded at once": (
        _children(make_child(preferred_workers="W002", excluded_workers="W002;W003")),
        [(_C, 2, "preferred_workers", "W002")],
    ),
    "initials too long": (
        _children(make_child(initials="A" * 21)),
        [(_C, 2, "initials", "A" * 21)],
    ),
    # --- references and duplicates --------------------------------------------------------
    "duplicate worker ref": (
        _workers(make_worker(ref="W009"), make_worker(ref="W008"), make_worker(ref="W009")),
        [(_W, 4, "ref", "W009")],
    ),
    "duplicate child ref": (
        _children(make_child(), make_child()),
        [(_C, 3, "ref", "YP-0001")],
    ),
    "duplicate plan": (
        _plans(make_plan(start_date="2027-01-04"), make_plan(start_date="2027-01-04")),
        [(_P, 3, "start_date", "2027-01-04")],
    ),
    "duplicate absence": (
        _absences(make_absence(), make_absence(end_date="2026-12-08")),
        [(_A, 3, "start_date", "2026-12-07")],
    ),
    "unknown child in plans": (
        _plans(make_plan(), make_plan(child="YP-9999")),
        [(_P, 3, "child", "YP-9999")],
    ),
    "unknown worker in absences": (
        _absences(make_absence(worker="W404")),
        [(_A, 2, "worker", "W404")],
    ),
    "unknown key_worker": (
        _children(make_child(key_worker="W404")),
        [(_C, 2, "key_worker", "W404")],
    ),
    "unknown preferred worker": (
        _children(make_child(preferred_workers="W002;W404")),
        [(_C, 2, "preferred_workers", "W404")],
    ),
    "unknown excluded worker": (
        _children(make_child(excluded_workers="W405")),
        [(_C, 2, "excluded_workers", "W405")],
    ),
    # --- overlapping plans -----------------------------------------------------------------
    "plans overlap within the file": (
        _plans(
            make_plan(start_date="2027-01-04", end_date="2027-02-28"),
            make_plan(start_date="2027-02-01", end_date="2027-03-31"),
        ),
        [(_P, 3, "start_date", "2027-02-01")],
    ),
    "plan overlaps a stored closed plan": (
        _plans(make_plan(child="YP-0003", start_date="2027-01-04")),
        [(_P, 2, "start_date", "2027-01-04")],
    ),
    "plan before a stored open plan overlaps it": (
        _plans(make_plan(start_date="2026-08-03", end_date="2026-09-30")),
        [(_P, 2, "start_date", "2026-08-03")],
    ),
    "open plan before a stored open plan": (
        _plans(make_plan(child="YP-0002", start_date="2026-08-03")),
        [(_P, 2, "start_date", "2026-08-03")],
    ),
    # --- the bytes and the CSV structure ------------------------------------------------
    "non-UTF-8 bytes": (
        _raw(_W, _HEADER + b"\nW001,Asha \xff Patel,,North CSE,30,8,,,,,,,,\n"),
        [(_W, 2, "name", "Asha \\xff Patel")],
    ),
    "non-UTF-8 bytes in a later line's quoted cell": (
        _raw(
            _A,
            b"worker,start_date,end_date,kind,note\n"
            b'W001,2026-12-07,2026-12-11,leave,"one,\ntwo \xe9t\xe9"\n',
        ),
        [(_A, 3, "note", "two \\xe9t\\xe9")],
    ),
    "wrong cell count": (
        _raw(_A, b"worker,start_date,end_date\nW001,2026-12-07,2026-12-11,extra\n"),
        [(_A, 2, "", "W001,2026-12-07,2026-12-11,extra")],
    ),
    "too few cells": (
        _raw(_A, b"worker,start_date,end_date\nW001,2026-12-07\n"),
        [(_A, 2, "", "W001,2026-12-07")],
    ),
    "unterminated quote": (
        _raw(_A, b'worker,start_date,end_date,note\nW001,2026-12-07,2026-12-11,"open\n'),
        [(_A, 2, "", "")],
    ),
    "bad quoting on two lines": (
        _raw(
            _A,
            b"worker,start_date,end_date,note\n"
            b'W001,2026-12-07,2026-12-11,"a"b\n'
            b"W001,2027-01-04,2027-01-01,\n"
            b'W001,2027-02-01,2027-02-02,"c"d\n',
        ),
        [(_A, 2, "", ""), (_A, 3, "end_date", "2027-01-01"), (_A, 4, "", "")],
    ),
    "UTF-16 file": (
        _raw(_W, "ref,name\nW001,Asha\n".encode("utf-16")),
        [(_W, 1, "", "")],
    ),
    "NUL character": (
        _raw(_A, b"worker,start_date,end_date,note\nW001,2026-12-07,2026-12-11,a\x00b\n"),
        [(_A, 2, "note", "a\x00b")],
    ),
    "email longer than the database allows": (
        _workers(make_worker(email="a" * 400 + "@example.org")),
        [(_W, 2, "email", "a" * 400 + "@example.org")],
    ),
    "enormous whole number": (
        _workers(make_worker(max_caseload="9" * 5000)),
        [(_W, 2, "max_caseload", "9" * 5000)],
    ),
    "non-ASCII digits": (
        _plans(make_plan(sessions="\u0663")),  # ARABIC-INDIC DIGIT THREE
        [(_P, 2, "sessions", "\u0663")],
    ),
}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def stored_team(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[Database]:
    """One database per backend holding the small team, shared by every case below.

    Sharing is sound because each case checks that its failed import wrote nothing, so
    every case starts from the same stored team (and it saves a clean database per case).
    """
    tmp = tmp_path_factory.mktemp("stored_team")
    if request.param == "sqlite":
        shutil.copyfile(sqlite_template, tmp / "keyworker.db")
        url = f"sqlite:///{tmp / 'keyworker.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        engine = create_engine(url)
        with engine.begin() as connection:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
    database = Database(url)
    run_import(database, small_team(tmp / "team"))
    yield database
    database.dispose()


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_reported_exactly_and_nothing_is_written(
    stored_team: Database, tmp_path: Path, case: str
) -> None:
    build, expected = CASES[case]
    database = stored_team
    bad = tmp_path / "bad"
    bad.mkdir()
    build(bad)

    errors = import_errors(database, bad)

    assert [where(e) for e in errors] == expected, [str(e) for e in errors]
    for error in errors:
        assert error.message
