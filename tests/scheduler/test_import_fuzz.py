"""Property: whatever is done to a valid file, the import either succeeds or fails with
``ImportFailed``/``ConfigError``, and a failed import writes nothing at all; what a
successful one stores holds no control character or line break outside a note, and
initials stay short and printable (issue #12 part 6)."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from scheduler.db import Database
from scheduler.errors import ConfigError, ImportFailed
from scheduler.models import Absence, Child, Worker
from tests.factories import (
    dump_tables,
    make_worker,
    run_import,
    small_team,
    without_audit,
    write_files,
)

_NAMES = ("workers.csv", "children.csv", "plans.csv", "absences.csv")
# Cells that stress the reader and the parsers: quoting, separators, odd characters.
_CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ['"', '""', ",", ";", "\n", "\r\n", "\x00", "\ufeff", "W001", "YP-0001", "2027-02-30",
         "2027-01-04", "0", "-1", "61", "480", "1e999", "nan", "Mon 09:00-17:00",
         "Mon 17:00-09:00", "x" * 400, "\u0663", "\udcff".encode("utf-8", "surrogatepass")
         .decode("utf-8", "replace"), "\x1b[31mX\x1b[0m", "A\u202eB", '"A\nB"', 'a"b',
         "9999-12-31", "\U0001f600" * 20, "A\tB", "x\u2028y"]
    ),
)  # fmt: skip


def _base_files() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = small_team(Path(tmp))
        return {name: (directory / name).read_bytes() for name in _NAMES}


BASE = _base_files()


@st.composite
def _mutated(draw: st.DrawFn) -> dict[str, bytes]:
    files = dict(BASE)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(_NAMES))
        data = files.get(name, BASE[name])
        lines = data.split(b"\n")
        kind = draw(
            st.sampled_from(
                ["bytes", "insert", "delete", "cell", "header", "line", "truncate", "drop"]
            )
        )
        if kind == "bytes" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at + 1 :]
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
        elif kind == "delete" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + data[at + draw(st.integers(1, 20)) :]
        elif kind in ("cell", "header"):
            row = 0 if kind == "header" else draw(st.integers(0, max(0, len(lines) - 2)))
            cells = lines[row].decode("utf-8", "replace").split(",")
            at = draw(st.integers(0, len(cells) - 1))
            cells[at] = draw(_CELL)
            lines[row] = ",".join(cells).encode("utf-8", "surrogatepass")
            data = b"\n".join(lines)
        elif kind == "line":
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[at])
            data = b"\n".join(lines)
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "drop":
            files.pop(name, None)
            continue
        files[name] = data
    if not files:
        files["workers.csv"] = b""
    return files


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=_mutated())
def test_a_mutated_file_imports_or_fails_cleanly(
    database: Database, files: dict[str, bytes]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for name, data in files.items():
            (directory / name).write_bytes(data)
        before = dump_tables(database)
        try:
            run_import(database, directory)
            _assert_stored_text_is_clean(database)
        except (ImportFailed, ConfigError) as exc:
            assert dump_tables(database) == before, "a failed import wrote something"
            if isinstance(exc, ImportFailed):
                assert exc.errors
                for error in exc.errors:
                    assert error.file in _NAMES
                    assert error.line >= 1
                    assert error.message


def _clean(text: str | None, *, note: bool = False) -> bool:
    for char in text or "":
        if note and char in "\r\n":
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp", "Cs") or (
            category == "Cf" and char not in "\u200c\u200d"
        ):
            return False
    return True


def _assert_stored_text_is_clean(database: Database) -> None:
    with database.reading() as session:
        for worker in session.scalars(select(Worker)):
            texts = [worker.name, worker.team, worker.email, worker.gender]
            texts += [*worker.skills, *worker.languages]
            assert all(_clean(t) for t in texts), worker.ref
        for child in session.scalars(select(Child)):
            texts = [child.initials, child.team, child.language, child.preferred_gender]
            assert all(_clean(t) for t in [*texts, *child.required_skills]), child.ref
            initials = child.initials or ""
            assert len(initials) <= 10 and initials.isprintable(), child.ref
            since = child.case_key_worker_since
            assert since is None or since.year < 9999
        for absence in session.scalars(select(Absence)):
            assert _clean(absence.note, note=True)


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), max_size=30
).filter(lambda t: t.strip() != "")
_TAG = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,9}", fullmatch=True)
_WINDOW = st.tuples(
    st.sampled_from(["Mon", "tue", "WED", "Thu", "Fri", "Sat", "Sun"]),
    st.integers(0, 22 * 4),
    st.integers(1, 8),
).filter(lambda w: w[1] + w[2] <= 95  # ends by 23:45: a window ends at 23:59 at the latest
).map(lambda w: f"{w[0]} {w[1] // 4:02d}:{w[1] % 4 * 15:02d}-"
                f"{(w[1] + w[2]) // 4:02d}:{(w[1] + w[2]) % 4 * 15:02d}")  # fmt: skip


@st.composite
def _valid_workers(draw: st.DrawFn) -> list[dict[str, str]]:
    refs = draw(st.lists(st.from_regex(r"W[0-9]{1,4}", fullmatch=True), min_size=1,
                         max_size=5, unique=True))  # fmt: skip
    rows = []
    for ref in refs:
        rows.append(
            make_worker(
                ref=ref,
                name=draw(_TEXT),
                team=draw(_TEXT).strip()[:100] or "T",
                hours_per_week=str(draw(st.decimals("0.25", "60", places=2))),
                max_caseload=draw(st.integers(0, 1000)),
                skills=";".join(draw(st.lists(_TAG, max_size=3))),
                languages=";".join(draw(st.lists(_TAG, max_size=3))),
                gender=draw(st.sampled_from(["", "Female", "male", "non-binary"])),
                availability=";".join(draw(st.lists(_WINDOW, max_size=4))),
                lat=draw(st.floats(-90, 90, allow_nan=False).map(lambda x: f"{x:.6f}")),
                lon=draw(st.floats(-180, 180, allow_nan=False).map(lambda x: f"{x:.6f}")),
                email="",
            )
        )
    return rows


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(workers=_valid_workers())
def test_valid_files_import_and_a_reimport_changes_nothing(
    database: Database, workers: list[dict[str, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_files(Path(tmp), workers=workers)
        run_import(database, directory)
        before = without_audit(dump_tables(database))
        report = run_import(database, directory)
    assert report.files["workers.csv"].unchanged == len(workers)
    assert without_audit(dump_tables(database)) == before
