"""whatif: what an absence, a leaver or referrals would change in the plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import scheduler
from cli.context import app_context
from cli.options import (
    AsOfOption,
    FailOnOption,
    PlanJsonOption,
    StartOption,
    TeamOption,
    WeeksOption,
    build_request,
    parse_day,
)
from cli.output import Printer, print_import_failure, printer_for, stages, write_json
from cli.plan_cmd import check_fail_on, exit_for_severity, print_delivery, print_proposal, run_plan
from scheduler import ConfigError

if TYPE_CHECKING:
    from scheduler import Delta, WhatIf


def register(app: typer.Typer) -> None:
    app.command("whatif")(whatif)


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
    json_file: PlanJsonOption = None,
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
    written. Errors in --referral files are listed as 'import' lists them.
    """
    context = app_context(ctx)
    out = printer_for(json_file)
    check_fail_on(fail_on)
    if absent is None and leaving is None and referral is None:
        raise ConfigError("whatif needs --absent, --leaving or --referral")
    change = scheduler.WhatIf(
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
    try:
        with stages() as progress:
            proposal, found = scheduler.what_if(
                context.database, context.settings, request, change, progress=progress
            )
    except scheduler.ImportFailed as exc:  # the referral files: as 'import' lists them
        print_import_failure(exc, outcome="nothing was planned.")
        raise typer.Exit(2) from None
    out.line("What if: " + describe(change, committed=do_commit))
    print_proposal(proposal, context, committed=False, alerts=False, out=out)
    print_delta(found, out)
    if json_file is not None:
        write_json(json_file, proposal.to_json(committed=False))
        context.audit("whatif.json", as_of=request.now, file=str(json_file))
    if do_commit:
        scheduler.store_proposal(context.database, context.settings, proposal, actor=context.actor)
        scheduler.record_what_if(
            context.database,
            change,
            actor=context.actor,
            now=context.now,
            timezone=context.settings.timezone,
        )
        assert proposal.stored is not None
        outcome = run_plan(context, request, do_commit=True, proposal_id=proposal.stored)
        committed = outcome.proposal
        out.line("")
        print_proposal(committed, context, committed=True, alerts=False, out=out)
        if outcome.delivery is not None:
            print_delivery(outcome.delivery, out)
        proposal = committed
    exit_for_severity(proposal, fail_on)


def print_delta(found: Delta, out: Printer | None = None) -> None:
    out = out or Printer()
    out.line(f"\nAlerts the change adds ({len(found.added)}):")
    if found.added:
        rows = [(a.severity, a.kind, a.id, a.message) for a in found.added]
        out.table(("severity", "kind", "id", "message"), rows)
    out.line(f"\nAlerts the change takes away ({len(found.removed)}):")
    if found.removed:
        rows = [(a.severity, a.kind, a.id, a.message) for a in found.removed]
        out.table(("severity", "kind", "id", "message"), rows)
    if found.lost_handovers:
        out.line(f"\nHandovers it loses ({len(found.lost_handovers)}):")
        for s in found.lost_handovers:
            with_ref = s.with_worker.ref if s.with_worker else "?"
            out.line(f"  {s.child.ref}: {s.worker.ref} with {with_ref} at {s.start:%Y-%m-%d %H:%M}")


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
