"""``feeds url|rotate|team-url|team-rotate`` and ``calendars export`` through Typer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import typer
from calendar_builders import NOW, SETTINGS, golden_plan
from sqlalchemy import select
from typer.testing import CliRunner

from calendars import FeedOwner, create_secret_key, lookup
from cli.feeds_cmd import calendars_app, feeds_app
from scheduler.db import Database
from scheduler.errors import NotFound
from scheduler.models import AuditEntry, FeedCache
from scheduler.settings import Settings


@dataclass
class Context:
    """What the lead's ``cli.main`` puts in ``ctx.obj``, plus the feed key's path."""

    database: Database
    secret_file: Path
    settings: Settings = SETTINGS
    actor: str = "manager"
    now: datetime = NOW


class Cli:
    """A tiny app that mounts the sub-apps the way ``cli.main`` will, around ``context``."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.app = typer.Typer()

        @self.app.callback()
        def main(ctx: typer.Context) -> None:
            ctx.obj = self.context

        self.app.add_typer(feeds_app, name="feeds")
        self.app.add_typer(calendars_app, name="calendars")
        self.runner = CliRunner()

    def __call__(self, *args: str) -> tuple[int, str, BaseException | None]:
        result = self.runner.invoke(self.app, list(args))
        return result.exit_code, result.stdout, result.exception


@pytest.fixture
def invoke(database: Database, tmp_path: Path) -> Cli:
    with database.transaction() as session:
        golden_plan(session)
    secret_file = tmp_path / "keyworker.key"
    create_secret_key(secret_file)
    return Cli(Context(database=database, secret_file=secret_file))


def _token(url: str) -> str:
    assert url.startswith("https://feeds.example.org/feeds/") and url.endswith(".ics")
    return url.removeprefix("https://feeds.example.org/feeds/").removesuffix(".ics")


def test_url_prints_the_same_subscribe_url_each_time(invoke: Cli, database: Database) -> None:
    code, first, _ = invoke("feeds", "url", "W001")
    assert code == 0, first
    code, again, _ = invoke("feeds", "url", "W001")
    assert first == again and first.count("\n") == 1
    with database.reading() as session:
        assert lookup(session, _token(first.strip())) == FeedOwner("worker", "W001")
        assert session.get(FeedCache, "worker:W001") is not None


def test_rotate_prints_a_new_url_kills_the_old_and_is_audited(
    invoke: Cli, database: Database
) -> None:
    _, old, _ = invoke("feeds", "url", "W002")
    invoke.context.now = NOW + timedelta(minutes=5)
    code, new, _ = invoke("feeds", "rotate", "W002")
    assert code == 0, new
    assert new != old
    with database.reading() as session:
        assert lookup(session, _token(old.strip())) is None
        assert lookup(session, _token(new.strip())) == FeedOwner("worker", "W002")
        entries = session.scalars(select(AuditEntry)).all()
    assert [(e.action, e.actor, json.loads(e.detail)) for e in entries] == [
        ("feeds.url", "manager", {"worker": "W002"}),
        ("feeds.rotate", "manager", {"worker": "W002"}),
    ]
    _, again, _ = invoke("feeds", "url", "W002")
    assert again == new


def test_team_urls(invoke: Cli, database: Database) -> None:
    code, url, _ = invoke("feeds", "team-url", "North")
    assert code == 0, url
    code, rotated, _ = invoke("feeds", "team-rotate", "North")
    assert code == 0 and rotated != url
    with database.reading() as session:
        assert lookup(session, _token(url.strip())) is None
        assert lookup(session, _token(rotated.strip())) == FeedOwner("team", "North")
        assert session.get(FeedCache, "team:North") is not None


def test_unknown_worker_or_team_raises_not_found(invoke: Cli) -> None:
    for args in (
        ("feeds", "url", "W404"),
        ("feeds", "rotate", "W404"),
        ("feeds", "team-url", "Nowhere"),
        ("feeds", "team-rotate", "Nowhere"),
    ):
        _, _, exception = invoke(*args)
        assert isinstance(exception, NotFound), args


def test_export_writes_files_as_of_a_given_time(invoke: Cli, tmp_path: Path) -> None:
    out = tmp_path / "calendars-out"
    code, output, _ = invoke("calendars", "export", str(out), "--as-of", "2027-03-25T09:00")
    assert code == 0, output
    assert output == f"wrote 3 calendars to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == ["W001.ics", "W002.ics", "W007.ics"]
    assert b"UID:s-past\r\n" not in (out / "W001.ics").read_bytes()  # window from --as-of
    code, _, _ = invoke("calendars", "export", str(out))
    assert b"UID:s-past\r\n" in (out / "W001.ics").read_bytes()  # window from now


def test_export_refuses_a_bad_as_of(invoke: Cli, tmp_path: Path) -> None:
    code, _, _ = invoke("calendars", "export", str(tmp_path), "--as-of", "next tuesday")
    assert code == 2
