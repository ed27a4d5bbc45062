"""Issue #12 part 3: a worker's subscribe URL never changes under them.

The feed key's place is configuration, never the current folder: two folders naming
one database print the same URL, and a missing key is an error, never a new URL.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from calendars import default_key_path
from cli.main import app
from scheduler.db import Database
from scheduler.models import FeedToken
from tests.factories import small_team

runner = CliRunner()


def _kw(db_url: str, *args: str, config: Path | None = None) -> tuple[int, str, str]:
    options = ["--db", db_url, *(["--config", str(config)] if config else [])]
    result = runner.invoke(app, [*options, "--as", "alice", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def team_db(db_url: str, tmp_path: Path) -> str:
    """A database with a small team imported and the feed key created by ``init``."""
    code, out, err = _kw(db_url, "init")
    assert code == 0, out + err
    assert "feed key: created" in out
    code, out, err = _kw(db_url, "import", str(small_team(tmp_path / "files")))
    assert code == 0, out + err
    return db_url


def _live_tokens(db_url: str) -> int:
    database = Database(db_url)
    try:
        with database.reading() as session:
            return session.scalar(select(func.count()).where(FeedToken.revoked_at.is_(None))) or 0
    finally:
        database.dispose()


def test_two_folders_one_database_print_the_same_url(
    team_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = []
    for folder in ("desk", "laptop-share"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        code, out, err = _kw(team_db, "feeds", "url", "W001")
        assert code == 0, out + err
        urls.append(out)
        assert list((tmp_path / folder).iterdir()) == []  # nothing written to the cwd
    assert urls[0] == urls[1] and urls[0].count("/feeds/") == 1


def test_a_relative_sqlite_url_from_two_folders_finds_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    assert _kw("sqlite:///kw.db", "init")[0] == 0
    assert _kw("sqlite:///kw.db", "import", str(small_team(tmp_path / "files")))[0] == 0
    code, first, _ = _kw("sqlite:///kw.db", "feeds", "url", "W002")
    assert code == 0
    monkeypatch.chdir(tmp_path / "b")
    code, again, err = _kw("sqlite:///../a/kw.db", "feeds", "url", "W002")
    assert (code, again) == (0, first), err
    assert default_key_path("sqlite:///../a/kw.db") == default_key_path(
        f"sqlite:///{tmp_path / 'a' / 'kw.db'}"
    )


def test_the_default_key_is_private_and_not_beside_the_database(team_db: str) -> None:
    path = default_key_path(team_db)
    assert path.is_relative_to(Path(os.environ["XDG_DATA_HOME"]))  # the user's data dir
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if team_db.startswith("sqlite"):
        assert path.parent != Path(team_db.removeprefix("sqlite:///")).parent


def test_a_removed_key_is_a_clear_error_and_no_new_url(team_db: str) -> None:
    code, url, _ = _kw(team_db, "feeds", "url", "W001")
    assert code == 0
    key = default_key_path(team_db)
    saved = key.read_bytes()
    key.unlink()
    code, out, err = _kw(team_db, "feeds", "url", "W001")
    assert code == 2
    assert out == ""  # no URL printed
    assert f"expected at {key}" in err and "Restore the file from your backup" in err
    assert _live_tokens(team_db) == 1  # nothing revoked, nothing issued
    # init does not paper over it with a new key while URLs are live
    code, out, err = _kw(team_db, "init")
    assert code == 0 and not key.exists()
    assert f"the feed key is missing: expected at {key}" in err
    # restoring the file brings back the very same URL
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(saved)
    assert _kw(team_db, "feeds", "url", "W001")[:2] == (0, url)


def test_a_new_key_never_changes_a_live_url_only_rotate_does(team_db: str) -> None:
    code, url, _ = _kw(team_db, "feeds", "url", "W001")
    key = default_key_path(team_db)
    key.unlink()
    code, out, _ = _kw(team_db, "feeds", "init-key")
    assert code == 0 and f"created {key}" in out and "feeds rotate" in out
    code, out, err = _kw(team_db, "feeds", "url", "W001")
    assert (code, out) == (2, "")
    assert "not the key the URLs were issued with" in err and str(key) in err
    code, rotated, _ = _kw(team_db, "feeds", "rotate", "W001")
    assert code == 0 and rotated != url
    assert _kw(team_db, "feeds", "url", "W001")[:2] == (0, rotated)
    # a worker who never had a URL gets one with the new key
    assert _kw(team_db, "feeds", "url", "W002")[0] == 0


def test_the_configured_key_file_is_read_from_the_config_folder(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    config = etc / "keyworker.toml"
    config.write_text('[feeds]\nkey_file = "secrets/feed.key"\n', encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, out, err = _kw(db_url, "init", config=config)
    assert code == 0, out + err
    assert f"feed key: created {etc / 'secrets' / 'feed.key'} ([feeds] key_file" in out
    assert _kw(db_url, "import", str(small_team(tmp_path / "files")), config=config)[0] == 0
    code, first, _ = _kw(db_url, "feeds", "url", "W003", config=config)
    monkeypatch.chdir(etc)
    assert _kw(db_url, "feeds", "url", "W003", config=config)[:2] == (0, first)
    assert not default_key_path(db_url).exists()
