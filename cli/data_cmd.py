"""Commands that set up and show the stored data: init, import, show, demo, audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

import scheduler
from cli.context import app_context
from cli.feeds_cmd import ensure_feed_key
from cli.options import JsonOption, parse_as_of, parse_day, today
from cli.output import emit_json, jsonable, key, print_import_failure, print_table, records
from cli.tables import shown

if TYPE_CHECKING:
    from scheduler import ImportReport, Table

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
    revision = scheduler.upgrade_schema(context.raw_database().engine)
    typer.echo(f"database ready at schema revision {revision} ({_safe_url(context.db_url)})")
    typer.echo(ensure_feed_key(context, explicit=False))


def import_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="A directory, or workers.csv etc.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATETIME",
            help="sessions.csv: take this ISO 8601 time as now (local if no offset).",
        ),
    ] = None,
) -> None:
    """Import workers, children, plans, absences, closures and sessions (what happened to
    sessions) CSV files or .xlsx workbooks, in one transaction."""
    context = app_context(ctx)
    try:
        report = scheduler.import_files(
            context.database,
            paths,
            actor=context.actor,
            now=context.now,
            timezone=context.settings.timezone,
            dry_run=dry_run,
            as_of=parse_as_of(as_of, context),
        )
    except scheduler.ImportFailed as exc:
        print_import_failure(exc)  # the root causes, then a count of what follows from them
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
    scheduler.upgrade_schema(context.raw_database().engine)
    typer.echo(ensure_feed_key(context, explicit=False))
    files = scheduler.write_demo(directory, today(context))
    typer.echo(f"wrote {', '.join(str(f) for f in files)}")
    report = scheduler.import_files(
        context.database,
        [directory],
        actor=context.actor,
        now=context.now,
        timezone=context.settings.timezone,
    )
    _print_report(report)


@show_app.command("workers")
def show_workers(ctx: typer.Context, json_file: JsonOption = None) -> None:
    """Every worker with caseload, skills, languages and availability.

    --json: a list of {ref, name, team, hours, caseload, skills, languages,
    availability, leaves}."""
    context = app_context(ctx)
    _show(scheduler.workers_table(context.database, today(context)), json_file)


@show_app.command("children")
def show_children(ctx: typer.Context, json_file: JsonOption = None) -> None:
    """Every child with risk, key worker and needs.

    --json: a list of {ref, initials, team, risk, key_worker, pinned, needs_skills,
    language, plans}."""
    context = app_context(ctx)
    _show(scheduler.children_table(context.database, today(context)), json_file)


@show_app.command("plan")
def show_plan(ctx: typer.Context, json_file: JsonOption = None) -> None:
    """The current plan: each child's key and secondary worker.

    --json: the whole current plan (allocations, sessions, alerts, metrics) in the Plan
    JSON shape of 'plan --json' and 'export plan'; null before the first commit."""
    context = app_context(ctx)
    if json_file is not None:
        emit_json(json_file, scheduler.current_plan(context.database))
        return
    _print(scheduler.plan_table(context.database, context.settings.zone))


CHILD_SECTIONS = ("child", "support_plans", "key_and_secondary_workers", "sessions",
                  "open_alerts")  # fmt: skip
WORKER_SECTIONS = ("worker", "absences", "sessions")


@show_app.command("child")
def show_child(ctx: typer.Context, ref: str, json_file: JsonOption = None) -> None:
    """One child: details, plans, key-worker history, sessions.

    --json: an object with "child" (the details) and the lists "support_plans",
    "key_and_secondary_workers", "sessions" and "open_alerts"."""
    context = app_context(ctx)
    tables = scheduler.child_tables(context.database, ref, today(context), context.settings.zone)
    _show_sections(tables, CHILD_SECTIONS, json_file)


@show_app.command("closures")
def show_closures(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="First day, YYYY-MM-DD (default: today)."),
    ] = None,
    weeks: Annotated[int, typer.Option(metavar="N", help="How far ahead, in weeks.", min=1)] = 26,
    json_file: JsonOption = None,
) -> None:
    """Closed days ahead: closures.csv and the configured region's bank holidays.

    --json: a list of {from, to, team, why}; team null means every team."""
    context = app_context(ctx)
    region = context.settings.holiday_region
    first = parse_day(start, today(context), "--from")
    last = first + timedelta(weeks=weeks) - timedelta(days=1)
    spans = scheduler.closed_days(context.database, first, last, region)
    if json_file is not None:
        rows = [(s.start, s.end, s.team, s.why) for s in spans]
        emit_json(json_file, records(("from", "to", "team", "why"), rows))
        return
    title = f"Closed days {first} .. {last}"
    title += f" (bank holidays of {region})" if region else " (bank holidays not closed)"
    _print(
        scheduler.Table(
            title,
            ("from", "to", "team", "why"),
            [(s.start, s.end, s.team or "every team", s.why) for s in spans],
        )
    )


@show_app.command("worker")
def show_worker(ctx: typer.Context, ref: str, json_file: JsonOption = None) -> None:
    """One worker: details, caseload, absences, sessions.

    --json: an object with "worker" (the details) and the lists "absences" and
    "sessions"."""
    context = app_context(ctx)
    tables = scheduler.worker_tables(context.database, ref, today(context), context.settings.zone)
    _show_sections(tables, WORKER_SECTIONS, json_file)


def audit_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(metavar="N", help="How many entries, newest first.")] = 50,
    json_file: JsonOption = None,
) -> None:
    """Who did what and when (wall-clock time; the --as-of it was run with beside it).

    --json: a list of {at, actor, action, as_of, detail}, newest first; times ISO 8601
    with their UTC offset, detail as recorded (an object)."""
    context = app_context(ctx)
    zone = context.settings.zone
    entries = scheduler.audit_log(context.database, limit)
    if json_file is not None:
        emit_json(
            json_file,
            [
                {
                    "at": jsonable(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "as_of": jsonable(e.as_of),
                    "detail": _detail(e.detail),
                }
                for e in entries
            ],
        )
        return
    rows = [
        (_local(e.at, zone), e.actor, e.action, _local(e.as_of, zone), e.detail) for e in entries
    ]
    _print(scheduler.Table("Audit log", ("when", "who", "action", "as of", "detail"), rows))


def _detail(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def _print(table: Table) -> None:
    """A table of the read views: its title, then its rows."""
    typer.echo(shown(table.title))
    if table.headers:
        print_table(table.headers, table.rows)
    typer.echo("")


def _show(table: Table, json_file: Path | None) -> None:
    """A table, or with --json its rows as a list of objects."""
    if json_file is None:
        _print(table)
    else:
        emit_json(json_file, records(table.headers, table.rows))


def _show_sections(tables: Sequence[Table], names: Sequence[str], json_file: Path | None) -> None:
    """Several tables, or with --json one object: the first (field, value) table as an
    object under ``names[0]``, each other table's rows as a list under its name."""
    if json_file is None:
        for table in tables:
            _print(table)
        return
    details, *rest = tables
    data: dict[str, Any] = {names[0]: {key(str(f)): jsonable(v) for f, v in details.rows}}
    for name, table in zip(names[1:], rest, strict=True):
        data[name] = records(table.headers, table.rows)
    emit_json(json_file, data)


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
        str | None,
        typer.Option("--as-of", metavar="DATETIME", help="From this ISO 8601 time (default now)."),
    ] = None,
    json_file: JsonOption = None,
) -> None:
    """Every joint handover session planned from now: who hands over to whom, and when.

    --json: a list of {child, when, from_outgoing, to_incoming, takes_over, session}."""
    context = app_context(ctx)
    since = parse_as_of(as_of, context)
    _show(scheduler.handovers_table(context.database, context.settings.zone, since), json_file)


@show_app.command("week")
def show_week(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="DATE",
            help="Any day of the week to show, YYYY-MM-DD (default today).",
        ),
    ] = None,
    team: Annotated[
        str | None, typer.Option("--team", metavar="TEAM", help="Only this team's workers.")
    ] = None,
    json_file: JsonOption = None,
) -> None:
    """One week of the current plan: a row per worker, a column per day.

    --json: a list of {worker, days}, days mapping each date of the week (Monday first,
    YYYY-MM-DD) to that day's sessions as shown in the table ("" for none)."""
    context = app_context(ctx)
    day = parse_day(start, today(context), "--start")
    monday = day - timedelta(days=day.weekday())
    table = scheduler.week_table(context.database, context.settings.zone, monday, team)
    if json_file is None:
        _print(table)
        return
    days = [(monday + timedelta(days=k)).isoformat() for k in range(7)]
    emit_json(
        json_file,
        [{"worker": row[0], "days": dict(zip(days, row[1:], strict=True))} for row in table.rows],
    )
