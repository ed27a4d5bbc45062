"""The use cases behind ``keyworker feeds ...``, ``init`` and ``calendars export``.

Each opens its own transaction, audits what it hands out (whoever holds a subscribe URL
or an exported file reads the worker's diary) and returns plain values: the CLI calls
one function per command and prints the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from calendars.cache import refresh_feeds
from calendars.errors import FeedKeyMismatch
from calendars.export import export_calendars
from calendars.keyfile import KeyLocation, create_secret_key, read_secret_key
from calendars.tokens import (
    FeedOwner,
    current_token,
    feed_url,
    live_token_count,
    rotate_token,
    team_owner,
    worker_owner,
)
from scheduler import audit
from scheduler.db import Database
from scheduler.settings import Settings


@dataclass(frozen=True, slots=True)
class FeedKeyState:
    """What :func:`ensure_feed_key` found or did.

    ``outcome``: ``"present"`` (left alone), ``"created"``, or ``"missing"`` (not made:
    ``live_urls`` subscribe URLs were issued with the lost key and the manager decides).
    """

    location: KeyLocation
    outcome: Literal["present", "created", "missing"]
    live_urls: int = 0


def ensure_feed_key(
    location: KeyLocation, open_database: Callable[[], Database], *, explicit: bool
) -> FeedKeyState:
    """Create the feed key at ``location`` unless it is there.

    Without ``explicit`` (``keyworker init``) no new key is made while subscribe URLs
    issued with a lost one are live. The database is opened only when the key is missing.
    """
    if location.path.exists():
        return FeedKeyState(location, "present")
    with open_database().reading() as session:
        live = live_token_count(session)
    if live and not explicit:
        return FeedKeyState(location, "missing", live)
    create_secret_key(location.path)
    return FeedKeyState(location, "created", live)


def subscribe_url(
    database: Database,
    settings: Settings,
    location: KeyLocation,
    *,
    kind: Literal["worker", "team"],
    name: str,
    rotate: bool,
    actor: str,
    now: datetime,
) -> str:
    """The secret subscribe URL of worker or team ``name`` (``rotate``: a new one, the
    old one dead at once), audited, with the owner's feed stored so it works at once."""
    with database.reading() as session:
        live = live_token_count(session)
        owner = worker_owner(session, name) if kind == "worker" else team_owner(session, name)
    key = read_secret_key(location, urls_issued=live)
    with database.transaction() as session:
        token = _token(session, owner, key=key, location=location, rotate=rotate, now=now)
        detail: dict[str, Any] = (
            {"worker": owner.name} if owner.kind == "worker" else {"team": owner.name}
        )
        action = "feeds.rotate" if rotate else "feeds.url"
        audit.record(session, actor=actor, action=action, at=now, **detail)
        # A new worker has no stored feed until the next commit; give them one now.
        refresh_feeds(session, now=now, settings=settings, owners=[owner.key])
    return feed_url(settings.feed_base_url, token)


def _token(
    session: Session,
    owner: FeedOwner,
    *,
    key: bytes,
    location: KeyLocation,
    rotate: bool,
    now: datetime,
) -> str:
    if rotate:
        return rotate_token(session, owner, key=key, now=now)
    try:
        return current_token(session, owner, key=key, now=now)
    except FeedKeyMismatch as exc:
        raise FeedKeyMismatch(exc.owner, location.path) from None


def export_calendar_files(
    database: Database,
    directory: Path,
    *,
    as_of: datetime,
    settings: Settings,
    actor: str,
    now: datetime,
) -> list[Path]:
    """Write one ``REF.ics`` per worker into ``directory`` as of ``as_of``, audited."""
    with database.transaction() as session:
        paths = export_calendars(session, directory, now=as_of, settings=settings)
        audit.record(
            session,
            actor=actor,
            action="calendars.export",
            at=now,
            as_of=as_of,
            directory=str(directory),
            files=len(paths),
        )
    return paths
