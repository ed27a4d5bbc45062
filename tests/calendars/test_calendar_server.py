"""The feed server over real HTTP: uvicorn on 127.0.0.1, a random port, httpx as client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from calendar_builders import NOW, SETTINGS, add_worker, golden_plan
from sqlalchemy import select

from calendars import (
    FeedOwner,
    create_app,
    current_token,
    refresh_feeds,
    rotate_token,
    serving,
)
from scheduler.db import Database
from scheduler.models import FeedCache

KEY = bytes(range(32))
W001 = FeedOwner("worker", "W001")


@dataclass
class Served:
    client: httpx.Client
    database: Database
    token: str
    clock: list[datetime]

    @property
    def path(self) -> str:
        return f"/feeds/{self.token}.ics"

    def cache(self, owner: str = "worker:W001") -> FeedCache:
        with self.database.reading() as session:
            return session.scalars(select(FeedCache).where(FeedCache.owner == owner)).one()


@pytest.fixture
def served(database: Database) -> Iterator[Served]:
    with database.transaction() as session:
        golden_plan(session)
        refresh_feeds(session, now=NOW, settings=SETTINGS)
        token = current_token(session, W001, key=KEY, now=NOW)
    clock = [NOW + timedelta(hours=1)]
    app = create_app(database, settings=SETTINGS, clock=lambda: clock[0])
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield Served(client, database, token, clock)


def test_get_serves_the_stored_feed_with_strong_validators(served: Served) -> None:
    response = served.client.get(served.path, headers={"Accept-Encoding": "gzip, br"})
    stored = served.cache()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"] == stored.etag and not stored.etag.startswith("W/")
    assert response.headers["last-modified"] == format_datetime(stored.last_modified, usegmt=True)
    assert "content-encoding" not in response.headers
    assert "server" not in response.headers
    assert response.content == stored.body
    assert int(response.headers["content-length"]) == len(stored.body)


def test_head_sends_the_headers_without_the_body(served: Served) -> None:
    get = served.client.get(served.path)
    head = served.client.head(served.path)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "etag", "last-modified", "content-length", "cache-control"):
        assert head.headers[name] == get.headers[name]


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


CONDITIONAL_CASES: list[tuple[dict[str, str], int]] = [
    ({"If-None-Match": "{etag}"}, 304),
    ({"If-None-Match": "W/{etag}"}, 304),
    ({"If-None-Match": '"other", {etag}'}, 304),
    ({"If-None-Match": "*"}, 304),
    ({"If-None-Match": '"other"'}, 200),
    ({"If-None-Match": "garbage"}, 200),
    ({"If-Modified-Since": "{last_modified}"}, 304),
    ({"If-Modified-Since": "{later}"}, 304),
    ({"If-Modified-Since": "{earlier}"}, 200),
    ({"If-Modified-Since": "not a date"}, 200),
    ({"If-Modified-Since": "{future}"}, 200),
    # If-None-Match decides alone when both are sent.
    ({"If-None-Match": '"other"', "If-Modified-Since": "{last_modified}"}, 200),
    ({"If-None-Match": "{etag}", "If-Modified-Since": "{earlier}"}, 304),
]


def test_conditional_requests_answer_304_only_on_a_real_match(served: Served) -> None:
    stored = served.cache()
    values = {
        "etag": stored.etag,
        "last_modified": _http_date(stored.last_modified),
        "later": _http_date(stored.last_modified + timedelta(minutes=5)),
        "earlier": _http_date(stored.last_modified - timedelta(seconds=1)),
        "future": _http_date(served.clock[0] + timedelta(days=1)),
    }
    for headers, status in CONDITIONAL_CASES:
        sent = {name: value.format(**values) for name, value in headers.items()}
        for method in ("GET", "HEAD"):
            response = served.client.request(method, served.path, headers=sent)
            assert response.status_code == status, (method, sent)
            if status == 304:
                assert response.content == b""
                assert response.headers["etag"] == stored.etag
                assert "content-type" not in response.headers
            elif method == "GET":
                assert response.content == stored.body


def test_unknown_rotated_malformed_and_other_paths_get_the_same_404(served: Served) -> None:
    with served.database.transaction() as session:
        new = rotate_token(session, W001, key=KEY, now=NOW + timedelta(hours=2))
    requests = [
        ("GET", served.path),  # rotated
        ("GET", "/feeds/" + "A" * 43 + ".ics"),  # well-formed, unknown
        ("GET", "/feeds/" + new[:-1] + ".ics"),
        ("GET", "/feeds/" + new),  # no .ics
        ("GET", "/feeds/" + new + ".ics/more"),
        ("GET", "/feeds/short.ics"),
        ("GET", "/feeds/"),
        ("GET", "/feeds"),
        ("GET", "/"),
        ("GET", "/favicon.ico"),
        ("GET", "/feeds/%2e%2e/etc/passwd"),
        ("POST", "/feeds/" + new + ".ics"),
        ("DELETE", "/healthz"),
        ("GET", "/feeds/" + new + ".ics/"),  # trailing slashes: no redirect (issue #12)
        ("HEAD", "/feeds/" + new + ".ics/"),
        ("GET", "/healthz/"),
        ("GET", "/feeds/" + "A" * 43 + ".ics/"),
    ]
    responses = [served.client.request(method, path) for method, path in requests]
    for (method, path), response in zip(requests, responses, strict=True):
        assert response.status_code == 404, (method, path)
        assert response.content == (b"" if method == "HEAD" else b"Not Found\n"), (method, path)
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert "allow" not in response.headers
        # the same caching and sniffing headers as a feed: a 404 is not told apart
        assert response.headers["cache-control"] == "private, no-cache", (method, path)
        assert response.headers["x-content-type-options"] == "nosniff", (method, path)
    assert served.client.get(f"/feeds/{new}.ics").status_code == 200


def test_trailing_slash_redirect_aimed_by_the_host_header_is_gone(served: Served) -> None:
    """Regression: ``/healthz/`` with ``Host: evil.example`` gave a 307 to evil.example."""
    for path in (served.path + "/", "/healthz/", "/feeds/x.ics/"):
        response = served.client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 404, path
        assert "location" not in response.headers, path
    ok = served.client.get(served.path)
    assert ok.status_code == 200
    assert ok.headers["cache-control"] == "private, no-cache"
    assert ok.headers["x-content-type-options"] == "nosniff"


def test_a_rotated_url_is_dead_at_once(served: Served) -> None:
    assert served.client.get(served.path).status_code == 200  # and now in the body cache
    with served.database.transaction() as session:
        new = rotate_token(session, W001, key=KEY, now=NOW + timedelta(hours=2))
    assert served.client.get(served.path).status_code == 404
    assert served.client.get(f"/feeds/{new}.ics").status_code == 200


def test_a_feed_is_re_rendered_when_its_window_has_moved_on(served: Served) -> None:
    first = served.client.get(served.path)
    assert b"UID:s-past\r\n" in first.content
    served.clock[0] = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)
    moved = served.client.get(served.path, headers={"If-None-Match": first.headers["etag"]})
    assert moved.status_code == 200
    assert b"UID:s-past\r\n" not in moved.content
    assert moved.headers["etag"] != first.headers["etag"]
    again = served.client.get(served.path, headers={"If-None-Match": moved.headers["etag"]})
    assert again.status_code == 304


def test_a_new_worker_gets_an_empty_feed_before_any_commit(served: Served) -> None:
    with served.database.transaction() as session:
        add_worker(session, ref="W050", name="New Starter")
        token = current_token(session, FeedOwner("worker", "W050"), key=KEY, now=NOW)
    response = served.client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


def test_healthz(served: Served) -> None:
    response = served.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "feeds": 5,
        "feeds_updated": served.cache().last_modified.isoformat(),
    }


def test_healthz_reports_failure_with_503(database: Database) -> None:
    app = create_app(database, health=lambda: (False, {"nightly": "last run failed"}))
    with serving(app) as url:
        response = httpx.get(f"{url}/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "nightly": "last run failed"}


def test_errors_get_a_plain_page_without_details(tmp_path: Path) -> None:
    broken = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables at all
    try:
        app = create_app(broken)
        with serving(app) as url:
            feed = httpx.get(f"{url}/feeds/{'A' * 43}.ics")
            health = httpx.get(f"{url}/healthz")
    finally:
        broken.dispose()
    assert feed.status_code == 500
    assert feed.content == b"Internal Server Error\n"
    assert health.status_code == 503
    assert health.json() == {"status": "failing", "database": "unreachable"}


def test_keep_alive_responses_do_not_wait_for_a_delayed_ack(served: Served) -> None:
    """Regression: without TCP_NODELAY every response on a reused connection took ~44 ms."""
    import time

    served.client.get("/healthz")  # open the connection
    began = time.perf_counter()
    for _ in range(10):
        assert served.client.get("/feeds/unknown.ics").status_code == 404
    assert time.perf_counter() - began < 0.35
