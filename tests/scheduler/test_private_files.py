"""Issue #12 part 6: files holding children's data are created owner-only (0600).

Under the usual umask 022 the SQLite database and the exported calendars came out
0644, readable by every local user; exports were even chmodded to 0644 under umask
077. Now every such file is created 0600 and nothing widens it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from scheduler.db import Database
from tests.factories import small_team

runner = CliRunner()

CONFIG = '[planning]\ntime_limit_seconds = 5\n[feeds]\nbase_url = "https://kw.example.org"\n'


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _kw(db: Path, config: Path, *args: str) -> str:
    result = runner.invoke(app, ["--db", f"sqlite:///{db}", "--config", str(config), *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_the_database_and_every_export_are_owner_only(umask: int, tmp_path: Path) -> None:
    config = tmp_path / "keyworker.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "data" / "keyworker.db"
    db.parent.mkdir()
    _kw(db, config, "init")
    assert _mode(db) == 0o600
    _kw(db, config, "import", str(small_team(tmp_path / "team")))
    _kw(db, config, "plan", "--start", "2026-12-07", "--commit", "--json", str(tmp_path / "p.json"))
    database = Database(f"sqlite:///{db}")
    try:
        with database.transaction() as session:  # WAL mode: -wal and -shm exist meanwhile
            session.execute(text("UPDATE workers SET name = name"))
            for suffix in ("-wal", "-shm"):
                sidecar = db.with_name(db.name + suffix)
                assert _mode(sidecar) == 0o600, suffix
    finally:
        database.dispose()

    out = tmp_path / "calendars-out"
    _kw(db, config, "calendars", "export", str(out))
    assert _mode(out) == 0o700
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["W001.ics", "W002.ics", "W003.ics"]
    assert all(_mode(f) == 0o600 for f in files)
    _kw(db, config, "calendars", "export", str(out))  # replacing them keeps them private
    assert all(_mode(f) == 0o600 for f in out.iterdir())

    _kw(db, config, "export", "plan", "--format", "csv", "--output", str(tmp_path / "p.csv"))
    _kw(db, config, "report", "--html", str(tmp_path / "r.html"))
    for name in ("p.json", "p.csv", "r.html"):
        assert _mode(tmp_path / name) == 0o600, name


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    Database(f"sqlite:///{db}").dispose()
    db.chmod(0o640)  # a group the owner chose to share it with
    config = tmp_path / "keyworker.toml"
    config.write_text(CONFIG, encoding="utf-8")
    _kw(db, config, "init")
    assert _mode(db) == 0o640
