"""Calendars: each worker's sessions as an iCalendar feed, rendered, stored and served.

* :mod:`calendars.subscriptions` the use cases of ``keyworker feeds`` and
  ``calendars export``: the feed key, subscribe URLs, calendar files;
* :mod:`calendars.feed` renders a feed from plain data (pure, deterministic);
* :mod:`calendars.timezones` writes VTIMEZONEs as one yearly rule pair;
* :mod:`calendars.snapshot` reads the stored plan once and renders the feeds from it;
* :mod:`calendars.events` decides what a feed shows about a child (the privacy rule);
* :mod:`calendars.cache` keeps the rendered feeds in ``feed_cache``;
* :mod:`calendars.tokens` issues, rotates and checks the secret subscribe tokens;
* :mod:`calendars.keyfile` says where the feed key lives and creates it;
* :mod:`calendars.server` serves the cached feeds (Starlette on uvicorn);
* :mod:`calendars.export` writes one ``REF.ics`` per worker;
* :mod:`calendars.errors` holds the package's one exception.

The names are loaded lazily (PEP 562), as :mod:`scheduler`'s are: ``import calendars``
costs nothing, and ``calendars.key_location`` imports only its own module, so ``keyworker
init`` and the CLI start without icalendar or the server stack. ``_PUBLIC`` is the one
table of where each name lives; ``__all__`` and the ``TYPE_CHECKING`` imports repeat it
(``tests/calendars/test_public_surface.py`` checks that the three agree).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC: dict[str, str] = {
    "RefreshStats": "calendars.cache:RefreshStats",
    "entity_tag": "calendars.cache:entity_tag",
    "refresh_feeds": "calendars.cache:refresh_feeds",
    "FeedKeyError": "calendars.errors:FeedKeyError",
    "FeedKeyMismatch": "calendars.errors:FeedKeyMismatch",
    "export_calendars": "calendars.export:export_calendars",
    "FeedEvent": "calendars.feed:FeedEvent",
    "FeedSpec": "calendars.feed:FeedSpec",
    "render_feed": "calendars.feed:render_feed",
    "render_feed_fitted": "calendars.feed:render_feed_fitted",
    "render_feed_typed": "calendars.feed:render_feed_typed",
    "trim_to_size": "calendars.feed:trim_to_size",
    "KeyLocation": "calendars.keyfile:KeyLocation",
    "create_secret_key": "calendars.keyfile:create_secret_key",
    "database_identity": "calendars.keyfile:database_identity",
    "default_key_path": "calendars.keyfile:default_key_path",
    "key_location": "calendars.keyfile:key_location",
    "read_secret_key": "calendars.keyfile:read_secret_key",
    "create_app": "calendars.server:create_app",
    "run_server": "calendars.server:run_server",
    "serving": "calendars.server:serving",
    "MAX_FEED_BYTES": "calendars.snapshot:MAX_FEED_BYTES",
    "PAST_DAYS": "calendars.snapshot:PAST_DAYS",
    "RenderedFeed": "calendars.snapshot:RenderedFeed",
    "render_feeds": "calendars.snapshot:render_feeds",
    "team_owner": "calendars.snapshot:team_owner",
    "window_start": "calendars.snapshot:window_start",
    "worker_owner": "calendars.snapshot:worker_owner",
    "vtimezone": "calendars.timezones:vtimezone",
    "FeedOwner": "calendars.tokens:FeedOwner",
    "current_token": "calendars.tokens:current_token",
    "derive_token": "calendars.tokens:derive_token",
    "feed_url": "calendars.tokens:feed_url",
    "hash_token": "calendars.tokens:hash_token",
    "is_well_formed": "calendars.tokens:is_well_formed",
    "live_token_count": "calendars.tokens:live_token_count",
    "load_secret_key": "calendars.tokens:load_secret_key",
    "lookup": "calendars.tokens:lookup",
    "rotate_token": "calendars.tokens:rotate_token",
    "FeedKeyState": "calendars.subscriptions:FeedKeyState",
    "ensure_feed_key": "calendars.subscriptions:ensure_feed_key",
    "subscribe_url": "calendars.subscriptions:subscribe_url",
    "export_calendar_files": "calendars.subscriptions:export_calendar_files",
}

__all__ = [
    "MAX_FEED_BYTES",
    "PAST_DAYS",
    "FeedEvent",
    "FeedKeyError",
    "FeedKeyMismatch",
    "FeedKeyState",
    "FeedOwner",
    "FeedSpec",
    "KeyLocation",
    "RefreshStats",
    "RenderedFeed",
    "create_app",
    "create_secret_key",
    "current_token",
    "database_identity",
    "default_key_path",
    "derive_token",
    "ensure_feed_key",
    "entity_tag",
    "export_calendar_files",
    "export_calendars",
    "feed_url",
    "hash_token",
    "is_well_formed",
    "key_location",
    "live_token_count",
    "load_secret_key",
    "lookup",
    "read_secret_key",
    "refresh_feeds",
    "render_feed",
    "render_feed_fitted",
    "render_feed_typed",
    "render_feeds",
    "rotate_token",
    "run_server",
    "serving",
    "subscribe_url",
    "team_owner",
    "trim_to_size",
    "vtimezone",
    "window_start",
    "worker_owner",
]

if TYPE_CHECKING:
    from calendars.cache import RefreshStats, entity_tag, refresh_feeds
    from calendars.errors import FeedKeyError, FeedKeyMismatch
    from calendars.export import export_calendars
    from calendars.feed import (
        FeedEvent,
        FeedSpec,
        render_feed,
        render_feed_fitted,
        render_feed_typed,
        trim_to_size,
    )
    from calendars.keyfile import (
        KeyLocation,
        create_secret_key,
        database_identity,
        default_key_path,
        key_location,
        read_secret_key,
    )
    from calendars.server import create_app, run_server, serving
    from calendars.snapshot import (
        MAX_FEED_BYTES,
        PAST_DAYS,
        RenderedFeed,
        render_feeds,
        team_owner,
        window_start,
        worker_owner,
    )
    from calendars.subscriptions import (
        FeedKeyState,
        ensure_feed_key,
        export_calendar_files,
        subscribe_url,
    )
    from calendars.timezones import vtimezone
    from calendars.tokens import (
        FeedOwner,
        current_token,
        derive_token,
        feed_url,
        hash_token,
        is_well_formed,
        live_token_count,
        load_secret_key,
        lookup,
        rotate_token,
    )


def __getattr__(name: str) -> Any:
    """Import the module that holds ``name`` on first use (PEP 562), and keep it."""
    try:
        module, attribute = _PUBLIC[name].split(":")
    except KeyError:
        raise AttributeError(f"module 'calendars' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
