"""``alerts``: the open alerts, filtered; ``alerts ack``: acknowledge one, several or a filter."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from cli.context import AppContext, app_context
from cli.plan_cmd import AsOfOption, parse_as_of
from cli.tables import render
from scheduler import audit
from scheduler.alerts import (
    KINDS,
    SEVERITY_RANK,
    AlertFilter,
    acknowledge,
    is_past_its_date,
    select_alerts,
    shown_status,
)
from scheduler.errors import ConfigError, NotFound, RefusedAction
from scheduler.models import Alert, Child, Worker
from scheduler.nightly import FAILURE_KIND
from scheduler.notes import check_note

ALL_KINDS = (*KINDS, FAILURE_KIND)  # a failed nightly run is alerted too

alerts_app = typer.Typer(
    help="Open alerts, most severe first; 'alerts ack' acknowledges them.",
    invoke_without_command=True,
)

SeverityOption = Annotated[
    str | None,
    typer.Option("--severity", help="Only alerts of this severity or above (high, medium, low)."),
]
KindOption = Annotated[
    list[str] | None,
    typer.Option("--kind", help="Only alerts of this kind, e.g. COVER (repeatable)."),
]
ChildOption = Annotated[str | None, typer.Option("--child", help="Only alerts about this child.")]
TeamOption = Annotated[
    str | None, typer.Option("--team", help="Only alerts about this team's children or workers.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


def _filter(
    context: AppContext,
    severity: str | None,
    kinds: list[str] | None,
    child: str | None,
    team: str | None,
) -> AlertFilter:
    if severity is not None and severity.lower() not in SEVERITY_RANK:
        raise ConfigError(f"--severity {severity!r} must be one of high, medium, low")
    wanted = tuple(k.upper() for k in kinds or ())
    for kind in wanted:
        if kind not in ALL_KINDS:
            raise ConfigError(f"--kind {kind!r} must be one of {', '.join(ALL_KINDS)}")
    if child is not None or team is not None:
        with context.database.reading() as session:
            if (
                child is not None
                and session.scalar(select(Child.id).where(Child.ref == child)) is None
            ):
                raise NotFound("child", child)
            if team is not None and not (
                session.scalar(select(Child.id).where(Child.team == team).limit(1))
                or session.scalar(select(Worker.id).where(Worker.team == team).limit(1))
            ):
                raise NotFound("team", team)
    return AlertFilter(severity.lower() if severity else None, wanted, child, team)


def _delivery(alert: Alert, channels: bool) -> str:
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
) -> None:
    """The open alerts, most severe first. An alert stays open until it is acknowledged,
    a committed plan no longer has its cause, or (a key-worker change) its date has passed."""
    if ctx.invoked_subcommand is not None:
        return
    context = app_context(ctx)
    where = _filter(context, severity, kind, child, team)
    today = parse_as_of(as_of, context).astimezone(context.settings.zone).date()
    settings = context.settings
    channels = bool(settings.alert_email_to or settings.alert_webhooks)
    with context.database.reading() as session:
        rows = select_alerts(session, where, today=today, open_only=not show_all)
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
    typer.echo(render((*headers, "message"), table))


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
    where = _filter(context, severity, kind, child, team)
    if alert_ids and not where.is_empty:
        raise ConfigError("give alert ids or a filter (--severity, --kind, --child, --team)")
    if not alert_ids and where.is_empty:
        raise ConfigError("give the ids of the alerts to acknowledge, or a filter")
    if note is not None:
        note = check_note(note, "--note")
    today = parse_as_of(as_of, context).astimezone(context.settings.zone).date()
    with context.database.transaction() as session:
        if alert_ids:
            chosen: list[Alert] = []
            problems: list[str] = []
            for alert_id in dict.fromkeys(alert_ids):
                alert = session.get(Alert, alert_id)
                if alert is None:
                    problems.append(str(NotFound("alert", alert_id)))
                elif alert.status != "open" or is_past_its_date(alert, today):
                    problems.append(f"alert {alert_id} is {shown_status(alert, today)}, not open")
                else:
                    chosen.append(alert)
            if problems:
                raise RefusedAction("; ".join(problems) + "; nothing was acknowledged")
        else:
            chosen = select_alerts(session, where, today=today)
        for alert in chosen:
            acknowledge(session, alert, actor=context.actor, now=context.now, note=note)
            audit.record(
                session,
                actor=context.actor,
                action="alerts.ack",
                at=context.now,
                alert=alert.id,
                kind=alert.kind,
                child=alert.child_ref,
                note=note,
            )
    if not chosen:
        typer.echo("no open alerts match; nothing was acknowledged")
        return
    for alert in chosen:
        typer.echo(f"acknowledged {alert.id}")
