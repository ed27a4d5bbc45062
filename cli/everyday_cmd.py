"""The everyday changes without editing files: absence, worker leaves, referral add."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

import scheduler
from cli.context import app_context
from cli.options import JsonOption, parse_day, today
from cli.output import emit_json, print_import_failure, print_table, records

if TYPE_CHECKING:
    from scheduler import ImportReport, InputError

absence_app = typer.Typer(help="Absences: add, end, list.", no_args_is_help=True)
worker_app = typer.Typer(help="A worker's changes: leaves.", no_args_is_help=True)
referral_app = typer.Typer(help="A new referral: a child and their support plan.")

KINDS = ("leave", "sickness", "training", "other")


def register(app: typer.Typer) -> None:
    app.add_typer(absence_app, name="absence")
    app.add_typer(worker_app, name="worker")
    app.add_typer(referral_app, name="referral")


def _imported(change: Callable[[], ImportReport], options: dict[str, str]) -> ImportReport:
    """Run a one-row import; its errors name the command's options, not a file's cells,
    root causes first and what only follows from them counted, as 'import' prints them."""

    def where(error: InputError) -> str:
        option = options.get(error.column, error.column)
        return f"{option + ': ' if option else ''}{error.message} (value: {error.value!r})"

    try:
        return change()
    except scheduler.ImportFailed as exc:
        print_import_failure(exc, where=where, outcome="nothing was changed.")
        raise typer.Exit(2) from None


@absence_app.command("add")
def absence_add(
    ctx: typer.Context,
    worker: Annotated[str, typer.Argument(help="Worker ref, e.g. W007.")],
    start: Annotated[str, typer.Argument(help="First day away, YYYY-MM-DD.")],
    end: Annotated[str, typer.Argument(help="Last day away, YYYY-MM-DD (inclusive).")],
    kind: Annotated[
        str, typer.Option("--kind", help="leave, sickness, training or other.")
    ] = "leave",
    note: Annotated[str | None, typer.Option("--note", help="Free text.")] = None,
) -> None:
    """Record an absence, validated and audited as an import of absences.csv is."""
    context = app_context(ctx)
    _imported(
        lambda: scheduler.add_absence(
            context.database,
            worker=worker,
            start=start,
            end=end,
            kind=kind,
            note=note,
            actor=context.actor,
            now=context.now,
            timezone=context.settings.timezone,
        ),
        {"worker": "WORKER", "start_date": "START", "end_date": "END", "kind": "--kind"},
    )
    typer.echo(f"{worker} is away {start} .. {end} ({kind}); the next plan covers it")


@absence_app.command("end")
def absence_end(
    ctx: typer.Context,
    worker: Annotated[str, typer.Argument(help="Worker ref.")],
    last_day: Annotated[str, typer.Argument(help="The absence's last day now, YYYY-MM-DD.")],
) -> None:
    """End the worker's absence that includes LAST_DAY on that day (back the day after)."""
    context = app_context(ctx)
    day = parse_day(last_day, date.min, "LAST_DAY")
    absence, _ = scheduler.end_absence(
        context.database,
        worker=worker,
        last_day=day,
        actor=context.actor,
        now=context.now,
        timezone=context.settings.timezone,
    )
    typer.echo(f"{worker}'s absence from {absence.start} now ends on {day} (was {absence.end})")


@absence_app.command("list")
def absence_list(
    ctx: typer.Context,
    worker: Annotated[str | None, typer.Argument(help="Only this worker.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also absences that have ended.")] = False,
    json_file: JsonOption = None,
) -> None:
    """Absences that have not ended (with --all: every one), by start date.

    --json: a list of {worker, name, from, to, kind, note}."""
    context = app_context(ctx)
    rows = scheduler.list_absences(
        context.database, worker=worker, since=None if show_all else today(context)
    )
    headers = ("worker", "name", "from", "to", "kind", "note")
    if json_file is not None:
        emit_json(
            json_file,
            records(headers, [(a.worker, a.name, a.start, a.end, a.kind, a.note) for a in rows]),
        )
        return
    if not rows:
        typer.echo("no absences")
        return
    print_table(headers, [(a.worker, a.name, a.start, a.end, a.kind, a.note or "") for a in rows])


@worker_app.command("leaves")
def worker_leaves(
    ctx: typer.Context,
    worker: Annotated[str, typer.Argument(help="Worker ref.")],
    last_day: Annotated[str, typer.Argument(help="Last working day, YYYY-MM-DD.")],
) -> None:
    """Set a worker's last working day; the next plan hands their children over before it."""
    context = app_context(ctx)
    parse_day(last_day, date.min, "LAST_DAY")
    _imported(
        lambda: scheduler.worker_leaves(
            context.database,
            worker=worker,
            last_day=last_day,
            actor=context.actor,
            now=context.now,
            timezone=context.settings.timezone,
        ),
        {"ref": "WORKER", "end_date": "LAST_DAY"},
    )
    typer.echo(f"{worker} leaves after {last_day}; 'keyworker plan' shows the handovers it needs")


@referral_app.command("add")
def referral_add(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The child's pseudonymous ref, e.g. YP-0101.")],
    team: Annotated[str, typer.Option("--team", help="Team that holds the case.")],
    start: Annotated[str, typer.Option("--start", help="First day of the support plan.")],
    sessions: Annotated[str, typer.Option("--sessions", help="Sessions per period, 1..7.")],
    session_minutes: Annotated[
        str, typer.Option("--session-minutes", help="15..480, a multiple of 15.")
    ],
    every_weeks: Annotated[
        str | None, typer.Option("--every-weeks", help="Period length in weeks (default 1).")
    ] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last day of the plan.")] = None,
    max_gap_days: Annotated[str | None, typer.Option("--max-gap-days", help="Default 14.")] = None,
    initials: Annotated[str | None, typer.Option("--initials")] = None,
    required_skills: Annotated[
        str | None, typer.Option("--required-skills", help="e.g. 'cse;missing'.")
    ] = None,
    language: Annotated[str | None, typer.Option("--language")] = None,
    preferred_gender: Annotated[str | None, typer.Option("--preferred-gender")] = None,
    preferred_workers: Annotated[str | None, typer.Option("--preferred-workers")] = None,
    excluded_workers: Annotated[str | None, typer.Option("--excluded-workers")] = None,
    availability: Annotated[
        str | None, typer.Option("--availability", help="e.g. 'Mon 16:00-19:00;Sat 10:00-14:00'.")
    ] = None,
    risk: Annotated[str | None, typer.Option("--risk", help="low, medium or high.")] = None,
    lat: Annotated[str | None, typer.Option("--lat")] = None,
    lon: Annotated[str | None, typer.Option("--lon")] = None,
) -> None:
    """Add a new child and their support plan (children.csv and plans.csv columns as options)."""
    context = app_context(ctx)
    child = {
        "ref": ref,
        "team": team,
        "initials": initials,
        "required_skills": required_skills,
        "language": language,
        "preferred_gender": preferred_gender,
        "preferred_workers": preferred_workers,
        "excluded_workers": excluded_workers,
        "availability": availability,
        "risk": risk,
        "lat": lat,
        "lon": lon,
    }
    plan = {
        "start_date": start,
        "end_date": end,
        "sessions": sessions,
        "every_weeks": every_weeks,
        "session_minutes": session_minutes,
        "max_gap_days": max_gap_days,
    }
    options = {k: "REF" if k == "ref" else "--" + k.replace("_", "-") for k in child}
    options |= {"start_date": "--start", "end_date": "--end", "child": "REF"}
    options |= {k: "--" + k.replace("_", "-") for k in plan if k not in options}
    _imported(
        lambda: scheduler.add_referral(
            context.database,
            child={k: v for k, v in child.items() if v is not None},
            plan={k: v for k, v in plan.items() if v is not None},
            actor=context.actor,
            now=context.now,
            timezone=context.settings.timezone,
        ),
        options,
    )
    typer.echo(f"{ref} referred to {team} from {start}; the next plan allocates a key worker")
