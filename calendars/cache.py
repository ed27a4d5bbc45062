"""Keep the rendered feeds in ``feed_cache``: write only the rows whose body changed.

:func:`refresh_feeds` runs inside the plan-commit transaction (and the nightly job):
it renders every worker's feed and every team's feed from a handful of bulk queries
(:mod:`calendars.snapshot`) and writes only the rows whose body changed, so an
unchanged feed keeps its ETag and ``Last-Modified``. The server then answers from
``feed_cache`` without rendering.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from calendars.snapshot import render_feeds, window_start
from scheduler.models import FeedCache
from scheduler.settings import Settings

_FEED_CACHE = cast(Table, FeedCache.__table__)


@dataclass(frozen=True, slots=True)
class RefreshStats:
    """What one refresh did: feeds rendered, rows written, events, and time taken."""

    feeds: int
    changed: int
    events: int
    trimmed: int
    largest_bytes: int
    seconds: float


def refresh_feeds(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    owners: Collection[str] | None = None,
    yield_to_others: bool = False,
) -> RefreshStats:
    """Re-render feeds and store those that changed, in the caller's transaction.

    Without ``owners`` every worker's and team's feed is refreshed and cached feeds of
    owners that no longer exist are deleted. A plan commit writes what it rendered
    whatever another process stored meanwhile (its data are the newest); with
    ``yield_to_others`` (the server's on-demand refresh) a row that changed since it
    was read is left alone, so a refresh racing a commit can never undo it.
    """
    started = time.perf_counter()
    rendered = render_feeds(session, now=now, settings=settings, owners=owners)
    start = window_start(now, settings)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    query = select(FeedCache.owner, FeedCache.etag, FeedCache.last_modified, FeedCache.window_start)
    if owners is not None:
        query = query.where(FeedCache.owner.in_(list(owners)))
    stored = {row.owner: row for row in session.execute(query)}
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for feed in rendered:
        etag = entity_tag(feed.body)
        old = stored.get(feed.owner)
        if old is None:
            inserts.append(
                {
                    "owner": feed.owner,
                    "body": feed.body,
                    "etag": etag,
                    "last_modified": stamp,
                    "window_start": start,
                }
            )
        elif old.etag != etag:
            # Last-Modified must move on whenever the body changes, even within a second
            # or when planning "as of" an earlier time, or If-Modified-Since would match.
            later = max(stamp, old.last_modified.replace(microsecond=0) + timedelta(seconds=1))
            updates.append(
                {
                    "key": feed.owner,
                    "seen": old.etag,
                    "body": feed.body,
                    "etag": etag,
                    "last_modified": later,
                    "window_start": start,
                }
            )
        elif old.window_start != start:
            updates.append({"key": feed.owner, "seen": old.etag, "window_start": start})
    if inserts:
        _insert(session, inserts, overwrite=not yield_to_others)
    changed = len(inserts) + sum(1 for row in updates if "body" in row)
    table = _FEED_CACHE
    statement = update(table).where(table.c.owner == bindparam("key"))
    if yield_to_others:
        statement = statement.where(table.c.etag == bindparam("seen"))
    for batch in _same_keys(updates):
        session.execute(statement, batch)
    if owners is None:
        gone = set(stored) - {feed.owner for feed in rendered}
        if gone:
            session.execute(delete(FeedCache).where(FeedCache.owner.in_(sorted(gone))))
    return RefreshStats(
        feeds=len(rendered),
        changed=changed,
        events=sum(feed.events for feed in rendered),
        trimmed=sum(feed.trimmed for feed in rendered),
        largest_bytes=max((len(feed.body) for feed in rendered), default=0),
        seconds=time.perf_counter() - started,
    )


def _insert(session: Session, rows: list[dict[str, object]], *, overwrite: bool) -> None:
    """INSERT that tolerates a row another process stored meanwhile (upsert or skip)."""
    table = _FEED_CACHE
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - keyworker supports SQLite and PostgreSQL only
        session.execute(insert(table), rows)
        return
    if overwrite:
        columns = ("body", "etag", "last_modified", "window_start")
        statement = statement.on_conflict_do_update(
            index_elements=["owner"], set_={name: statement.excluded[name] for name in columns}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["owner"])
    session.execute(statement, rows)


def entity_tag(body: bytes) -> str:
    """A strong ETag: the quoted SHA-256 of the body."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def _same_keys(rows: list[dict[str, object]]) -> Iterable[list[dict[str, object]]]:
    """An executemany UPDATE wants one set of columns per statement."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    return groups.values()
