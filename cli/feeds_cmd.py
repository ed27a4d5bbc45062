"""``keyworker feeds ...`` and ``keyworker calendars export``: subscribe URLs and files.

The lead mounts ``feeds_app`` as ``feeds`` and ``calendars_app`` as ``calendars``.
Each command reads what it needs from the context object (``database``,
``settings``, ``actor``, ``now``, ``db_url`` and ``environ``; or ``secret_file``, the
feed key's path, which wins). The key's place is never the current folder: see
:mod:`calendars.keyfile`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.options import parse_as_of
from scheduler import ConfigError

if TYPE_CHECKING:
    from calendars import FeedOwner, KeyLocation

# The calendars package (its server stack included) is imported by the commands that
# use it, not at start-up (bench/STARTUP.md).

feeds_app = typer.Typer(
    help="Secret calendar subscribe URLs for workers and team managers.",
    no_args_is_help=True,
)
calendars_app = typer.Typer(help="Calendar files for teams without a feed server.")


def _obj(ctx: typer.Context) -> Any:
    return ctx.find_root().obj or ctx.obj


def feed_key_location(obj: Any) -> KeyLocation:
    """``obj.secret_file`` if set, else $KEYWORKER_SECRET_FILE, [feeds] key_file, default."""
    from calendars.keyfile import KeyLocation, key_location

    given = getattr(obj, "secret_file", None)
    if given is not None:
        return KeyLocation(Path(given), "given")
    environ: Mapping[str, str] = getattr(obj, "environ", None) or os.environ
    db_url = getattr(obj, "db_url", None) or obj.database.url
    return key_location(db_url, obj.settings.feed_key_file, environ)


def ensure_feed_key(obj: Any, *, explicit: bool) -> str:
    """Create the feed key where it belongs unless it is there; a line saying what happened.

    ``keyworker init`` (``explicit=False``) does not make a new key while subscribe URLs
    issued with a lost one are live: that needs the manager's decision (``feeds
    init-key``), and the message says where the old key was expected.
    """
    from calendars.keyfile import create_secret_key
    from calendars.tokens import live_token_count

    location = feed_key_location(obj)
    if location.path.exists():
        return f"feed key: {location.path} ({location.source})"
    with obj.database.reading() as session:
        live = live_token_count(session)
    if live and not explicit:
        typer.echo(
            f"warning: the feed key is missing: expected at {location.path} "
            f"({location.source}) and {live} subscribe URL(s) were issued with it; restore "
            "it from your backup, or run 'keyworker feeds init-key' to make a new one "
            "(every URL then needs 'keyworker feeds rotate')",
            err=True,
        )
        return f"feed key: missing at {location.path}"
    create_secret_key(location.path)
    note = (
        f"; the {live} live subscribe URL(s) cannot be shown again: 'keyworker feeds "
        "rotate REF' gives each worker a new one"
        if live
        else ""
    )
    return f"feed key: created {location.path} ({location.source}, owner-only){note}"


def _secret_key(obj: Any) -> tuple[bytes, KeyLocation]:
    from calendars.keyfile import read_secret_key
    from calendars.tokens import live_token_count

    location = feed_key_location(obj)
    with obj.database.reading() as session:
        live = live_token_count(session)
    return read_secret_key(location, urls_issued=live), location


def _print_url(obj: Any, owner: FeedOwner, *, rotate: bool) -> None:
    from calendars import FeedKeyMismatch, current_token, feed_url, refresh_feeds, rotate_token
    from scheduler import audit

    key, location = _secret_key(obj)
    with obj.database.transaction() as session:
        detail: dict[str, Any] = (
            {"worker": owner.name} if owner.kind == "worker" else {"team": owner.name}
        )
        if rotate:
            token = rotate_token(session, owner, key=key, now=obj.now)
            audit.record(session, actor=obj.actor, action="feeds.rotate", at=obj.now, **detail)
        else:
            try:
                token = current_token(session, owner, key=key, now=obj.now)
            except FeedKeyMismatch as exc:
                raise FeedKeyMismatch(exc.owner, location.path) from None
            # Issuing a secret URL is audited: whoever holds it reads the worker's diary.
            audit.record(session, actor=obj.actor, action="feeds.url", at=obj.now, **detail)
        # A new worker has no stored feed until the next commit; give them one now.
        refresh_feeds(session, now=obj.now, settings=obj.settings, owners=[owner.key])
    base = obj.settings.feed_base_url
    typer.echo(feed_url(base, token))
    if not base.startswith("https://"):
        typer.echo(
            f"note: [feeds] base_url is {base}; calendar apps outside this machine need the "
            "public https:// address of the feed server",
            err=True,
        )


@feeds_app.command("init-key")
def init_key(ctx: typer.Context) -> None:
    """Create the feed key where the configuration puts it (never overwrites one)."""
    typer.echo(ensure_feed_key(_obj(ctx), explicit=True))


def _owner_url(ctx: typer.Context, kind: str, name: str, *, rotate: bool) -> None:
    """Print (``rotate``: first replace) the subscribe URL of worker or team ``name``."""
    from calendars.tokens import team_owner, worker_owner

    obj = _obj(ctx)
    with obj.database.reading() as session:
        owner = worker_owner(session, name) if kind == "worker" else team_owner(session, name)
    _print_url(obj, owner, rotate=rotate)


WorkerRef = Annotated[str, typer.Argument(help="Worker reference, e.g. W007.")]
TeamName = Annotated[str, typer.Argument(help="Team name, as in workers.csv.")]


@feeds_app.command("url")
def url(ctx: typer.Context, ref: WorkerRef) -> None:
    """Print the worker's secret subscribe URL (the same one each time until rotated)."""
    _owner_url(ctx, "worker", ref, rotate=False)


@feeds_app.command("rotate")
def rotate(ctx: typer.Context, ref: WorkerRef) -> None:
    """Issue a new subscribe URL for the worker; the old one stops working at once."""
    _owner_url(ctx, "worker", ref, rotate=True)


@feeds_app.command("team-url")
def team_url(ctx: typer.Context, team: TeamName) -> None:
    """Print the manager's subscribe URL for every session of a team."""
    _owner_url(ctx, "team", team, rotate=False)


@feeds_app.command("team-rotate")
def team_rotate(ctx: typer.Context, team: TeamName) -> None:
    """Issue a new team subscribe URL; the old one stops working at once."""
    _owner_url(ctx, "team", team, rotate=True)


@calendars_app.command("export")
def export(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder to write REF.ics files into.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATETIME",
            help="Export as if it were this ISO 8601 time (local time without an offset).",
        ),
    ] = None,
) -> None:
    """Write one REF.ics per worker: their sessions from 14 days back to the horizon end."""
    from calendars import export_calendars
    from scheduler import audit

    obj = _obj(ctx)
    try:
        now = parse_as_of(as_of, obj)
    except ConfigError as exc:  # said here: the feeds apps are also mounted on their own
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    with obj.database.transaction() as session:
        paths = export_calendars(session, directory, now=now, settings=obj.settings)
        audit.record(
            session,
            actor=obj.actor,
            action="calendars.export",
            at=obj.now,
            as_of=now,
            directory=str(directory),
            files=len(paths),
        )
    typer.echo(f"wrote {len(paths)} calendar{'s' if len(paths) != 1 else ''} to {directory}")
