"""``keyworker import``, ``show`` and ``audit`` as a team manager types them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from cli.main import app
from scheduler.db import Database
from scheduler.models import Child
from tests.factories import (
    dump_tables,
    make_child,
    make_worker,
    small_team,
    without_audit,
    write_files,
)

runner = CliRunner()


def _invoke(db_url: str, *args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["--db", db_url, "--as", "alice", *args])
    return result.exit_code, result.output.splitlines()


def test_import_prints_what_it_did(db_url: str, tmp_path: Path) -> None:
    code, lines = _invoke(db_url, "import", str(small_team(tmp_path)))
    assert code == 0, lines
    assert lines == [
        "workers.csv: 3 new, 0 updated, 0 unchanged",
        "children.csv: 3 new, 0 updated, 0 unchanged",
        "plans.csv: 3 new, 0 updated, 0 unchanged",
        "absences.csv: 2 new, 0 updated, 0 unchanged",
    ]
    code, lines = _invoke(db_url, "import", str(tmp_path / "workers.csv"))
    assert (code, lines) == (0, ["workers.csv: 0 new, 0 updated, 3 unchanged"])


def test_bad_input_exits_2_with_one_line_per_error(db_url: str, tmp_path: Path) -> None:
    database = Database(db_url)
    try:
        _invoke(db_url, "import", str(small_team(tmp_path / "good")))
        before = dump_tables(database)
        bad = write_files(
            tmp_path / "bad",
            workers=[make_worker(hours_per_week="0"), make_worker(ref="W002", email="nobody")],
            children=[make_child(key_worker="W404")],
        )
        code, lines = _invoke(db_url, "import", str(bad))
        assert code == 2, lines
        assert lines == [
            "children.csv:2: column 'key_worker': no worker with this ref (value: 'W404')",
            "workers.csv:2: column 'hours_per_week': hours_per_week must be more than 0 and "
            "at most 60 hours (value: '0')",
            "workers.csv:3: column 'email': email must be an email address (value: 'nobody')",
            "3 error(s); nothing was imported.",
        ]
        assert dump_tables(database) == before
    finally:
        database.dispose()


def test_a_long_value_is_shortened_in_the_message(db_url: str, tmp_path: Path) -> None:
    write_files(tmp_path, workers=[make_worker(name="x" * 250)])
    code, lines = _invoke(db_url, "import", str(tmp_path))
    assert code == 2
    assert lines[0].startswith("workers.csv:2: column 'name': ")
    assert lines[0].endswith(f"(value: '{'x' * 57}...')")


def test_dry_run_validates_without_writing(db_url: str, tmp_path: Path) -> None:
    database = Database(db_url)
    try:
        before = dump_tables(database)
        code, lines = _invoke(db_url, "import", "--dry-run", str(small_team(tmp_path)))
        assert code == 0, lines
        assert lines[0] == "workers.csv: 3 new, 0 updated, 0 unchanged"
        assert lines[-1] == "dry run: the files are valid; nothing was written"
        assert dump_tables(database) == before

        write_files(tmp_path / "bad", workers=[make_worker(max_caseload="-3")])
        code, lines = _invoke(db_url, "import", "--dry-run", str(tmp_path / "bad"))
        assert code == 2
        assert lines[0].startswith("workers.csv:2: column 'max_caseload': ")
        assert dump_tables(database) == before
    finally:
        database.dispose()


def test_a_file_with_another_name_is_refused(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("ref,name,team,hours_per_week,max_caseload\nW001,A,T,10,1\n")
    code, lines = _invoke(db_url, "import", str(path))
    assert code == 2
    assert "workers.csv" in lines[-1] and "staff.csv" in lines[-1]


def test_a_missing_path_or_an_empty_directory_is_refused(db_url: str, tmp_path: Path) -> None:
    code, lines = _invoke(db_url, "import", str(tmp_path / "nowhere"))
    assert code == 2 and "no such file or directory" in lines[-1]
    (tmp_path / "empty").mkdir()
    code, lines = _invoke(db_url, "import", str(tmp_path / "empty"))
    assert code == 2 and "nothing to import" in lines[-1]


def test_the_same_file_twice_is_refused(db_url: str, tmp_path: Path) -> None:
    write_files(tmp_path / "a", workers=[make_worker()])
    write_files(tmp_path / "b", workers=[make_worker()])
    code, lines = _invoke(
        db_url, "import", str(tmp_path / "a" / "workers.csv"), str(tmp_path / "b" / "workers.csv")
    )
    assert code == 2 and "given twice" in lines[-1]
    code, lines = _invoke(
        db_url, "import", str(tmp_path / "a" / "workers.csv"), str(tmp_path / "b")
    )
    assert code == 2 and "given twice" in lines[-1]


def test_a_pin_conflict_is_printed_as_a_note(db_url: str, tmp_path: Path) -> None:
    _invoke(db_url, "import", str(small_team(tmp_path / "1")))
    database = Database(db_url)
    try:
        with database.transaction() as s:
            s.execute(update(Child).where(Child.ref == "YP-0001").values(pinned_worker_id=1))
        write_files(tmp_path / "2", children=[make_child(key_worker="W002", risk="high")])
        before = without_audit(dump_tables(database))
        code, lines = _invoke(db_url, "import", str(tmp_path / "2"))
        assert code == 0, lines
        assert lines[0] == "children.csv: 0 new, 0 updated, 1 unchanged"
        assert lines[1].startswith("note: children.csv:2: the case record names W002")
        assert "pinned to W001" in lines[1]
        assert without_audit(dump_tables(database)) == before
    finally:
        database.dispose()


def test_show_prints_readable_tables(db_url: str, tmp_path: Path) -> None:
    _invoke(db_url, "import", str(small_team(tmp_path)))

    code, lines = _invoke(db_url, "show", "workers")
    assert code == 0, lines
    assert lines[0] == "Workers"
    assert lines[1].split()[:3] == ["ref", "name", "team"]
    w1 = next(line for line in lines if line.startswith("W001"))
    assert "Asha Patel" in w1 and "1/8" in w1 and "Mon 09:00-17:00;Tue 12:00-20:00" in w1

    code, lines = _invoke(db_url, "show", "children")
    assert code == 0, lines
    assert lines[0] == "Children"
    rows = {line.split()[0]: line for line in lines[3:] if line.strip()}
    assert set(rows) == {"YP-0001", "YP-0002", "YP-0003"}
    assert "W001" in rows["YP-0001"] and "high" in rows["YP-0001"]

    code, lines = _invoke(db_url, "show", "child", "YP-0001")
    assert code == 0, lines
    text = "\n".join(lines)
    assert "Child YP-0001" in text and "Support plans" in text
    assert "2026-09-07" in text and "2025-06-02" in text  # plan start, relationship start

    code, lines = _invoke(db_url, "show", "worker", "W001")
    assert code == 0, lines
    text = "\n".join(lines)
    assert "Worker W001" in text and "Asha Patel" in text
    assert "2026-12-07" in text and "YP-0001" in text  # an absence, a child keyed to them


def test_show_an_unknown_ref_exits_2(db_url: str) -> None:
    code, lines = _invoke(db_url, "show", "child", "YP-404")
    assert (code, lines) == (2, ["error: no child with reference 'YP-404'"])
    code, lines = _invoke(db_url, "show", "worker", "W404")
    assert (code, lines) == (2, ["error: no worker with reference 'W404'"])


def test_audit_lists_the_import(db_url: str, tmp_path: Path) -> None:
    _invoke(db_url, "import", str(small_team(tmp_path)))
    code, lines = _invoke(db_url, "audit")
    assert code == 0, lines
    assert lines[0] == "Audit log"
    entry = next(line for line in lines if " import " in line)
    assert "alice" in entry and '"workers.csv": {"created": 3' in entry


def test_a_bad_config_file_exits_2(db_url: str, tmp_path: Path) -> None:
    config = tmp_path / "keyworker.toml"
    config.write_text("[planning]\nhorizon_weeks = 99\n")
    result = runner.invoke(app, ["--db", db_url, "--config", str(config), "show", "workers"])
    assert result.exit_code == 2, result.output
    assert "planning.horizon_weeks" in result.output
