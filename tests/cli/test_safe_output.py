"""Issue #12 part 6: stored text reaches terminals and calendars only escaped.

Imports refuse control characters now; these tests plant them in the database the
way older versions let them in, and look at what the CLI and the calendars show.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from cli.main import app
from cli.tables import render, shown
from scheduler.db import Database
from scheduler.models import Child, Worker
from tests.factories import small_team, write_csv

runner = CliRunner()
HOSTILE = "Asha\x1b[2J\x1b[31m\nW999  Forged Row\u202eevil"


def _invoke(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, "--as", "alice", *args])
    return result.exit_code, result.output


def test_shown_escapes_what_a_terminal_would_obey() -> None:
    assert shown("A.B. Zoë-Ann O'Neil") == "A.B. Zoë-Ann O'Neil"
    assert shown(HOSTILE) == "Asha\\x1b[2J\\x1b[31m\\nW999  Forged Row\\u202eevil"
    assert shown("a\u2028b\u00a0c\x9bd") == "a\\u2028b c\\x9bd"
    table = render(("ref", "name"), [("W001", HOSTILE), ("W002", "Tom")])
    assert table.count("\n") == 3 and "\x1b" not in table and "\u202e" not in table


def test_show_and_calendars_never_pass_control_characters_on(db_url: str, tmp_path: Path) -> None:
    assert _invoke(db_url, "import", str(small_team(tmp_path / "team")))[0] == 0
    database = Database(db_url)
    try:
        with database.transaction() as session:
            session.execute(update(Worker).where(Worker.ref == "W001").values(name=HOSTILE))
            session.execute(update(Child).where(Child.ref == "YP-0001").values(initials="X\x1bY"))
    finally:
        database.dispose()
    for args in (("show", "workers"), ("show", "children"), ("show", "worker", "W001")):
        code, output = _invoke(db_url, *args)
        assert code == 0, output
        assert "\x1b" not in output and "\u202e" not in output, args
        assert "Forged Row" not in output.splitlines()[0]
        assert not any(line.startswith("W999") for line in output.splitlines()), args
    code, output = _invoke(db_url, "calendars", "export", str(tmp_path / "out"))
    assert code == 0, output
    body = (tmp_path / "out" / "W001.ics").read_bytes()
    assert b"\x1b" not in body and "\u202e".encode() not in body
    name = next(line for line in body.split(b"\r\n") if line.startswith(b"NAME:"))
    assert name.decode() == "NAME:Key work sessions – Asha [2J [31m W999  Forged Row evil (W001)"


def test_the_import_summary_counts_cleared_values(db_url: str, tmp_path: Path) -> None:
    assert _invoke(db_url, "import", str(small_team(tmp_path / "team")))[0] == 0
    write_csv(
        tmp_path / "children.csv",
        [{"ref": "YP-0002", "team": "North CSE", "excluded_workers": ""}],
        ["ref", "team", "excluded_workers"],
    )
    code, output = _invoke(db_url, "import", str(tmp_path / "children.csv"))
    assert code == 0, output
    assert output.splitlines() == [
        "children.csv: 0 new, 1 updated, 0 unchanged",
        "children.csv: empty cells cleared stored values: excluded_workers 1",
    ]
