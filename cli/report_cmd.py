"""The ``report`` command: continuity figures per team and per child, and an HTML page."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

import scheduler
from cli.context import app_context
from cli.options import parse_as_of

if TYPE_CHECKING:  # the report's modules are imported when it runs (start-up time)
    from scheduler import (
        ChildFigures,
        ChildTimeline,
        ContinuityReport,
        Headline,
        PlanOutlook,
        Table,
        WorkerWeek,
    )


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Report as if it were this ISO 8601 time (local if no offset); default now.",
        ),
    ] = None,
    months: Annotated[
        int, typer.Option("--months", min=1, max=120, help="Length of the window in months.")
    ] = 12,
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained page with charts.")
    ] = None,
    child: Annotated[
        str | None, typer.Option("--child", help="One child's figures, history and months.")
    ] = None,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Write the figures as JSON (README 'Report JSON') to FILE; '-' for stdout, "
            "which then carries the JSON only.",
        ),
    ] = None,
) -> None:
    """Continuity figures on delivered sessions beside the current plan's, per team and
    per child: sessions delivered against required, the share with the key worker, the
    usual provider share (UPC), the Bice-Boxerman index (COC), children with one and
    two or more key-worker changes, key-worker tenure, the longest gap against
    max_gap_days, and wishes honoured."""
    context = app_context(ctx)
    zone = context.settings.zone
    try:
        moment = parse_as_of(as_of, context)
        result = scheduler.continuity_report(
            context.database, as_of=moment, zone=zone, months=months, team=team, child=child
        )
    except (scheduler.ConfigError, scheduler.NotFound) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    # Recorded before anything is shown: never an export without its audit entry.
    context.audit(
        "report",
        as_of=moment,
        team=team,
        child=child,
        months=months,
        html=str(html) if html else None,
        json=str(json_file) if json_file else None,
    )
    to_stdout = json_file is not None and str(json_file) == "-"
    if not to_stdout:
        print_report(result, team=team, child=child)
    if html is not None:
        scheduler.write_private(html, scheduler.render_report_html(result))  # owner-only
        typer.echo(f"wrote {html}", err=to_stdout)
    if json_file is not None:
        text = json.dumps(scheduler.report_as_json(result), indent=2, ensure_ascii=False) + "\n"
        if to_stdout:
            sys.stdout.write(text)
        else:
            scheduler.write_private(json_file, text)  # children's data: owner-only
            typer.echo(f"wrote {json_file}")


def print_report(result: ContinuityReport, *, team: str | None, child: str | None) -> None:
    """The figures as readable tables."""
    zone = ZoneInfo(result.period.timezone)
    period = result.period
    scope = f"team {team}" if team else "all teams"
    typer.echo(
        f"Continuity report, {scope}: {period.start} .. {period.end} ({period.months} months, "
        f"as of {period.as_of.astimezone(zone):%Y-%m-%d %H:%M %Z})"
    )
    if result.outlook is not None:
        typer.echo(outlook_text(result.outlook))
    typer.echo("")
    if result.is_empty:
        typer.echo(
            f"No children with a support plan or a key worker in this window"
            f"{' in team ' + team if team else ''}. Import the team ('keyworker import') "
            "and commit a plan ('keyworker plan --commit') first."
        )
    elif child is not None:
        figures, timeline = result.child(child)
        for table in child_tables(figures, timeline):
            _print(table)
    else:
        if result.headline is not None:
            for line in headline_lines(result.headline):
                typer.echo(line)
            typer.echo("")
        for table in report_tables(result):
            _print(table)


def headline_lines(h: Headline) -> list[str]:
    def share(part: int, whole: int, pct: float | None) -> str:
        return "n/a" if pct is None else f"{part} of {whole} ({pct:.0f}%)"

    return [
        "At a glance:",
        f"  children with a stable key worker over 12 months: "
        f"{share(h.stable, h.children, h.stable_pct)} (no change since {h.stable_since})",
        f"  sessions delivered against required: "
        f"{share(h.delivered_met, h.delivered_required, h.delivered_pct)}",
        f"  open high alerts: {len(h.open_high_alerts)}",
        f"  key-worker changes / handovers {h.coming_from} .. {h.coming_to}: "
        f"{len(h.coming_changes)} / {len(h.coming_handovers)}",
    ]


def outlook_text(outlook: PlanOutlook) -> str:
    ceiling = (
        ""
        if outlook.ceiling_pct is None
        else f"; at most {outlook.ceiling_pct}% possible with the absences and leavers known"
    )
    return (
        f"Current plan (version {outlook.version}, {outlook.horizon_start} .. "
        f"{outlook.horizon_end}): {outlook.with_key_worker_pct}% of the coming sessions "
        f"with the key worker{ceiling}."
    )


def report_tables(result: ContinuityReport) -> list[Table]:
    teams = scheduler.Table(
        "Teams (mean/median over children)",
        ("team", "children", "tenure days", "UPC", "COC", ">=1 change", ">=2 changes",
         "gap over limit", "wishes honoured"),
        [
            (t.team, t.children, _pair(t.tenure_mean, t.tenure_median, _days),
             _pair(t.upc_mean, t.upc_median, _ratio), _pair(t.coc_mean, t.coc_median, _ratio),
             _pct(t.changed_once_pct), _pct(t.changed_twice_pct), t.over_gap,
             "n/a" if t.wishes_honoured_pct is None
             else f"{t.wishes_honoured}/{t.wishes_stated} ({_pct(t.wishes_honoured_pct)})")
            for t in result.teams
        ],
    )  # fmt: skip
    children = scheduler.Table(
        "Children",
        ("child", "team", "key worker", "tenure", "sessions", "UPC", "COC", "changes",
         "longest gap", "max gap", "wishes"),
        [
            (c.ref, c.team, c.key_worker, _days(c.tenure_days),
             f"{c.sessions_with_key_worker}/{c.sessions_held}", _ratio(c.upc), _ratio(c.coc),
             c.changes, _gap(c), c.max_gap_days, _wish(c))
            for c in result.children
        ],
    )  # fmt: skip
    workload = scheduler.Table(
        "Workload (session hours)",
        ("worker", "team", "held", "planned", "mean h/week", "busiest week", "weekly hours"),
        [
            (w.ref, w.team, _hours(w.held_minutes), _hours(w.planned_minutes),
             _hours(w.held_minutes / max(1, sum(1 for k in w.weeks
                                                 if k.week <= result.period.end))),
             _busiest(w.weeks), _hours(w.capacity_minutes))
            for w in result.workload
        ],
    )  # fmt: skip
    return [*delivery_tables(result), teams, children, workload]


def delivery_tables(result: ContinuityReport) -> list[Table]:
    out = []
    w = result.period
    for figures in result.delivery:
        horizon = (
            f"plan {figures.horizon[0]} .. {figures.horizon[1]}" if figures.horizon else "plan"
        )
        out.append(
            scheduler.Table(
                f"Delivered beside the plan: {figures.team}",
                ("figure", f"delivered {w.start} .. {w.end}", horizon),
                scheduler.report_comparison_rows(figures),
            )
        )
    return out


def child_tables(figures: ChildFigures, timeline: ChildTimeline) -> list[Table]:
    c = figures
    details = scheduler.Table(
        f"Child {c.ref}",
        ("figure", "value"),
        [
            ("team", c.team),
            ("risk", c.risk),
            ("key worker", c.key_worker),
            ("since", c.key_worker_since),
            ("tenure (days)", _days(c.tenure_days)),
            ("held sessions", c.sessions_held),
            ("with the key worker", c.sessions_with_key_worker),
            ("share with the key worker", _ratio(c.key_worker_share)),
            ("UPC", _ratio(c.upc)),
            ("COC", _ratio(c.coc)),
            ("workers seen", c.workers_seen),
            ("key-worker changes", c.changes),
            ("longest gap", _gap(c)),
            ("max gap days", c.max_gap_days),
            ("gap over limit", c.gap_exceeded),
            ("wishes", _wish(c)),
        ],
    )
    spans = scheduler.Table(
        "Key workers in the window",
        ("worker", "from", "to", "change"),
        [(s.worker, s.start, s.end, s.changed) for s in timeline.spans],
    )
    months = scheduler.Table(
        "Sessions per month",
        ("month", "held", "with key worker", "UPC"),
        [(m.month.strftime("%Y-%m"), m.sessions, m.with_key_worker, _ratio(m.upc))
         for m in timeline.months],
    )  # fmt: skip
    return [details, spans, months]


def _print(table: Table) -> None:
    from cli.tables import render, shown

    typer.echo(shown(table.title))
    if table.rows:
        typer.echo(render(table.headers, table.rows))
    else:
        typer.echo("(none)")
    typer.echo("")


def _gap(c: ChildFigures) -> str:
    gap = c.longest_gap
    if gap is None:
        return "n/a"
    flag = " OVER" if c.gap_exceeded else ""
    return f"{gap.days}d {gap.start}..{gap.end}{flag}"


def _wish(c: ChildFigures) -> str:
    if c.wishes_honoured is None:
        return "-"
    return "honoured" if c.wishes_honoured else "not honoured"


def _busiest(weeks: tuple[WorkerWeek, ...]) -> str:
    best: tuple[int, date] | None = None
    for week in weeks:
        minutes = week.held_minutes + week.planned_minutes
        if minutes and (best is None or minutes > best[0]):
            best = (minutes, week.week)
    return "-" if best is None else f"{_hours(best[0])} (w/c {best[1]})"


def _pair(mean: float | None, median: float | None, show: Callable[[float | None], str]) -> str:
    return "n/a" if mean is None else f"{show(mean)}/{show(median)}"


def _days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def _hours(minutes: float) -> str:
    return f"{minutes / 60:.1f}"
