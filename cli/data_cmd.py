"""Commands that set up and show the stored data: init, import, show, demo, audit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from cli.context import app_context
from cli.feeds_cmd import ensure_feed_key
from cli.plan_cmd import parse_as_of, parse_day
from cli.tables import render, shown
from scheduler import audit, views
from scheduler.closures import closed_spans
from scheduler.csv_import import ImportReport, import_files
from scheduler.db import upgrade
from scheduler.demo import write_demo
from scheduler.errors import ImportFailed

show_app = typer.Typer(
    help="Readable tables of workers, children, closures and the plan.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("import")(import_command)
    app.command("demo")(demo)
    app.command("audit")(audit_command)
    app.add_typer(show_app, name="show")


def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema, and create the feed key if there is none."""
    context = app_context(ctx)
    revision = upgrade(context.raw_database().engine)
    typer.echo(f"database ready at schema revision {revision} ({_safe_url(context.db_url)})")
    typer.echo(ensure_feed_key(context, explicit=False))


def import_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="A directory, or workers.csv etc.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="sessions.csv: take this ISO 8601 time as now (local if no offset)."
        ),
    ] = None,
) -> None:
    """Import workers, children, plans, absences, closures and sessions (what happened to
    sessions) CSV files or .xlsx workbooks, in one transaction."""
    context = app_context(ctx)
    try:
        report = import_files(
            context.database,
            paths,
            actor=context.actor,
            now=context.now,
            timezone=context.settings.timezone,
            dry_run=dry_run,
            as_of=parse_as_of(as_of, context),
        )
    except ImportFailed as exc:
        for error in exc.errors:  # the root causes, then a count of what follows from them
            typer.echo(str(error), err=True)
        for line in exc.summary_lines():
            typer.echo(line, err=True)
        raise typer.Exit(2) from None
    _print_report(report)


def _print_report(report: ImportReport) -> None:
    for name, counts in report.files.items():
        typer.echo(
            f"{name}: {counts.created} new, {counts.updated} updated, {counts.unchanged} unchanged"
        )
        cleared = report.cleared.get(name, {})
        if cleared:
            listed = ", ".join(f"{column} {n}" for column, n in sorted(cleared.items()))
            typer.echo(f"{name}: empty cells cleared stored values: {listed}")
    for note in report.notes:
        typer.echo(f"note: {shown(note)}")
    if report.dry_run:
        typer.echo("dry run: the files are valid; nothing was written")


def demo(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write the sample CSV files.")
    ] = Path("demo"),
) -> None:
    """Write a realistic sample team as CSV files and import them."""
    context = app_context(ctx)
    upgrade(context.raw_database().engine)
    typer.echo(ensure_feed_key(context, explicit=False))
    today = context.now.astimezone(context.settings.zone).date()
    files = write_demo(directory, today)
    typer.echo(f"wrote {', '.join(str(f) for f in files)}")
    report = import_files(
        context.database,
        [directory],
        actor=context.actor,
        now=context.now,
        timezone=context.settings.timezone,
    )
    _print_report(report)


@show_app.command("workers")
def show_workers(ctx: typer.Context) -> None:
    """Every worker with caseload, skills, languages and availability."""
    context = app_context(ctx)
    with context.database.reading() as session:
        _print(views.workers_table(session, _today(ctx)))


@show_app.command("children")
def show_children(ctx: typer.Context) -> None:
    """Every child with risk, key worker and needs."""
    context = app_context(ctx)
    with context.database.reading() as session:
        _print(views.children_table(session, _today(ctx)))


@show_app.command("plan")
def show_plan(ctx: typer.Context) -> None:
    """The current plan: each child's key and secondary worker."""
    context = app_context(ctx)
    with context.database.reading() as session:
        _print(views.plan_table(session, context.settings.zone))


@show_app.command("child")
def show_child(ctx: typer.Context, ref: str) -> None:
    """One child: details, plans, key-worker history, sessions."""
    context = app_context(ctx)
    with context.database.reading() as session:
        for table in views.child_tables(session, ref, _today(ctx), context.settings.zone):
            _print(table)


@show_app.command("closures")
def show_closures(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    weeks: Annotated[int, typer.Option(help="How far ahead, in weeks.", min=1)] = 26,
) -> None:
    """Closed days ahead: closures.csv and the configured region's bank holidays."""
    context = app_context(ctx)
    region = context.settings.holiday_region
    today = parse_day(start, _today(ctx), "--from")
    last = today + timedelta(weeks=weeks) - timedelta(days=1)
    with context.database.reading() as session:
        spans = closed_spans(session, today, last, region)
    title = f"Closed days {today} .. {last}"
    title += f" (bank holidays of {region})" if region else " (bank holidays not closed)"
    _print(
        views.Table(
            title,
            ("from", "to", "team", "why"),
            [(s.start, s.end, s.team or "every team", s.why) for s in spans],
        )
    )


@show_app.command("worker")
def show_worker(ctx: typer.Context, ref: str) -> None:
    """One worker: details, caseload, absences, sessions."""
    context = app_context(ctx)
    with context.database.reading() as session:
        for table in views.worker_tables(session, ref, _today(ctx), context.settings.zone):
            _print(table)


def audit_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many entries, newest first.")] = 50,
) -> None:
    """Who did what and when (wall-clock time; the --as-of it was run with beside it)."""
    context = app_context(ctx)
    zone = context.settings.zone
    with context.database.reading() as session:
        rows = [
            (_local(e.at, zone), e.actor, e.action, _local(e.as_of, zone), e.detail)
            for e in audit.entries(session, limit)
        ]
    _print(views.Table("Audit log", ("when", "who", "action", "as of", "detail"), rows))


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def _today(ctx: typer.Context) -> date:
    context = app_context(ctx)
    return context.now.astimezone(context.settings.zone).date()


def _print(table: views.Table) -> None:
    typer.echo(shown(table.title))
    if table.headers:
        typer.echo(render(table.headers, table.rows))
    typer.echo("")


def _safe_url(url: str) -> str:
    """The URL without a password, for printing."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url


@show_app.command("handovers")
def show_handovers(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="From this ISO 8601 time (default now).")
    ] = None,
) -> None:
    """Every joint handover session planned from now: who hands over to whom, and when."""
    context = app_context(ctx)
    since = parse_as_of(as_of, context)
    with context.database.reading() as session:
        _print(views.handovers_table(session, context.settings.zone, since))


@show_app.command("week")
def show_week(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option("--start", help="Any day of the week to show, YYYY-MM-DD (default today)."),
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team's workers.")] = None,
) -> None:
    """One week of the current plan: a row per worker, a column per day."""
    context = app_context(ctx)
    day = parse_day(start, _today(ctx), "--start")
    monday = day - timedelta(days=day.weekday())
    with context.database.reading() as session:
        _print(views.week_table(session, context.settings.zone, monday, team))
