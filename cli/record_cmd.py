"""``record``: what happened to a session of a committed plan."""

from __future__ import annotations

from typing import Annotated

import typer

import scheduler
from cli.context import app_context
from cli.options import AsOfOption, parse_as_of
from cli.plan_cmd import after_commit_hook
from scheduler import ConfigError


def register(app: typer.Typer) -> None:
    app.command("record")(record)


def record(
    ctx: typer.Context,
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="The session's id.")],
    outcome: Annotated[
        str, typer.Argument(metavar="OUTCOME", help="held, cancelled or did-not-attend.")
    ],
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="WORKER", help="Who held it, if not the planned worker."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free text, kept with it.")] = None,
    as_of: AsOfOption = None,
) -> None:
    """Record what happened to a session that has begun: held, cancelled or did-not-attend.

    A cancelled or missed session is no contact: the next plan sees the gap it leaves."""
    context = app_context(ctx)
    if outcome not in scheduler.OUTCOMES:
        raise ConfigError(f"OUTCOME {outcome!r} must be one of {', '.join(scheduler.OUTCOMES)}")
    if note is not None:
        note = scheduler.check_note(note, "--note")
    done = scheduler.record(
        context.database,
        session_id,
        outcome,
        worker=by,
        note=note,
        actor=context.actor,
        now=parse_as_of(as_of, context),
        at=context.now,
        zone=context.settings.zone,
        after_change=after_commit_hook(context),  # a cancelled session is struck through
    )
    when = done.start.astimezone(context.settings.zone)
    who = f" by {done.worker}" if done.worker and done.worker != done.planned_worker else ""
    state = {"created": "recorded", "updated": "changed", "unchanged": "already recorded"}
    typer.echo(
        f"{state[done.written.change]}: {done.child}'s session {session_id} on "
        f"{when:%Y-%m-%d %H:%M} {outcome}{who}"
        + (f" (was {done.written.before})" if done.written.change == "updated" else "")
    )
