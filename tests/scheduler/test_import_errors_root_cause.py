"""Issue 13: import errors, root cause first.

A file saved with semicolons or tabs is one error, not one a line; an unknown column
names the known one it looks like; an error that only follows from an earlier one (a
child naming a worker whose row failed) is counted in one line under its cause, while
every root error is still listed with file, line, column and value, and nothing is
written.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from typer.testing import CliRunner

from cli.main import app
from scheduler.db import Database
from tests.factories import (
    csv_text,
    import_errors,
    import_failure,
    make_absence,
    make_child,
    make_plan,
    make_worker,
    run_import,
    where,
    write_csv,
    write_files,
)

_W = "workers.csv"
_C = "children.csv"
_P = "plans.csv"
_A = "absences.csv"
_SAVE = "save it as CSV with commas (in Excel: CSV UTF-8 (Comma delimited))"


def _children_of(worker: str, count: int) -> list[dict[str, str]]:
    return [make_child(ref=f"YP-{i:04d}", key_worker=worker) for i in range(1, count + 1)]


# --- separators ------------------------------------------------------------------------------


def test_a_semicolon_separated_file_is_one_error_on_line_one(
    database: Database, tmp_path: Path
) -> None:
    text = csv_text([make_worker(ref=f"W{i:03d}") for i in range(1, 41)]).replace(",", ";")
    (tmp_path / _W).write_text(text)
    errors = import_errors(database, tmp_path)
    assert [(e.file, e.line, e.column) for e in errors] == [(_W, 1, "")]
    assert errors[0].message == f"this file looks semicolon-separated; {_SAVE}"
    assert errors[0].value.startswith("ref;name;email;team")


def test_a_tab_separated_file_is_one_error_on_line_one(database: Database, tmp_path: Path) -> None:
    text = csv_text([make_child(), make_child(ref="YP-0002")]).replace(",", "\t")
    (tmp_path / _C).write_text(text)
    errors = import_errors(database, tmp_path)
    assert [(e.file, e.line, e.message) for e in errors] == [
        (_C, 1, f"this file looks tab-separated; {_SAVE}")
    ]


def test_a_semicolon_file_that_is_not_utf8_either_is_still_one_error(
    database: Database, tmp_path: Path
) -> None:
    """A spreadsheet's "CSV" in a European locale: semicolons, and Windows-1252 bytes."""
    text = csv_text([make_worker(name="Zoë Brontë"), make_worker(ref="W002", name="Renée")])
    (tmp_path / _W).write_bytes(text.replace(",", ";").encode("cp1252"))
    errors = import_errors(database, tmp_path)
    assert [(e.file, e.line) for e in errors] == [(_W, 1)]
    assert "semicolon-separated" in errors[0].message
    assert "2 of its cells are not UTF-8 either, which that fixes too" in errors[0].message


def test_rows_separated_otherwise_than_the_header_are_one_error(
    database: Database, tmp_path: Path
) -> None:
    """A comma header typed over rows pasted from a semicolon export: every row has one
    cell where the header has fourteen."""
    worker_rows = [make_worker(ref=f"W{i:03d}") for i in range(1, 31)]
    header, *lines = csv_text(worker_rows).splitlines()
    body = "\r\n".join(line.replace(",", ";") for line in lines)
    (tmp_path / _W).write_text(f"{header}\r\n{body}\r\n")
    errors = import_errors(database, tmp_path)
    assert [(e.file, e.line, e.column) for e in errors] == [(_W, 2, "")]
    assert errors[0].message == (
        f"the rows of this file look semicolon-separated but its header is not; {_SAVE}"
    )


def test_one_row_of_the_wrong_shape_is_still_reported_on_its_line(
    database: Database, tmp_path: Path
) -> None:
    """Only a mix-up that explains every row is one error for the file."""
    header, first, second = csv_text([make_worker(), make_worker(ref="W002")]).splitlines()
    (tmp_path / _W).write_text(f"{header}\n{first}\n{second.replace(',', ';')}\n")
    errors = import_errors(database, tmp_path)
    assert [(e.file, e.line) for e in errors] == [(_W, 3)]
    assert errors[0].message == "has 1 cell but the header has 14 columns"


def test_refs_of_a_semicolon_file_are_not_unknown_elsewhere(
    database: Database, tmp_path: Path
) -> None:
    write_csv(
        tmp_path / _C, [*_children_of("W001", 12), make_child(ref="YP-0099", key_worker="W404")]
    )
    (tmp_path / _W).write_text(csv_text([make_worker()]).replace(",", ";"))
    failure = import_failure(database, tmp_path)
    # W404 is in no file: that stays an error of its own; W001 is in the unreadable file
    assert [where(e) for e in failure.errors] == [
        (_C, 14, "key_worker", "W404"),
        (_W, 1, "", csv_text([make_worker()]).splitlines()[0].replace(",", ";")),
    ]
    assert failure.summary_lines() == [
        "and 12 more errors in children.csv caused by workers.csv above, whose rows could not "
        "be read",
        "14 error(s); nothing was imported.",
    ]


# --- columns ---------------------------------------------------------------------------------


def _workers_with_header(directory: Path, rename: dict[str, str]) -> Path:
    worker = make_worker()
    columns = [rename.get(c, c) for c in worker]
    row = {rename.get(c, c): v for c, v in worker.items()}
    return write_csv(directory / _W, [row], columns)


def test_a_misspelt_required_column_is_one_error_that_names_both(
    database: Database, tmp_path: Path
) -> None:
    _workers_with_header(tmp_path, {"hours_per_week": "hours_per_wk"})
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [(_W, 1, "hours_per_week", "hours_per_wk")]
    assert str(errors[0]) == (
        "workers.csv:1: column 'hours_per_week': required column is missing; 'hours_per_wk' "
        "looks like it (rename it hours_per_week) (value: 'hours_per_wk')"
    )


def test_a_column_written_with_spaces_and_capitals_is_recognised(
    database: Database, tmp_path: Path
) -> None:
    _workers_with_header(
        tmp_path, {"hours_per_week": "Hours per week", "max_caseload": "max-caseload"}
    )
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [
        (_W, 1, "hours_per_week", "Hours per week"),
        (_W, 1, "max_caseload", "max-caseload"),
    ]
    assert "'Hours per week' looks like it" in errors[0].message


def test_an_unknown_optional_column_says_did_you_mean(database: Database, tmp_path: Path) -> None:
    _workers_with_header(tmp_path, {"email": "emial", "languages": "Langauges"})
    errors = import_errors(database, tmp_path)
    assert [(where(e), e.message) for e in errors] == [
        ((_W, 1, "Langauges", "Langauges"), "unknown column; did you mean 'languages'?"),
        ((_W, 1, "emial", "emial"), "unknown column; did you mean 'email'?"),
    ]


def test_a_column_like_nothing_known_lists_the_known_columns(
    database: Database, tmp_path: Path
) -> None:
    write_csv(tmp_path / _W, [make_worker() | {"favourite_colour": "teal"}])
    errors = import_errors(database, tmp_path)
    assert [where(e) for e in errors] == [(_W, 1, "favourite_colour", "favourite_colour")]
    assert errors[0].message.startswith("unknown column; expected some of: ref, name, email")


def test_a_misspelt_ref_column_still_tells_which_workers_the_file_holds(
    database: Database, tmp_path: Path
) -> None:
    _workers_with_header(tmp_path, {"ref": "Ref"})
    write_files(
        tmp_path, children=[*_children_of("W001", 5), make_child(ref="YP-0404", key_worker="W404")]
    )
    failure = import_failure(database, tmp_path)
    assert [where(e) for e in failure.errors] == [
        (_C, 7, "key_worker", "W404"),
        (_W, 1, "ref", "Ref"),
    ]
    assert failure.summary_lines() == [
        "and 5 more errors in children.csv caused by workers.csv above, whose rows could not "
        "be read",
        "7 error(s); nothing was imported.",
    ]


def test_a_header_that_hides_the_refs_makes_every_unknown_worker_follow_from_it(
    database: Database, tmp_path: Path
) -> None:
    _workers_with_header(tmp_path, {"ref": "staff number"})
    write_files(tmp_path, children=_children_of("W001", 3), absences=[make_absence(worker="W777")])
    failure = import_failure(database, tmp_path)
    assert [where(e) for e in failure.errors] == [
        (_W, 1, "ref", ""),
        (_W, 1, "staff number", "staff number"),
    ]
    assert failure.summary_lines() == [
        "and 1 more error in absences.csv caused by workers.csv above, whose rows could not "
        "be read",
        "and 3 more errors in children.csv caused by workers.csv above, whose rows could not "
        "be read",
        "6 error(s); nothing was imported.",
    ]


# --- errors that follow from a failed row ------------------------------------------------------


def test_a_failed_worker_row_named_by_90_children_is_one_error_and_one_count(
    database: Database, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        workers=[make_worker(hours_per_week="0"), make_worker(ref="W002")],
        children=_children_of("W001", 90),
    )
    failure = import_failure(database, tmp_path)
    assert [where(e) for e in failure.errors] == [(_W, 2, "hours_per_week", "0")]
    assert len(failure.consequences) == 90
    assert {e.caused_by for e in failure.consequences} == {failure.consequences[0].caused_by}
    assert str(failure.consequences[0].caused_by) == "workers.csv:2"
    assert failure.summary_lines() == [
        "and 90 more errors in children.csv caused by the worker above whose row failed",
        "91 error(s); nothing was imported.",
    ]


def test_plans_of_children_whose_rows_failed_are_counted_per_cause(
    database: Database, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        workers=[make_worker()],
        children=[make_child(risk="urgent"), make_child(ref="YP-0002", lat="north")],
        plans=[make_plan(child=c, start_date=f"2026-{m:02d}-01", end_date=f"2026-{m:02d}-20")
               for c in ("YP-0001", "YP-0002") for m in range(1, 11)]
        + [make_plan(child="YP-0404")],
    )  # fmt: skip
    failure = import_failure(database, tmp_path)
    assert [where(e) for e in failure.errors] == [
        (_C, 2, "risk", "urgent"),
        (_C, 3, "lat", "north"),
        (_P, 22, "child", "YP-0404"),
    ]
    assert failure.summary_lines() == [
        "and 20 more errors in plans.csv caused by the 2 children above whose rows failed",
        "23 error(s); nothing was imported.",
    ]


def test_every_mention_of_a_failed_worker_is_counted_under_it(
    database: Database, tmp_path: Path
) -> None:
    (tmp_path / "sessions.csv").write_text(
        "child,start,outcome,worker\nYP-0009,2026-11-20 10:00,cancelled,\n"
        "YP-0001,2026-11-20 10:00,held,W001\n"
    )
    write_files(
        tmp_path,
        workers=[make_worker(email="nobody"), make_worker(ref="W002")],
        children=[
            make_child(key_worker="W001", preferred_workers="W001;W002"),
            make_child(ref="YP-0002", excluded_workers="W001"),
            make_child(ref="YP-0009", initials="far too many initials"),
        ],
        absences=[make_absence(), make_absence(start_date="2027-01-04", end_date="2027-01-08")],
    )
    failure = import_failure(database, tmp_path)
    assert [where(e) for e in failure.errors] == [
        (_C, 4, "initials", "far too many initials"),
        (_W, 2, "email", "nobody"),
    ]
    assert [where(e) for e in failure.consequences] == [
        (_A, 2, "worker", "W001"),
        (_A, 3, "worker", "W001"),
        (_C, 2, "key_worker", "W001"),
        (_C, 2, "preferred_workers", "W001"),
        (_C, 3, "excluded_workers", "W001"),
        ("sessions.csv", 2, "child", "YP-0009"),
        ("sessions.csv", 3, "worker", "W001"),
    ]
    assert failure.summary_lines() == [
        "and 2 more errors in absences.csv caused by the worker above whose row failed",
        "and 3 more errors in children.csv caused by the worker above whose row failed",
        "and 1 more error in sessions.csv caused by the child above whose row failed",
        "and 1 more error in sessions.csv caused by the worker above whose row failed",
        "9 error(s); nothing was imported.",
    ]


def test_a_failed_row_of_a_stored_worker_makes_no_other_error(
    database: Database, tmp_path: Path
) -> None:
    """The worker is stored: the children may name them whatever their own row says."""
    run_import(database, write_files(tmp_path / "first", workers=[make_worker()]))
    write_files(
        tmp_path, workers=[make_worker(hours_per_week="0")], children=_children_of("W001", 3)
    )
    failure = import_failure(database, tmp_path)
    assert [where(e) for e in failure.errors] == [(_W, 2, "hours_per_week", "0")]
    assert failure.consequences == []
    assert failure.summary_lines() == ["1 error(s); nothing was imported."]


def test_a_row_with_a_comma_too_many_still_adds_its_ref(database: Database, tmp_path: Path) -> None:
    """An unquoted comma in a name shifts the row's cells; its ref is still the first."""
    header, row = csv_text([make_worker()]).splitlines()
    (tmp_path / _W).write_text(f"{header}\n{row.replace('Asha Patel', 'Patel, Asha')}\n")
    write_files(tmp_path, children=_children_of("W001", 4))
    failure = import_failure(database, tmp_path)
    assert [(e.file, e.line) for e in failure.errors] == [(_W, 2)]
    assert failure.summary_lines()[0] == (
        "and 4 more errors in children.csv caused by the worker above whose row failed"
    )


def test_overlapping_plans_of_a_failed_child_are_errors_of_their_own(
    database: Database, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        children=[make_child(risk="urgent")],
        plans=[make_plan(end_date="2026-12-31"), make_plan(start_date="2026-10-05")],
    )
    failure = import_failure(database, tmp_path)
    assert [where(e) for e in failure.errors] == [
        (_C, 2, "risk", "urgent"),
        (_P, 3, "start_date", "2026-10-05"),
    ]
    assert len(failure.consequences) == 2


def test_the_command_prints_the_roots_then_the_counts_then_the_total(
    db_url: str, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        workers=[make_worker(hours_per_week="0")],
        children=[*_children_of("W001", 37), make_child(ref="YP-0404", key_worker="W404")],
    )
    result = CliRunner().invoke(app, ["--db", db_url, "--as", "alice", "import", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "children.csv:39: column 'key_worker': no worker with this ref (value: 'W404')",
        "workers.csv:2: column 'hours_per_week': hours_per_week must be more than 0 and at most "
        "60 hours (value: '0')",
        "and 37 more errors in children.csv caused by the worker above whose row failed",
        "39 error(s); nothing was imported.",
    ]


# --- workbooks -------------------------------------------------------------------------------


def _book(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                sheet.write_string(r, c, text)
    book.close()
    return path


def _sheet(rows: list[dict[str, str]], rename: dict[str, str] | None = None) -> list[list[str]]:
    columns = list(rows[0])
    return [
        [(rename or {}).get(c, c) for c in columns],
        *([row[c] for c in columns] for row in rows),
    ]


def test_a_workbook_says_did_you_mean_and_counts_what_follows(
    database: Database, tmp_path: Path
) -> None:
    book = _book(
        tmp_path / "team.xlsx",
        {
            "workers": _sheet([make_worker(hours_per_week="0"), make_worker(ref="W002")]),
            "children": _sheet(_children_of("W001", 6), {"required_skills": "Required skills"}),
        },
    )
    failure = import_failure(database, book)
    assert [(e.file, e.column, e.value) for e in failure.errors] == [
        ("team.xlsx:children!D1", "Required skills", "Required skills"),
        ("team.xlsx:workers!E2", "hours_per_week", "0"),
    ]
    assert failure.errors[0].message == "unknown column; did you mean 'required_skills'?"
    # the children sheet could not be read, so only its header is an error; the workers'
    # row failure is counted where the children's rows would have named it
    assert failure.summary_lines() == ["2 error(s); nothing was imported."]

    book = _book(
        tmp_path / "team2.xlsx",
        {
            "workers": _sheet([make_worker(hours_per_week="0"), make_worker(ref="W002")]),
            "children": _sheet(_children_of("W001", 6)),
        },
    )
    failure = import_failure(database, book)
    assert [e.file for e in failure.errors] == ["team2.xlsx:workers!E2"]
    assert str(failure.consequences[0].caused_by) == "team2.xlsx:workers!A2"
    assert failure.summary_lines() == [
        "and 6 more errors in team2.xlsx:children caused by the worker above whose row failed",
        "7 error(s); nothing was imported.",
    ]
