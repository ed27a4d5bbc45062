"""Holding a plan in place: pin and unpin a key worker, lock and unlock a session,
and suggest who could be a child's key worker."""

from __future__ import annotations

from typing import Annotated

import typer

import scheduler
from cli.context import app_context
from cli.options import AsOfOption, JsonOption, build_request, parse_day, today
from cli.output import emit_json, print_table
from cli.tables import shown


def register(app: typer.Typer) -> None:
    app.command("pin")(pin)
    app.command("unpin")(unpin)
    app.command("lock")(lock)
    app.command("unlock")(unlock)
    app.command("suggest")(suggest)


def pin(
    ctx: typer.Context,
    child: str,
    worker: str,
    from_day: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="The day WORKER takes over, YYYY-MM-DD; the plan books a joint handover "
            "before it where both are available (default: at once).",
        ),
    ] = None,
) -> None:
    """Fix a child's key worker until unpinned (refused if it breaks a rule)."""
    context = app_context(ctx)
    day_one = today(context)
    day = parse_day(from_day, day_one, "--from") if from_day is not None else None
    scheduler.pin(
        context.database,
        child,
        worker,
        actor=context.actor,
        now=context.now,
        today=day_one,
        from_day=day,
    )
    if day is None:
        typer.echo(f"{child} is pinned to {worker}; the next plan keeps {worker} as key worker")
    else:
        typer.echo(
            f"{child} is pinned to {worker} from {day}; the next plan changes key worker that "
            "day, with a joint handover session before it"
        )


def unpin(ctx: typer.Context, child: str) -> None:
    """Let the planner choose the child's key worker again."""
    context = app_context(ctx)
    scheduler.unpin(context.database, child, actor=context.actor, now=context.now)
    typer.echo(f"{child} is no longer pinned")


def lock(ctx: typer.Context, session_id: Annotated[str, typer.Argument(metavar="SESSION")]) -> None:
    """Fix a session's worker, day and time: re-planning will not move it."""
    context = app_context(ctx)
    scheduler.lock(context.database, session_id, actor=context.actor, now=context.now)
    typer.echo(f"session {session_id} is locked")


def unlock(
    ctx: typer.Context, session_id: Annotated[str, typer.Argument(metavar="SESSION")]
) -> None:
    """Let re-planning move the session again."""
    context = app_context(ctx)
    scheduler.lock(context.database, session_id, locked=False, actor=context.actor, now=context.now)
    typer.echo(f"session {session_id} is unlocked")


def suggest(
    ctx: typer.Context,
    child: str,
    limit: Annotated[
        int, typer.Option(metavar="N", min=1, max=50, help="How many candidates.")
    ] = 5,
    as_of: AsOfOption = None,
    json_file: JsonOption = None,
) -> None:
    """The best candidate key workers for a child, ranked, with what each would cost.

    --json: a list of {rank, worker, eligible, reasons, costs}, best first."""
    context = app_context(ctx)
    request = build_request(context, None, None, as_of, None)
    candidates = scheduler.suggest(context.database, context.settings, request, child, limit)
    if json_file is not None:
        emit_json(
            json_file,
            [
                {
                    "rank": c.rank,
                    "worker": c.worker,
                    "eligible": c.eligible,
                    "reasons": list(c.reasons),
                    "costs": dict(c.costs),
                }
                for c in candidates
            ],
        )
        return
    rows = [
        (c.rank, c.worker, "yes" if c.eligible else "no", "; ".join(c.reasons)) for c in candidates
    ]
    typer.echo(f"Candidate key workers for {shown(child)}")
    print_table(("rank", "worker", "eligible", "what it would mean"), rows)
