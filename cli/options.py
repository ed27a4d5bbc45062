"""Options and parsers that several commands share; cheap to import (start-up time)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import scheduler
from scheduler import ConfigError

if TYPE_CHECKING:
    from cli.context import AppContext
    from scheduler import PlanRequest

StartOption = Annotated[
    str | None,
    typer.Option(
        "--start", metavar="DATE", help="First day of the horizon, YYYY-MM-DD (default today)."
    ),
]
WeeksOption = Annotated[
    int | None, typer.Option("--weeks", metavar="N", min=1, max=26, help="Horizon length in weeks.")
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATETIME",
        help="Plan as if it were this ISO 8601 time (local if no offset).",
    ),
]
TeamOption = Annotated[
    list[str] | None, typer.Option("--team", metavar="TEAM", help="Only this team (repeatable).")
]
PlanJsonOption = Annotated[
    Path | None,
    typer.Option(
        "--json",
        metavar="FILE",
        help="Write the proposed plan as JSON to FILE; '-' is stdout, and then every "
        "other message goes to stderr.",
    ),
]
JsonOption = Annotated[
    Path | None,
    typer.Option(
        "--json",
        metavar="FILE",
        help="Write the rows as JSON to FILE instead of the table; '-' is stdout.",
    ),
]
FailOnOption = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="SEVERITY",
        help="Exit 3 if the plan has an alert of this severity or above (high, medium, low).",
    ),
]


def parse_as_of(text: str | None, context: AppContext) -> datetime:
    if text is None:
        return context.now
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(
            f"--as-of {text!r} is not an ISO 8601 time such as 2027-01-04T08:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=context.settings.zone)
    return moment


def parse_day(text: str | None, default: date, option: str) -> date:
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"{option} {text!r} is not a date written YYYY-MM-DD") from exc


def today(context: AppContext) -> date:
    return context.now.astimezone(context.settings.zone).date()


def build_request(
    context: AppContext,
    start: str | None,
    weeks: int | None,
    as_of: str | None,
    team: list[str] | None,
) -> PlanRequest:
    now = parse_as_of(as_of, context)
    local_today = now.astimezone(context.settings.zone).date()
    return scheduler.PlanRequest(
        now=now,
        start=parse_day(start, local_today, "--start"),
        weeks=weeks or context.settings.horizon_weeks,
        teams=tuple(team or ()),
    )
