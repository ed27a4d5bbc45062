"""SPEC "Import rules": several errors at once, errors that must not cascade, and an error
at the end of a large file, each with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.db import Database
from tests.factories import (
    import_errors,
    make_absence,
    make_child,
    make_plan,
    make_worker,
    where,
    write_files,
)

_W = "workers.csv"
_C = "children.csv"
_P = "plans.csv"
_A = "absences.csv"


def test_several_errors_in_several_files_are_all_reported(
    database: Database, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        workers=[make_worker(hours_per_week="0", max_caseload="many"), make_worker(ref="W002")],
        children=[make_child(key_worker="W404", risk="urgent")],
        plans=[make_plan(sessions="9"), make_plan(child="YP-0404")],
        absences=[make_absence(kind="rest"), make_absence(worker="W002", end_date="2026-12-01")],
    )
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [
        (_A, 2, "kind", "rest"),
        (_A, 3, "end_date", "2026-12-01"),
        (_C, 2, "key_worker", "W404"),
        (_C, 2, "risk", "urgent"),
        (_P, 2, "sessions", "9"),
        (_P, 3, "child", "YP-0404"),
        (_W, 2, "hours_per_week", "0"),
        (_W, 2, "max_caseload", "many"),
    ]


def test_refs_of_rows_with_errors_raise_no_follow_on_errors(
    database: Database, tmp_path: Path
) -> None:
    """regression: a worker row with a bad cell made every child naming it 'unknown'."""
    write_files(
        tmp_path,
        workers=[make_worker(hours_per_week="0")],
        children=[make_child(key_worker="W001", preferred_workers="W001")],
        plans=[make_plan()],
        absences=[make_absence()],
    )
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [(_W, 2, "hours_per_week", "0")]

    write_files(tmp_path / "2", workers=[make_worker()], children=[make_child(risk="x")],
                plans=[make_plan()])  # fmt: skip
    errors = import_errors(database, tmp_path / "2")
    assert [where(e) for e in errors] == [(_C, 2, "risk", "x")]


def test_a_bad_row_at_the_end_of_a_huge_file(database: Database, tmp_path: Path) -> None:
    header = "ref,team,initials\n"
    body = "".join(f"YP-{i:05d},North CSE,\n" for i in range(20_000))
    (tmp_path / "children.csv").write_text(
        header + body + "YP-99999,North CSE,ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
    )
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [(_C, 20_002, "initials", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")]


def test_a_duplicate_of_a_row_with_a_bad_cell_is_still_reported(
    database: Database, tmp_path: Path
) -> None:
    """regression: duplicates were looked for among clean rows only, so a bad cell in the
    first row hid the duplicate on the later one."""
    write_files(
        tmp_path,
        workers=[make_worker(hours_per_week="0"), make_worker(name="Second Asha")],
        children=[make_child(risk="x"), make_child(), make_child(ref="YP-0002"), make_child()],
        absences=[make_absence(kind="?"), make_absence(end_date="2026-12-08")],
    )
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [
        (_A, 2, "kind", "?"),
        (_A, 3, "start_date", "2026-12-07"),
        (_C, 2, "risk", "x"),
        (_C, 3, "ref", "YP-0001"),
        (_C, 5, "ref", "YP-0001"),
        (_W, 2, "hours_per_week", "0"),
        (_W, 3, "ref", "W001"),
    ]
    assert errors[1].message == "W001 already has an absence starting 2026-12-07 on line 2"
    assert errors[3].message == "duplicate ref: YP-0001 is already on line 2"


def test_a_file_that_cannot_be_read_is_an_input_error(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """regression: a PermissionError escaped as a crash (exit 1 with a traceback)."""
    write_files(tmp_path, workers=[make_worker()], absences=[make_absence()])
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "absences.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    errors = import_errors(database, tmp_path)
    assert [(where(e), e.message) for e in errors] == [
        ((_A, 1, "", ""), "cannot be read: Permission denied")
    ]
