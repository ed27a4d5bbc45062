"""``alerts``: the open alerts, filtered; ``alerts ack``: acknowledge one, several or a filter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

import scheduler
from cli.context import app_context
from cli.options import AsOfOption, JsonOption, parse_as_of
from cli.output import emit_json, print_table
from scheduler import ConfigError

if TYPE_CHECKING:
    from scheduler import AlertFilter, AlertRow

alerts_app = typer.Typer(
    help="Open alerts, most severe first; 'alerts ack' acknowledges them.",
    invoke_without_command=True,
)

SeverityOption = Annotated[
    str | None,
    typer.Option(
        "--severity",
        metavar="SEVERITY",
        help="Only alerts of this severity or above (high, medium, low).",
    ),
]
KindOption = Annotated[
    list[str] | None,
    typer.Option(
        "--kind", metavar="KIND", help="Only alerts of this kind, e.g. COVER (repeatable)."
    ),
]
ChildOption = Annotated[
    str | None, typer.Option("--child", metavar="CHILD", help="Only alerts about this child.")
]
TeamOption = Annotated[
    str | None,
    typer.Option(
        "--team", metavar="TEAM", help="Only alerts about this team's children or workers."
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


def _filter(
    severity: str | None, kinds: list[str] | None, child: str | None, team: str | None
) -> AlertFilter:
    """The options as a filter; its child and team are checked by the use case."""
    if severity is not None and severity.lower() not in scheduler.SEVERITY_RANK:
        raise ConfigError(f"--severity {severity!r} must be one of high, medium, low")
    wanted = tuple(k.upper() for k in kinds or ())
    if wanted:  # a failed nightly run is alerted too
        all_kinds = (*scheduler.ALERT_KINDS, scheduler.NIGHTLY_FAILURE_KIND)
        for kind in wanted:
            if kind not in all_kinds:
                raise ConfigError(f"--kind {kind!r} must be one of {', '.join(all_kinds)}")
    return scheduler.AlertFilter(severity.lower() if severity else None, wanted, child, team)


def _delivery(alert: AlertRow, channels: bool) -> str:
    """ "-" where no channel is configured: nothing was to be sent, so nothing failed."""
    if alert.delivered_at is not None:
        return "yes"
    return "NO" if channels else "-"


@alerts_app.callback()
def alerts_list(
    ctx: typer.Context,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also acknowledged, resolved and passed alerts.")
    ] = False,
    severity: SeverityOption = None,
    kind: KindOption = None,
    child: ChildOption = None,
    team: TeamOption = None,
    as_of: AsOfOption = None,
    json_file: JsonOption = None,
) -> None:
    """The open alerts, most severe first. An alert stays open until it is acknowledged,
    a committed plan no longer has its cause, or (a key-worker change) its date has passed.

    --json: a list of {id, severity, kind, child, worker, start, end, status, delivered,
    message}; delivered is true, false, or null where no channel is configured."""
    if ctx.invoked_subcommand is not None:
        return
    context = app_context(ctx)
    where = _filter(severity, kind, child, team)
    today = parse_as_of(as_of, context).astimezone(context.settings.zone).date()
    settings = context.settings
    channels = bool(settings.alert_email_to or settings.alert_webhooks)
    rows = scheduler.list_alerts(context.database, where, today=today, open_only=not show_all)
    shown_status = scheduler.shown_status
    if json_file is not None:
        emit_json(
            json_file,
            [
                {
                    "id": a.id,
                    "severity": a.severity,
                    "kind": a.kind,
                    "child": a.child_ref,
                    "worker": a.worker_ref,
                    "start": a.start.isoformat(),
                    "end": a.end.isoformat(),
                    "status": shown_status(a, today),
                    "delivered": (a.delivered_at is not None) if channels else None,
                    "message": a.message,
                }
                for a in rows
            ],
        )
        return
    table = [
        (
            a.id,
            a.severity,
            a.kind,
            a.child_ref,
            a.worker_ref,
            f"{a.start}..{a.end}",
            shown_status(a, today),
            _delivery(a, channels),
            a.message,
        )
        for a in rows
    ]
    if not table:
        typer.echo("no open alerts" if where.is_empty else "no open alerts match")
        return
    headers = ("id", "severity", "kind", "child", "worker", "dates", "status", "delivered")
    print_table((*headers, "message"), table)


@alerts_app.command("ack")
def alerts_ack(
    ctx: typer.Context,
    alert_ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID]...", help="Alert ids to acknowledge.")
    ] = None,
    severity: SeverityOption = None,
    kind: KindOption = None,
    child: ChildOption = None,
    team: TeamOption = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Why, or what was done; kept in the audit log.")
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """Acknowledge alerts, by id or every open one a filter picks: each stays quiet
    unless it gets worse. All or nothing: one id that is not open, and none is."""
    context = app_context(ctx)
    where = _filter(severity, kind, child, team)
    if alert_ids and not where.is_empty:
        raise ConfigError("give alert ids or a filter (--severity, --kind, --child, --team)")
    if not alert_ids and where.is_empty:
        raise ConfigError("give the ids of the alerts to acknowledge, or a filter")
    if note is not None:
        note = scheduler.check_note(note, "--note")
    today = parse_as_of(as_of, context).astimezone(context.settings.zone).date()
    chosen = scheduler.acknowledge(
        context.database,
        list(alert_ids or ()),
        where,
        actor=context.actor,
        now=context.now,
        today=today,
        note=note,
    )
    if not chosen:
        typer.echo("no open alerts match; nothing was acknowledged")
        return
    for alert in chosen:
        typer.echo(f"acknowledged {alert.id}")
