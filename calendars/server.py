"""The feed server: ``GET``/``HEAD /feeds/<token>.ics`` and ``/healthz``, over ASGI.

Feeds are served as stored in ``feed_cache`` (rendered after every commit); nothing
is rendered on the hot path. A request costs one indexed query (token hash -> live
token -> owner -> current ETag) on a connection the server holds in autocommit mode,
so it sees every commit at once: a rotated token is dead from the moment the
rotation commits, in any process. The query runs inline on the event loop (tens of
microseconds on SQLite, well under a millisecond on a local PostgreSQL: less than a
thread hand-off would cost). Body, Last-Modified and window are kept in memory per
owner and re-read only when the ETag in the database differs.

A feed's window is "14 days before now": when the day has moved on since a feed was
stored (no commit, no nightly run yet), that one feed is re-rendered on request.

Conditional requests follow RFC 9110: ``If-None-Match`` (a list, or ``*``, compared
weakly as the RFC requires; our tags are strong) wins over ``If-Modified-Since``,
which counts only when it is a valid date not in the future. 304 only on a real match:
a server that answers 304 to any ``If-Modified-Since`` froze Apple Calendar.

Anything else -- an unknown, revoked or malformed token, another path (a trailing
slash included: no redirects), another method -- gets the same plain 404, with the
feeds' ``Cache-Control`` and ``nosniff``, and errors a plain 500, never a stack trace, and
never a hint whether a worker exists. Bodies are never compressed.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import re
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import uvicorn
from sqlalchemy import PoolProxiedConnection, String, bindparam, func, literal_column, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from calendars.cache import refresh_feeds
from calendars.snapshot import window_start
from calendars.tokens import FeedOwner, hash_token, is_well_formed
from scheduler.db import Database
from scheduler.models import FeedCache, FeedToken, Worker
from scheduler.settings import Settings

log = logging.getLogger("keyworker.feeds")

Health = Callable[[], tuple[bool, dict[str, Any]]]

NOT_FOUND_BODY = b"Not Found\n"
ERROR_BODY = b"Internal Server Error\n"
CALENDAR_TYPE = "text/calendar; charset=utf-8"
_ETAG = re.compile(r'\s*(W/)?("[^"]*")\s*(,|$)')


def create_app(
    database: Database,
    *,
    settings: Settings | None = None,
    clock: Callable[[], datetime] | None = None,
    health: Health | None = None,
) -> Starlette:
    """The ASGI app. With ``settings``, feeds missing or out of date are rendered on demand.

    ``clock`` (default: the system clock, UTC) is injected so tests can move time.
    ``health`` returns (ok, details) for ``/healthz``; the default checks the database.
    """
    feeds = _Feeds(database, settings, clock or _utc_now)
    check = health or _database_health(database)

    async def feed(request: Request) -> Response:
        return feeds.respond(request)

    async def healthz(request: Request) -> Response:
        try:
            ok, details = check()
        except Exception:
            log.exception("health check failed")
            ok, details = False, {}
        return JSONResponse(
            {"status": "ok" if ok else "failing", **details},
            status_code=200 if ok else 503,
            headers={"Cache-Control": "no-store"},
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            feeds.close()

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/feeds/{name}", feed, methods=["GET", "HEAD"]),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
        ],
        exception_handlers={404: _not_found, 405: _not_found, Exception: _server_error},
    )
    # Starlette answers "/healthz/" with a 307 to "/healthz", its Location built from the
    # request's Host header (Host: evil.example -> http://evil.example/...): a redirect
    # anyone can aim. Only the exact routes answer; everything else gets the plain 404.
    app.router.redirect_slashes = False
    return app


def _utc_now() -> datetime:
    return datetime.now(UTC)


# What every feed response says about caching and sniffing, 404s included: a 404 must
# not be told apart from a feed by its headers, nor cached by a proxy.
FEED_HEADERS = {"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}


def not_found() -> Response:
    return Response(
        NOT_FOUND_BODY,
        status_code=404,
        headers=FEED_HEADERS,
        media_type="text/plain; charset=utf-8",
    )


async def _not_found(request: Request, exc: Exception) -> Response:
    return not_found()


async def _server_error(request: Request, exc: Exception) -> Response:
    # The path may hold a token: log the error, never the request line.
    log.error("feed server error: %s", type(exc).__name__, exc_info=exc)
    return Response(ERROR_BODY, status_code=500, media_type="text/plain; charset=utf-8")


def _database_health(database: Database) -> Health:
    def check() -> tuple[bool, dict[str, Any]]:
        try:
            with database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                feeds, newest = connection.execute(
                    select(func.count(), func.max(FeedCache.last_modified))
                ).one()
        except Exception as exc:
            log.warning("health: database unreachable: %s", type(exc).__name__)
            return False, {"database": "unreachable"}
        updated = newest.isoformat() if newest is not None else None
        return True, {"database": "ok", "feeds": feeds, "feeds_updated": updated}

    return check


@dataclass(frozen=True, slots=True)
class _Stored:
    """One owner's stored feed as the server keeps it in memory (keyed by ETag)."""

    etag: str
    last_modified: datetime
    http_date: str
    window_start: datetime
    body: bytes


class _Feeds:
    """The request path: one autocommit query per request, feeds cached by ETag."""

    def __init__(
        self, database: Database, settings: Settings | None, clock: Callable[[], datetime]
    ) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.stored: dict[str, _Stored] = {}
        dialect = database.engine.dialect
        owner_key = func.coalesce(
            literal_column("'worker:'", String) + Worker.ref,
            literal_column("'team:'", String) + FeedToken.team,
        )
        query = (
            select(FeedToken.token_hash, Worker.ref, FeedToken.team, FeedCache.etag)
            .select_from(FeedToken)
            .outerjoin(Worker, Worker.id == FeedToken.worker_id)
            .outerjoin(FeedCache, FeedCache.owner == owner_key)
            .where(FeedToken.token_hash == bindparam("h"), FeedToken.revoked_at.is_(None))
        )
        self.lookup_sql = str(query.compile(dialect=dialect))
        self.positional = bool(dialect.positional)
        self.autocommit_needed = dialect.name != "sqlite"  # SQLite's is set by scheduler.db
        self.raw: PoolProxiedConnection | None = None

    def respond(self, request: Request) -> Response:
        name: str = request.path_params["name"]
        token = name.removesuffix(".ics")
        if token == name or not is_well_formed(token):
            return not_found()
        wanted = hash_token(token)
        found = self._lookup(wanted)
        if found is None:
            return not_found()
        owner, etag = found
        stored = self.stored.get(owner.key)
        if stored is None or stored.etag != etag:
            stored = self._load(owner.key)
        if self._stale(stored):
            stored = self._load(owner.key)  # a commit or the nightly run may have moved it on
            if self._stale(stored):
                self._refresh(owner)
                stored = self._load(owner.key)
        if stored is None:
            return not_found()
        headers = {"ETag": stored.etag, "Last-Modified": stored.http_date, **FEED_HEADERS}
        if not_modified(request, stored.etag, stored.last_modified, self.clock()):
            return Response(status_code=304, headers=headers)
        headers["Content-Length"] = str(len(stored.body))
        content = b"" if request.method == "HEAD" else stored.body
        return Response(content, headers=headers, media_type=CALENDAR_TYPE)

    def close(self) -> None:
        """Give the held connection back (at server shutdown)."""
        if self.raw is not None:
            self.raw.close()
            self.raw = None

    def _lookup(self, wanted: str) -> tuple[FeedOwner, str | None] | None:
        """The live token's owner and current ETag: one indexed query, no ORM, no BEGIN.

        The connection is held in autocommit mode, so every query sees the latest
        commit (a rotation elsewhere takes effect on the next request).
        """
        params: Any = (wanted,) if self.positional else {"h": wanted}
        for attempt in (1, 2):
            try:
                if self.raw is None:
                    self.raw = self.database.engine.raw_connection()
                    if self.autocommit_needed:
                        self.raw.driver_connection.autocommit = True  # type: ignore[union-attr]
                    # Kept out of the pool: an autocommit connection must never be lent
                    # to code that expects transactions.
                    self.raw.detach()
                cursor = self.raw.cursor()
                try:
                    cursor.execute(self.lookup_sql, params)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                break
            except Exception:
                if self.raw is not None:
                    self.raw.invalidate()
                    self.raw = None
                if attempt == 2:
                    raise
        if row is None:
            return None
        token_hash, ref, team, etag = row
        # The index found it by equality; compare again in constant time all the same.
        if not _constant_time_equal(token_hash, wanted):
            return None
        if ref is not None:
            return FeedOwner("worker", ref), etag
        if team is not None:
            return FeedOwner("team", team), etag
        return None

    def _load(self, owner: str) -> _Stored | None:
        with self.database.engine.connect() as connection:
            row = connection.execute(
                select(
                    FeedCache.etag, FeedCache.last_modified, FeedCache.window_start, FeedCache.body
                ).where(FeedCache.owner == owner)
            ).first()
        if row is None:
            self.stored.pop(owner, None)
            return None
        modified = row.last_modified.astimezone(UTC).replace(microsecond=0)
        stored = _Stored(
            etag=row.etag,
            last_modified=modified,
            http_date=format_datetime(modified, usegmt=True),
            window_start=row.window_start,
            body=bytes(row.body),
        )
        self.stored[owner] = stored
        return stored

    def _stale(self, stored: _Stored | None) -> bool:
        if self.settings is None:
            return False
        if stored is None:
            return True
        return stored.window_start < window_start(self.clock(), self.settings)

    def _refresh(self, owner: FeedOwner) -> None:
        assert self.settings is not None
        try:
            with self.database.transaction() as session:
                refresh_feeds(
                    session,
                    now=self.clock(),
                    settings=self.settings,
                    owners=[owner.key],
                    yield_to_others=True,
                )
        except (IntegrityError, OperationalError) as exc:
            # Another process (a plan commit) is writing feeds: what it stores wins.
            log.info("feed refresh yielded to a concurrent writer: %s", type(exc).__name__)


def _constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def not_modified(request: Request, etag: str, last_modified: datetime, now: datetime) -> bool:
    """Whether the client's copy is current (RFC 9110 section 13.2.2 order)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None or since > now + timedelta(minutes=1):
        return False  # not a valid HTTP-date, or a date we cannot have sent
    return last_modified.replace(microsecond=0) <= since


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of ``etag`` with an If-None-Match value (list or ``*``)."""
    if header.strip() == "*":
        return True
    position = 0
    while position < len(header):
        match = _ETAG.match(header, position)
        if match is None:
            return False  # malformed: no match, send the full body
        if match.group(2) == etag:
            return True
        position = match.end()
    return False


def run_server(app: Starlette, *, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve ``app`` with uvicorn until interrupted (no access log, no Server header)."""
    uvicorn.Server(_config(app, host, port)).run()


def _config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,  # request lines hold the secret tokens
        server_header=False,
        log_level="warning",
        lifespan="on",
    )


@contextlib.contextmanager
def serving(app: Starlette, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` in a real uvicorn server on a free port in a thread; yields its URL.

    For tests and benchmarks: the same server ``keyworker serve`` runs, on loopback.
    """
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(_config(app, host, port))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="feed-server", daemon=True
    )
    thread.start()
    try:
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise RuntimeError("the feed server did not start")
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
