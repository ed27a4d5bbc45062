"""Planning commands: plan, export, pin/unpin, lock/unlock, suggest, whatif."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from calendars import refresh_feeds
from cli.context import AppContext, app_context
from cli.tables import render, shown
from scheduler import audit, everyday, overrides, pipeline, replan
from scheduler.alerts import SEVERITY_RANK
from scheduler.closures import describe as describe_closures
from scheduler.csv_import import import_files
from scheduler.errors import ConfigError
from scheduler.exporting import current_plan_json
from scheduler.models import Worker
from scheduler.notify import DeliveryReport
from scheduler.pipeline import PlanRequest, Proposal
from scheduler.private_files import open_private, write_private, write_private_bytes
from scheduler.spreadsheet_export import TABLES, plan_sheets, write_csv, xlsx_bytes
from scheduler.whatif import Delta, WhatIf, editor
from scheduler.whatif import delta as whatif_delta

export_app = typer.Typer(help="Export the current plan.", no_args_is_help=True)

StartOption = Annotated[
    str | None,
    typer.Option("--start", help="First day of the horizon, YYYY-MM-DD (default today)."),
]
WeeksOption = Annotated[
    int | None, typer.Option("--weeks", min=1, max=26, help="Horizon length in weeks.")
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Plan as if it were this ISO 8601 time (local if no offset)."),
]
TeamOption = Annotated[
    list[str] | None, typer.Option("--team", help="Only this team (repeatable).")
]
JsonOption = Annotated[
    Path | None, typer.Option("--json", help="Write the proposed plan as JSON to FILE.")
]
FailOnOption = Annotated[
    str | None,
    typer.Option("--fail-on", help="Exit 3 if the plan has an alert of this severity or above."),
]


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("pin")(pin)
    app.command("unpin")(unpin)
    app.command("lock")(lock)
    app.command("unlock")(unlock)
    app.command("suggest")(suggest)
    app.command("whatif")(whatif)
    app.add_typer(export_app, name="export")


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


def build_request(
    context: AppContext,
    start: str | None,
    weeks: int | None,
    as_of: str | None,
    team: list[str] | None,
) -> PlanRequest:
    now = parse_as_of(as_of, context)
    today = now.astimezone(context.settings.zone).date()
    return PlanRequest(
        now=now,
        start=parse_day(start, today, "--start"),
        weeks=weeks or context.settings.horizon_weeks,
        teams=tuple(team or ()),
    )


def _check_fail_on(fail_on: str | None) -> None:
    if fail_on is not None and fail_on not in SEVERITY_RANK:
        raise ConfigError(f"--fail-on {fail_on!r} must be one of high, medium, low")


def _progress(message: str) -> None:
    typer.echo(f"... {message}", err=True)


def after_commit_hook(context: AppContext) -> pipeline.AfterCommit:
    settings = context.settings

    def refresh(session: Any, now: datetime) -> None:
        refresh_feeds(session, now=now, settings=settings)

    return refresh


def plan(
    ctx: typer.Context,
    start: StartOption = None,
    weeks: WeeksOption = None,
    as_of: AsOfOption = None,
    team: TeamOption = None,
    json_file: JsonOption = None,
    do_commit: Annotated[
        bool, typer.Option("--commit", help="Make it the current plan, deliver alerts.")
    ] = False,
    fail_on: FailOnOption = None,
    proposal_id: Annotated[
        int | None,
        typer.Option(
            "--proposal",
            help="With --commit: commit this stored proposal (its horizon and teams) "
            "if nothing has changed since it was shown.",
        ),
    ] = None,
) -> None:
    """Solve, and show the summary, the changes against the current plan and the alerts.

    A dry run is stored as a proposal; --commit then commits exactly that plan while
    nothing it was made from has changed, else plans again and lists what differs.
    """
    context = app_context(ctx)
    _check_fail_on(fail_on)
    if proposal_id is not None:
        if not do_commit:
            raise ConfigError("--proposal is for committing a stored proposal: add --commit")
        if start is not None or weeks is not None or team:
            raise ConfigError("--proposal takes its horizon and teams from the proposal")
        request = replan.request_of(context.database, proposal_id, parse_as_of(as_of, context))
    else:
        request = build_request(context, start, weeks, as_of, team)
    outcome = replan.run(
        context.database,
        context.settings,
        request,
        actor=context.actor,
        do_commit=do_commit,
        after_commit=after_commit_hook(context) if do_commit else None,
        progress=_progress,
        proposal_id=proposal_id,
        recorded_at=context.now,
    )
    proposal = outcome.proposal
    if outcome.committed is not None:
        proposal.version = outcome.committed.version
    print_proposal(proposal, context, committed=outcome.committed is not None)
    if outcome.delivery is not None:
        print_delivery(outcome.delivery)
    if json_file is not None:
        write_json(json_file, proposal.to_json(committed=outcome.committed is not None))
        context.audit("plan.json", as_of=request.now, file=str(json_file))
    exit_for_severity(proposal, fail_on)


def exit_for_severity(proposal: Proposal, fail_on: str | None) -> None:
    worst = proposal.worst_severity()
    if fail_on and worst and SEVERITY_RANK[worst] >= SEVERITY_RANK[fail_on]:
        raise typer.Exit(3)


def write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        write_private(path, text)  # children's data: owner-only


def _ceiling_text(metrics: dict[str, Any]) -> str:
    ceiling = metrics.get("key_worker_ceiling_pct")
    return "" if ceiling is None else f" (at most {ceiling}% possible with these absences)"


def print_proposal(
    proposal: Proposal, context: AppContext, *, committed: bool, alerts: bool = True
) -> None:
    m = proposal.metrics
    instance = proposal.instance
    state = f"committed as version {proposal.version}" if committed else "dry run, not committed"
    typer.echo(
        f"Plan {instance.horizon_start} .. {instance.horizon_end} ({instance.timezone}), {state}"
    )
    typer.echo(
        f"  children planned: {m['children']}, with a key worker throughout: {m['allocated']}\n"
        f"  sessions scheduled/required: {m['sessions_scheduled']}/{m['sessions_required']}, "
        f"with the key worker: {m['sessions_with_key_worker_pct']}%"
        f"{_ceiling_text(m)}\n"
        f"  key-worker changes: {m['keyworker_changes']}, "
        f"changes against the current plan: {len(proposal.changes)}, "
        f"solved in {m['solve_seconds']} s"
    )
    closed = describe_closures(
        proposal.loaded.closures, instance.horizon_start, instance.horizon_end
    )
    if closed:
        typer.echo(f"  closed (no sessions): {'; '.join(closed)}")
    if proposal.solution.clock_stopped:
        typer.echo(
            "  note: the machine was so slow that the safety clock stopped the search; "
            "a rerun may give a different plan"
        )
    if proposal.reused is not None:
        typer.echo(
            f"  this is proposal {proposal.reused} exactly as previewed: nothing has changed since"
        )
    if proposal.preview is not None:
        check = proposal.preview
        tail = "differences from the preview:" if check.differences else "the same plan"
        typer.echo(
            f"  planned again, not proposal {check.proposal} as previewed: {check.why}; {tail}"
        )
        for line in check.differences:
            typer.echo(f"    {line}")
    if proposal.stored is not None:
        typer.echo(
            f"  stored as proposal {proposal.stored}: 'keyworker plan --commit' with the same "
            "--start, --weeks and --team commits exactly this plan while nothing changes"
        )
    if proposal.changes:
        typer.echo("\nChanges:")
        for change in proposal.changes[:200]:
            typer.echo(f"  {shown(change.text)}")
        if len(proposal.changes) > 200:
            typer.echo(f"  ... and {len(proposal.changes) - 200} more (see --json)")
    if not alerts:
        return
    typer.echo(f"\nAlerts ({len(proposal.alerts)}):")
    rows = [(a.severity, a.kind, a.id, a.message) for a in proposal.alerts]
    if rows:
        typer.echo(render(("severity", "kind", "id", "message"), rows))


def print_delivery(report: DeliveryReport) -> None:
    if report.delivered:
        typer.echo(f"\ndelivered {len(report.delivered)} alert(s)")
    if report.failed:
        typer.echo(
            f"\n{len(report.failed)} alert(s) could not be delivered and will be retried "
            f"after the next commit: {next(iter(report.failed.values()))}",
            err=True,
        )
    if report.workers_told:
        typer.echo(f"told {len(report.workers_told)} worker(s) about changes this week")
    for ref, error in report.worker_failures.items():
        typer.echo(f"could not email {ref}: {error}", err=True)


@export_app.command("plan")
def export_plan(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="json, csv or xlsx")] = "json",
    output: Annotated[Path, typer.Option("--output", "-o", help="File (default stdout).")] = Path(
        "-"
    ),
    table: Annotated[
        str,
        typer.Option("--table", help="With --format csv: sessions, allocations or alerts."),
    ] = "sessions",
) -> None:
    """The current plan as JSON (SPEC "Plan JSON"), as CSV (one table) or as an xlsx
    workbook (sessions, allocations and alerts, with local dates and worker names)."""
    context = app_context(ctx)
    if fmt not in ("json", "csv", "xlsx"):
        raise ConfigError(f"--format {fmt!r} must be json, csv or xlsx")
    if table not in TABLES:
        raise ConfigError(f"--table {table!r} must be one of {', '.join(TABLES)}")
    if fmt == "xlsx" and str(output) == "-":
        raise ConfigError("--format xlsx writes a workbook: give a file with --output")
    with context.database.transaction() as session:
        data = current_plan_json(session)
        names = dict(session.execute(select(Worker.ref, Worker.name)).tuples().all())
        # Recorded before anything goes out: never an export without its audit entry.
        audit.record(
            session,
            actor=context.actor,
            action="export.plan",
            at=context.now,
            format=fmt,
            output=str(output),
            version=data.get("version"),
        )
    if fmt == "json":
        write_json(output, data)
        return
    sheets = plan_sheets(data, names)
    if fmt == "xlsx":
        write_private_bytes(output, xlsx_bytes(sheets))
        return
    handle = sys.stdout if str(output) == "-" else open_private(output, newline="")
    write_csv(handle, next(s for s in sheets if s.name == table))
    if handle is not sys.stdout:
        handle.close()


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
    today = context.now.astimezone(context.settings.zone).date()
    day = parse_day(from_day, today, "--from") if from_day is not None else None
    with context.database.transaction() as session:
        overrides.pin(
            session, child, worker, actor=context.actor, now=context.now, today=today, from_day=day
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
    with context.database.transaction() as session:
        overrides.unpin(session, child, actor=context.actor, now=context.now)
    typer.echo(f"{child} is no longer pinned")


def lock(ctx: typer.Context, session_id: Annotated[str, typer.Argument(metavar="SESSION")]) -> None:
    """Fix a session's worker, day and time: re-planning will not move it."""
    context = app_context(ctx)
    with context.database.transaction() as session:
        overrides.set_lock(session, session_id, True, actor=context.actor, now=context.now)
    typer.echo(f"session {session_id} is locked")


def unlock(
    ctx: typer.Context, session_id: Annotated[str, typer.Argument(metavar="SESSION")]
) -> None:
    """Let re-planning move the session again."""
    context = app_context(ctx)
    with context.database.transaction() as session:
        overrides.set_lock(session, session_id, False, actor=context.actor, now=context.now)
    typer.echo(f"session {session_id} is unlocked")


def suggest(
    ctx: typer.Context,
    child: str,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many candidates.")] = 5,
    as_of: AsOfOption = None,
) -> None:
    """The best candidate key workers for a child, ranked, with what each would cost."""
    context = app_context(ctx)
    request = build_request(context, None, None, as_of, None)
    candidates = pipeline.suggest(context.database, context.settings, request, child, limit)
    rows = [
        (c.rank, c.worker, "yes" if c.eligible else "no", "; ".join(c.reasons)) for c in candidates
    ]
    typer.echo(f"Candidate key workers for {child}")
    typer.echo(render(("rank", "worker", "eligible", "what it would mean"), rows))


def whatif(
    ctx: typer.Context,
    absent: Annotated[
        tuple[str, str, str] | None,
        typer.Option("--absent", metavar="WORKER FROM TO", help="An absence, dates inclusive."),
    ] = None,
    leaving: Annotated[
        tuple[str, str] | None,
        typer.Option("--leaving", metavar="WORKER DATE", help="A leaver's last working day."),
    ] = None,
    referral: Annotated[
        Path | None,
        typer.Option("--referral", metavar="DIR", help="children.csv, plans.csv of new children."),
    ] = None,
    start: StartOption = None,
    weeks: WeeksOption = None,
    as_of: AsOfOption = None,
    team: TeamOption = None,
    json_file: JsonOption = None,
    fail_on: FailOnOption = None,
    do_commit: Annotated[
        bool,
        typer.Option(
            "--commit",
            help="Record the change (as 'absence add', 'worker leaves' or an import of the "
            "referral files would) and commit the plan shown.",
        ),
    ] = False,
) -> None:
    """Show what an absence, a leaver or referrals would change in the plan.

    Prints the changes, and only the alerts the change adds or takes away against
    the current plan (--json writes the whole plan). Without --commit nothing is
    written.
    """
    context = app_context(ctx)
    _check_fail_on(fail_on)
    if absent is None and leaving is None and referral is None:
        raise ConfigError("whatif needs --absent, --leaving or --referral")
    change = WhatIf(
        absent=(
            absent[0],
            parse_day(absent[1], date.min, "--absent FROM"),
            parse_day(absent[2], date.min, "--absent TO"),
        )
        if absent
        else None,
        leaving=(leaving[0], parse_day(leaving[1], date.min, "--leaving DATE"))
        if leaving
        else None,
        referral_dir=referral,
    )
    if change.absent and change.absent[2] < change.absent[1]:
        raise ConfigError("--absent: TO is before FROM")
    request = build_request(context, start, weeks, as_of, team)
    proposal = pipeline.propose(
        context.database, context.settings, request, progress=_progress, edit=editor(change)
    )
    typer.echo("What if: " + describe(change, committed=do_commit))
    print_proposal(proposal, context, committed=False, alerts=False)
    print_delta(whatif_delta(context.database, proposal))
    if json_file is not None:
        write_json(json_file, proposal.to_json(committed=False))
        context.audit("whatif.json", as_of=request.now, file=str(json_file))
    if do_commit:
        replan.store_proposal(context.database, context.settings, proposal, actor=context.actor)
        apply_change(context, change)
        assert proposal.stored is not None
        outcome = replan.run(
            context.database,
            context.settings,
            request,
            actor=context.actor,
            do_commit=True,
            after_commit=after_commit_hook(context),
            progress=_progress,
            proposal_id=proposal.stored,
            recorded_at=context.now,
        )
        committed = outcome.proposal
        if outcome.committed is not None:
            committed.version = outcome.committed.version
        typer.echo("")
        print_proposal(committed, context, committed=True, alerts=False)
        if outcome.delivery is not None:
            print_delivery(outcome.delivery)
        proposal = committed
    exit_for_severity(proposal, fail_on)


def apply_change(context: AppContext, change: WhatIf) -> None:
    """Record the what-if's change in the store, validated and audited as an import."""
    settings = context.settings
    common: dict[str, Any] = {
        "actor": context.actor,
        "now": context.now,
        "timezone": settings.timezone,
    }
    if change.absent is not None:
        worker, first, last = change.absent
        everyday.add_absence(
            context.database,
            worker=worker,
            start=first.isoformat(),
            end=last.isoformat(),
            kind="leave",
            note=None,
            **common,
        )
    if change.leaving is not None:
        worker, last_day = change.leaving
        everyday.worker_leaves(
            context.database, worker=worker, last_day=last_day.isoformat(), **common
        )
    if change.referral_dir is not None:
        import_files(
            context.database,
            [change.referral_dir / "children.csv", change.referral_dir / "plans.csv"],
            action="referral.add",
            **common,
        )


def print_delta(found: Delta) -> None:
    typer.echo(f"\nAlerts the change adds ({len(found.added)}):")
    if found.added:
        rows = [(a.severity, a.kind, a.id, a.message) for a in found.added]
        typer.echo(render(("severity", "kind", "id", "message"), rows))
    typer.echo(f"\nAlerts the change takes away ({len(found.removed)}):")
    if found.removed:
        rows = [(a.severity, a.kind, a.id, a.message) for a in found.removed]
        typer.echo(render(("severity", "kind", "id", "message"), rows))
    if found.lost_handovers:
        typer.echo(f"\nHandovers it loses ({len(found.lost_handovers)}):")
        for s in found.lost_handovers:
            with_ref = s.with_worker.ref if s.with_worker else "?"
            typer.echo(
                f"  {s.child.ref}: {s.worker.ref} with {with_ref} at {s.start:%Y-%m-%d %H:%M}"
            )


def describe(change: WhatIf, *, committed: bool = False) -> str:
    parts = []
    if change.absent:
        parts.append(f"{change.absent[0]} absent {change.absent[1]} .. {change.absent[2]}")
    if change.leaving:
        parts.append(f"{change.leaving[0]} leaves after {change.leaving[1]}")
    if change.referral_dir:
        parts.append(f"new referrals from {change.referral_dir}")
    tail = " (recorded, and the plan committed)" if committed else " (nothing is committed)"
    return "; ".join(parts) + tail
