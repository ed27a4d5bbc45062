"""Service commands: ``serve`` (feeds and the nightly re-plan in one process) and ``runs``."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

import scheduler
from cli.context import app_context
from cli.options import JsonOption
from cli.output import emit_json, print_table, records
from cli.plan_cmd import after_commit_hook

if TYPE_CHECKING:
    from scheduler import NightlyService

# The server stack (Starlette, uvicorn), the scheduler and OR-Tools are imported by
# 'serve' when it runs: other commands start without them (bench/STARTUP.md).

log = logging.getLogger("keyworker.serve")

# After SIGTERM, how long a run in progress may take to finish or abandon itself before
# the process exits anyway (its open transaction then rolls back).
STOP_WAIT_SECONDS = 2.0
LOCAL = "%Y-%m-%d %H:%M:%S"


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("runs")(runs)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8080,
    run_now: Annotated[
        bool, typer.Option("--run-now", help="Re-plan at once, e.g. after a big import.")
    ] = False,
) -> None:
    """Serve the calendar feeds and re-plan every night, in one process, until stopped.

    The nightly run re-plans every team and commits, delivers the alerts and refreshes
    the feeds, as 'plan --commit' does, at [nightly] time in the configured time zone.
    SIGTERM or Ctrl-C stops it within a few seconds; a run in progress is finished or
    abandoned, never half committed. /healthz reports the last night's run.
    """
    from calendars import create_app, run_server

    context = app_context(ctx)
    _configure_logging()
    database = context.database
    service = scheduler.NightlyService(
        database, context.settings, after_commit=after_commit_hook(context)
    )
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        # uvicorn handles the signal first while it serves, then re-raises it here.
        log.info("received %s: stopping", signal.Signals(signum).name)
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    try:
        slot = service.start(run_now=run_now)
        if run_now:
            typer.echo("re-planning now", err=True)
        elif slot is not None:
            typer.echo(f"catching up the run scheduled for {slot.isoformat()}", err=True)
        app = create_app(database, settings=context.settings, health=service.health)
        typer.echo(f"serving feeds and /healthz on http://{host}:{port}", err=True)
        if not stopping.is_set():
            try:
                run_server(app, host=host, port=port)
            except SystemExit as exc:  # uvicorn could not start (the port is taken, ...)
                if exc.code not in (0, None):
                    typer.echo(f"error: cannot serve on {host}:{port} (see above)", err=True)
                    raise typer.Exit(1) from None
                raise
    finally:
        if not service.stop(timeout=STOP_WAIT_SECONDS):
            _abandon(service)
    typer.echo("stopped", err=True)


def _abandon(service: NightlyService) -> None:
    """A run is still inside its transaction: record it as abandoned and exit at once.

    Exiting closes the database connection, which rolls the transaction back: the
    previous plan stays current. Recording is best effort (on SQLite the open
    transaction holds the write lock); the next start records it otherwise.
    """
    log.warning("the nightly run did not stop in %.0f s: abandoning it", STOP_WAIT_SECONDS)

    def record() -> None:
        try:
            scheduler.abandon_in_progress(
                service.runtime, "abandoned: the service was stopped before the run committed"
            )
        except Exception as exc:
            log.warning("could not record the abandoned run: %s", exc)

    recorder = threading.Thread(target=record, daemon=True)
    recorder.start()
    recorder.join(timeout=1.0)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def runs(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", min=1, help="How many, newest first.")
    ] = 20,
    json_file: JsonOption = None,
) -> None:
    """The nightly runs, newest first: when, why, outcome, plan version, changes, alerts.

    --json: a list of {id, night, trigger, started, finished, seconds, outcome, version,
    changes, alerts, process, error}; times ISO 8601 with their UTC offset."""
    context = app_context(ctx)
    zone = context.settings.zone
    rows = scheduler.runs(context.database, zone, limit)
    if json_file is not None:
        headers = ("id", "night", "trigger", "started", "finished", "seconds", "outcome",
                   "version", "changes", "alerts", "process", "error")  # fmt: skip
        emit_json(
            json_file,
            records(
                headers,
                [
                    (
                        run.id, run.night, run.trigger, run.started, run.finished,
                        None if run.seconds is None else round(run.seconds, 1), run.outcome,
                        run.version, run.changes, run.alerts, run.process, run.error,
                    )
                    for run in rows
                ],
            ),
        )  # fmt: skip
        return
    if not rows:
        typer.echo("no nightly runs yet")
        return
    table = [
        (
            run.id, run.night, run.trigger, run.started.astimezone(zone).strftime(LOCAL),
            None if run.seconds is None else f"{run.seconds:.0f} s", run.outcome, run.version,
            run.changes, run.alerts, run.process, _short(run.error),
        )
        for run in rows
    ]  # fmt: skip
    print_table(
        ("id", "night", "trigger", "started", "took", "outcome", "version", "changes",
         "alerts", "process", "error"),
        table,
    )  # fmt: skip


def _short(text: str | None, width: int = 100) -> str | None:
    if text is None:
        return None
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 3] + "..."
