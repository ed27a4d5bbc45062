"""Subscribe tokens: derived, stored as hashes only, rotated at once, looked up safely."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from calendar_builders import NOW, add_child, add_worker
from sqlalchemy import select

from calendars import (
    FeedKeyError,
    FeedKeyMismatch,
    FeedOwner,
    create_secret_key,
    current_token,
    feed_url,
    hash_token,
    is_well_formed,
    load_secret_key,
    lookup,
    rotate_token,
)
from calendars.tokens import team_owner, worker_owner
from scheduler.db import Database
from scheduler.errors import NotFound
from scheduler.models import FeedToken

KEY = bytes(range(32))
W001 = FeedOwner("worker", "W001")


@pytest.fixture
def staffed(database: Database) -> Database:
    with database.transaction() as session:
        add_worker(session, ref="W001")
        add_worker(session, ref="W002", team="South")
    return database


def test_the_url_is_the_same_every_time_until_rotated(staffed: Database) -> None:
    with staffed.transaction() as session:
        first = current_token(session, W001, key=KEY, now=NOW)
    with staffed.transaction() as session:
        again = current_token(session, W001, key=KEY, now=NOW + timedelta(days=3))
        assert lookup(session, again) == W001
    assert first == again
    assert is_well_formed(first) and len(first) == 43  # 256 bits, base64url


def test_rotation_kills_the_old_token_at_once(staffed: Database) -> None:
    with staffed.transaction() as session:
        old = current_token(session, W001, key=KEY, now=NOW)
    with staffed.transaction() as session:
        new = rotate_token(session, W001, key=KEY, now=NOW + timedelta(minutes=1))
    with staffed.reading() as session:
        assert lookup(session, old) is None
        assert lookup(session, new) == W001
    with staffed.transaction() as session:
        assert current_token(session, W001, key=KEY, now=NOW + timedelta(days=1)) == new
        newer = rotate_token(session, W001, key=KEY, now=NOW + timedelta(days=2))
    assert len({old, new, newer}) == 3


def test_only_a_hash_is_stored(staffed: Database) -> None:
    with staffed.transaction() as session:
        token = current_token(session, W001, key=KEY, now=NOW)
    with staffed.reading() as session:
        rows = session.scalars(select(FeedToken)).all()
    assert [row.token_hash for row in rows] == [hash_token(token)]
    assert all(token not in repr(vars(row)) for row in rows)


def test_a_changed_key_never_silently_changes_the_url(staffed: Database) -> None:
    """Issue #12 part 3: another key made the subscribed URL 404; now it is an error."""
    other = b"another key of 32 bytes........"
    with staffed.transaction() as session:
        old = current_token(session, W001, key=KEY, now=NOW)
    with pytest.raises(FeedKeyMismatch, match="worker:W001"), staffed.transaction() as session:
        current_token(session, W001, key=other, now=NOW)
    with staffed.reading() as session:
        assert lookup(session, old) == W001  # the subscribed URL still works
    with staffed.transaction() as session:
        new = rotate_token(session, W001, key=other, now=NOW)  # the one way to change it
    with staffed.reading() as session:
        assert lookup(session, old) is None
        assert lookup(session, new) == W001


def test_teams_have_their_own_tokens(staffed: Database) -> None:
    with staffed.transaction() as session:
        south = team_owner(session, "South")
        team = current_token(session, south, key=KEY, now=NOW)
        worker = current_token(session, W001, key=KEY, now=NOW)
        assert lookup(session, team) == FeedOwner("team", "South")
        assert team != worker
        add_child(session, ref="YP-0009", team="East")
        assert team_owner(session, "East") == FeedOwner("team", "East")


MALFORMED = ["", "short", "!" * 43, "a" * 44, "a" * 42, "../../etc/passwd", "é" * 43]


def test_unknown_and_malformed_tokens_find_nothing(staffed: Database) -> None:
    with staffed.transaction() as session:
        live = current_token(session, W001, key=KEY, now=NOW)
    unknown = ["x" * 43, "A" * 43, live[:-1] + ("A" if live[-1] != "A" else "B")]
    with staffed.reading() as session:
        for token in MALFORMED + unknown:
            assert lookup(session, token) is None, token
    assert not any(is_well_formed(token) for token in MALFORMED)


def test_unknown_owners_are_not_found(staffed: Database) -> None:
    with staffed.reading() as session:
        with pytest.raises(NotFound, match="W404"):
            worker_owner(session, "W404")
        with pytest.raises(NotFound, match="Nowhere"):
            team_owner(session, "Nowhere")


def test_the_key_file_is_created_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keyworker.key"
    with pytest.raises(FeedKeyError, match=r"missing: expected at .*keyworker init"):
        load_secret_key(path)  # reading never creates one
    assert create_secret_key(path) is True
    key = load_secret_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert create_secret_key(path) is False  # never overwritten
    assert load_secret_key(path) == key
    path.write_text("not hex\n", encoding="ascii")
    with pytest.raises(FeedKeyError, match="not a keyworker feed key") as caught:
        load_secret_key(path)
    assert caught.value.exit_code == 2
    (tmp_path / "file").write_text("", encoding="ascii")
    with pytest.raises(FeedKeyError, match="cannot create it"):
        create_secret_key(tmp_path / "file" / "keyworker.key")


def test_feed_url_uses_the_configured_base() -> None:
    url = feed_url("https://feeds.example.org/", "a" * 43)
    assert url == "https://feeds.example.org/feeds/" + "a" * 43 + ".ics"
