"""Calendars: each worker's sessions as an iCalendar feed, rendered, stored and served.

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
"""

from __future__ import annotations

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

__all__ = [
    "MAX_FEED_BYTES",
    "PAST_DAYS",
    "FeedEvent",
    "FeedKeyError",
    "FeedKeyMismatch",
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
    "entity_tag",
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
    "team_owner",
    "trim_to_size",
    "vtimezone",
    "window_start",
    "worker_owner",
]
