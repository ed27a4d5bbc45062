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
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from cli.options import parse_as_of
from scheduler import ConfigError

if TYPE_CHECKING:
    from calendars import KeyLocation

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
    from calendars import KeyLocation, key_location

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
    from calendars import ensure_feed_key as ensure

    state = ensure(feed_key_location(obj), lambda: obj.database, explicit=explicit)
    location, live = state.location, state.live_urls
    if state.outcome == "present":
        return f"feed key: {location.path} ({location.source})"
    if state.outcome == "missing":
        typer.echo(
            f"warning: the feed key is missing: expected at {location.path} "
            f"({location.source}) and {live} subscribe URL(s) were issued with it; restore "
            "it from your backup, or run 'keyworker feeds init-key' to make a new one "
            "(every URL then needs 'keyworker feeds rotate')",
            err=True,
        )
        return f"feed key: missing at {location.path}"
    note = (
        f"; the {live} live subscribe URL(s) cannot be shown again: 'keyworker feeds "
        "rotate REF' gives each worker a new one"
        if live
        else ""
    )
    return f"feed key: created {location.path} ({location.source}, owner-only){note}"


@feeds_app.command("init-key")
def init_key(ctx: typer.Context) -> None:
    """Create the feed key where the configuration puts it (never overwrites one)."""
    typer.echo(ensure_feed_key(_obj(ctx), explicit=True))


def _owner_url(
    ctx: typer.Context, kind: Literal["worker", "team"], name: str, *, rotate: bool
) -> None:
    """Print (``rotate``: first replace) the subscribe URL of worker or team ``name``."""
    from calendars import subscribe_url

    obj = _obj(ctx)
    typer.echo(
        subscribe_url(
            obj.database,
            obj.settings,
            feed_key_location(obj),
            kind=kind,
            name=name,
            rotate=rotate,
            actor=obj.actor,
            now=obj.now,
        )
    )
    base = obj.settings.feed_base_url
    if not base.startswith("https://"):
        typer.echo(
            f"note: [feeds] base_url is {base}; calendar apps outside this machine need the "
            "public https:// address of the feed server",
            err=True,
        )


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
    from calendars import export_calendar_files

    obj = _obj(ctx)
    try:
        now = parse_as_of(as_of, obj)
    except ConfigError as exc:  # said here: the feeds apps are also mounted on their own
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    paths = export_calendar_files(
        obj.database, directory, as_of=now, settings=obj.settings, actor=obj.actor, now=obj.now
    )
    typer.echo(f"wrote {len(paths)} calendar{'s' if len(paths) != 1 else ''} to {directory}")
