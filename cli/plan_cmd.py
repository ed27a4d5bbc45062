"""Planning commands: plan and export plan, and the proposal printing whatif shares."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import scheduler
from cli.context import AppContext, app_context
from cli.options import (
    AsOfOption,
    FailOnOption,
    PlanJsonOption,
    StartOption,
    TeamOption,
    WeeksOption,
    build_request,
    parse_as_of,
    parse_day,
)
from cli.output import (
    Printer,
    printer_for,
    stages,
    write_json,
)
from cli.tables import shown
from scheduler import ConfigError

if TYPE_CHECKING:
    from scheduler import (
        AfterCommit,
        DeliveryReport,
        PlanRequest,
        Proposal,
        RunOutcome,
    )

# Heavy modules (OR-Tools through the pipeline, the feed server stack, the spreadsheet
# writers) are imported inside the commands that use them: 'keyworker --help' and the
# read commands start without them (bench/STARTUP.md).

__all__ = ["AsOfOption", "build_request", "parse_as_of", "parse_day", "write_json"]

export_app = typer.Typer(help="Export the current plan.", no_args_is_help=True)

# A first plan lists its sessions child by child instead; so does one with more changes.
CHANGE_LINES = 50


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


def register_export(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


def check_fail_on(fail_on: str | None) -> None:
    if fail_on is not None and fail_on not in scheduler.SEVERITY_RANK:
        raise ConfigError(f"--fail-on {fail_on!r} must be one of high, medium, low")


def after_commit_hook(context: AppContext) -> AfterCommit:
    from calendars import refresh_feeds

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
    json_file: PlanJsonOption = None,
    do_commit: Annotated[
        bool, typer.Option("--commit", help="Make it the current plan, deliver alerts.")
    ] = False,
    fail_on: FailOnOption = None,
    proposal_id: Annotated[
        int | None,
        typer.Option(
            "--proposal",
            metavar="ID",
            help="With --commit: commit this stored proposal (its horizon and teams) "
            "if nothing has changed since it was shown.",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Every change line, also for a first or a large plan."
        ),
    ] = False,
) -> None:
    """Solve, and show the summary, the changes against the current plan and the alerts.

    A dry run is stored as a proposal; --commit then commits exactly that plan while
    nothing it was made from has changed, else plans again and lists what differs.
    A first plan (or one with more than 50 changes) is summed up child by child;
    --verbose lists every change. With --json - the plan goes to stdout and everything
    else to stderr.
    """
    context = app_context(ctx)
    out = printer_for(json_file)
    check_fail_on(fail_on)
    if proposal_id is not None:
        if not do_commit:
            raise ConfigError("--proposal is for committing a stored proposal: add --commit")
        if start is not None or weeks is not None or team:
            raise ConfigError("--proposal takes its horizon and teams from the proposal")
        request = scheduler.proposal_request(
            context.database, proposal_id, parse_as_of(as_of, context)
        )
    else:
        request = build_request(context, start, weeks, as_of, team)
    outcome = run_plan(context, request, do_commit=do_commit, proposal_id=proposal_id)
    proposal = outcome.proposal
    print_proposal(
        proposal, context, committed=outcome.committed is not None, out=out, verbose=verbose
    )
    if outcome.delivery is not None:
        print_delivery(outcome.delivery, out)
    if json_file is not None:
        write_json(json_file, proposal.to_json(committed=outcome.committed is not None))
        context.audit("plan.json", as_of=request.now, file=str(json_file))
    exit_for_severity(proposal, fail_on)


def run_plan(
    context: AppContext,
    request: PlanRequest,
    *,
    do_commit: bool,
    proposal_id: int | None,
) -> RunOutcome:
    """Plan (with the stage display), storing a dry run or committing; a committed
    proposal carries its version."""
    with stages() as progress:
        outcome = scheduler.plan(
            context.database,
            context.settings,
            request,
            actor=context.actor,
            do_commit=do_commit,
            after_commit=after_commit_hook(context) if do_commit else None,
            progress=progress,
            proposal_id=proposal_id,
            recorded_at=context.now,
        )
    if outcome.committed is not None:
        outcome.proposal.version = outcome.committed.version
    return outcome


def exit_for_severity(proposal: Proposal, fail_on: str | None) -> None:
    rank = scheduler.SEVERITY_RANK
    worst = proposal.worst_severity()
    if fail_on and worst and rank[worst] >= rank[fail_on]:
        raise typer.Exit(3)


def _ceiling_text(metrics: dict[str, Any]) -> str:
    ceiling = metrics.get("key_worker_ceiling_pct")
    return "" if ceiling is None else f" (at most {ceiling}% possible with these absences)"


def print_proposal(
    proposal: Proposal,
    context: AppContext,
    *,
    committed: bool,
    alerts: bool = True,
    out: Printer | None = None,
    verbose: bool = False,
) -> None:
    out = out or Printer()
    m = proposal.metrics
    instance = proposal.instance
    state = f"committed as version {proposal.version}" if committed else "dry run, not committed"
    out.line(
        f"Plan {instance.horizon_start} .. {instance.horizon_end} ({instance.timezone}), {state}"
    )
    out.line(
        f"  children planned: {m['children']}, with a key worker throughout: {m['allocated']}\n"
        f"  sessions scheduled/required: {m['sessions_scheduled']}/{m['sessions_required']}, "
        f"with the key worker: {m['sessions_with_key_worker_pct']}%"
        f"{_ceiling_text(m)}\n"
        f"  key-worker changes: {m['keyworker_changes']}, "
        f"changes against the current plan: {len(proposal.changes)}, "
        f"solved in {m['solve_seconds']} s"
    )
    closed = scheduler.describe_closures(
        proposal.loaded.closures, instance.horizon_start, instance.horizon_end
    )
    if closed:
        out.line(f"  closed (no sessions): {'; '.join(closed)}")
    if proposal.solution.clock_stopped:
        out.line(
            "  note: the machine was so slow that the safety clock stopped the search; "
            "a rerun may give a different plan"
        )
    if proposal.reused is not None:
        out.line(
            f"  this is proposal {proposal.reused} exactly as previewed: nothing has changed since"
        )
    if proposal.preview is not None:
        check = proposal.preview
        tail = "differences from the preview:" if check.differences else "the same plan"
        out.line(
            f"  planned again, not proposal {check.proposal} as previewed: {check.why}; {tail}"
        )
        for line in check.differences:
            out.line(f"    {line}")
    if proposal.stored is not None:
        out.line(
            f"  stored as proposal {proposal.stored}: 'keyworker plan --commit' with the same "
            "--start, --weeks and --team commits exactly this plan while nothing changes"
        )
    if proposal.changes:
        first = not instance.current_allocations
        if not verbose and (first or len(proposal.changes) > CHANGE_LINES):
            why = "a first plan" if first else f"{len(proposal.changes)} changes"
            out.line(f"\nChildren ({why}; --verbose lists every change):")
            out.table(CHILD_SUMMARY_HEADERS, child_summary(proposal))
        else:
            out.line("\nChanges:")
            for change in proposal.changes:
                out.line(f"  {shown(change.text)}")
    if not alerts:
        return
    out.line(f"\nAlerts ({len(proposal.alerts)}):")
    rows = [(a.severity, a.kind, a.id, a.message) for a in proposal.alerts]
    if rows:
        out.table(("severity", "kind", "id", "message"), rows)


CHILD_SUMMARY_HEADERS = (
    "child", "key worker", "secondary", "sessions", "new key worker"
)  # fmt: skip


def child_summary(proposal: Proposal) -> list[tuple[object, ...]]:
    """One row per planned child: key and secondary worker(s) in the horizon, the
    sessions planned in it (not past), and whether the key worker is new to the child."""
    instance = proposal.instance
    before = {c.ref: c.current_key_worker for c in instance.children}
    for current in instance.current_allocations:
        before[current.child] = current.key_worker
    keys: dict[str, list[str]] = {}
    seconds: dict[str, list[str]] = {}
    for a in proposal.solution.allocations:
        key_list = keys.setdefault(a.child, [])
        second_list = seconds.setdefault(a.child, [])
        if a.key_worker and a.key_worker not in key_list:
            key_list.append(a.key_worker)
        if a.secondary_worker and a.secondary_worker not in second_list:
            second_list.append(a.secondary_worker)
    sessions: dict[str, int] = {}
    for s in proposal.solution.sessions:
        if not s.past:
            sessions[s.child] = sessions.get(s.child, 0) + 1
    rows: list[tuple[object, ...]] = []
    for child in sorted(keys):
        workers = keys[child]
        new = any(w != before.get(child) for w in workers) if workers else False
        rows.append(
            (
                child,
                ", ".join(workers) or None,
                ", ".join(seconds[child]) or None,
                sessions.get(child, 0),
                new,
            )
        )
    return rows


def print_delivery(report: DeliveryReport, out: Printer | None = None) -> None:
    out = out or Printer()
    if report.delivered:
        out.line(f"\ndelivered {len(report.delivered)} alert(s)")
    if report.failed:
        typer.echo(
            f"\n{len(report.failed)} alert(s) could not be delivered and will be retried "
            f"after the next commit: {next(iter(report.failed.values()))}",
            err=True,
        )
    if report.workers_told:
        out.line(f"told {len(report.workers_told)} worker(s) about changes this week")
    for ref, error in report.worker_failures.items():
        typer.echo(f"could not email {ref}: {error}", err=True)


@export_app.command("plan")
def export_plan(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="json, csv or xlsx")
    ] = "json",
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="File (default stdout).")
    ] = Path("-"),
    table: Annotated[
        str,
        typer.Option(
            "--table", metavar="TABLE", help="With --format csv: sessions, allocations or alerts."
        ),
    ] = "sessions",
) -> None:
    """The current plan as JSON (SPEC "Plan JSON"), as CSV (one table) or as an xlsx
    workbook (sessions, allocations and alerts, with local dates and worker names)."""
    context = app_context(ctx)
    if fmt not in ("json", "csv", "xlsx"):
        raise ConfigError(f"--format {fmt!r} must be json, csv or xlsx")
    tables = scheduler.SHEET_TABLES
    if table not in tables:
        raise ConfigError(f"--table {table!r} must be one of {', '.join(tables)}")
    if fmt == "xlsx" and str(output) == "-":
        raise ConfigError("--format xlsx writes a workbook: give a file with --output")
    # audited before anything goes out: never an export without its audit entry
    data, names = scheduler.export_plan(
        context.database, actor=context.actor, now=context.now, format=fmt, output=str(output)
    )
    if fmt == "json":
        write_json(output, data)
        return
    sheets = scheduler.plan_sheets(data, names)
    if fmt == "xlsx":
        scheduler.write_private_bytes(output, scheduler.xlsx_bytes(sheets))
        return
    handle = sys.stdout if str(output) == "-" else scheduler.open_private(output, newline="")
    scheduler.write_csv(handle, next(s for s in sheets if s.name == table))
    if handle is not sys.stdout:
        handle.close()
