"""keyworker's use cases: what ``cli/`` (and any other front end) calls, and nothing else.

Storage (SQLAlchemy, the models), the mapping to the solver and OR-Tools stay behind
these names. The names are loaded lazily (PEP 562): ``import scheduler`` costs nothing,
and ``scheduler.workers_table`` imports only its own module, so a read command starts
without the ORM or OR-Tools (bench/STARTUP.md).

``_PUBLIC`` is the one table of where each name lives ("module:attribute"); ``__all__``
lists its names and the ``TYPE_CHECKING`` imports repeat its paths for the type checker
(``tests/scheduler/test_public_surface.py`` checks that all three agree and that every
name resolves). When a module moves, its line in ``_PUBLIC`` and its import change.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC: dict[str, str] = {
    # errors, settings and the database handle
    "ConfigError": "scheduler.errors:ConfigError",
    "DatabaseError": "scheduler.errors:DatabaseError",
    "ImportFailed": "scheduler.errors:ImportFailed",
    "InputError": "scheduler.errors:InputError",
    "KeyworkerError": "scheduler.errors:KeyworkerError",
    "NotFound": "scheduler.errors:NotFound",
    "RefusedAction": "scheduler.errors:RefusedAction",
    "Settings": "scheduler.settings:Settings",
    "load_settings": "scheduler.settings:load_settings",
    "resolve_database_url": "scheduler.settings:resolve_database_url",
    "Database": "scheduler.db:Database",
    "check_schema": "scheduler.db:check_schema",
    "upgrade_schema": "scheduler.db:upgrade",
    # planning
    "PlanRequest": "scheduler.pipeline:PlanRequest",
    "propose": "scheduler.pipeline:propose",
    "commit": "scheduler.pipeline:commit",
    "suggest": "scheduler.pipeline:suggest",
    "plan": "scheduler.replan:run",
    "proposal_request": "scheduler.replan:request_of",
    "store_proposal": "scheduler.replan:store_proposal",
    "WhatIf": "scheduler.whatif:WhatIf",
    "what_if": "scheduler.whatif:propose_change",
    "record_what_if": "scheduler.whatif:record_change",
    "describe_closures": "scheduler.closures:describe",
    # the team's data
    "import_files": "scheduler.csv_import:import_files",
    "add_absence": "scheduler.everyday:add_absence",
    "end_absence": "scheduler.everyday:end_absence",
    "list_absences": "scheduler.everyday:list_absences",
    "worker_leaves": "scheduler.everyday:worker_leaves",
    "add_referral": "scheduler.everyday:add_referral",
    "write_demo": "scheduler.demo:write_demo",
    # the manager's changes
    "pin": "scheduler.actions:pin",
    "unpin": "scheduler.actions:unpin",
    "lock": "scheduler.actions:lock",
    "acknowledge": "scheduler.actions:acknowledge",
    "record_audit": "scheduler.actions:audit_entry",
    "record": "scheduler.actions:record",
    "export_plan": "scheduler.actions:export_plan",
    "OUTCOMES": "scheduler.outcomes:OUTCOMES",
    "check_note": "scheduler.notes:check_note",
    # reads (the first group on Core: no ORM, for start-up time)
    "Table": "scheduler.views:Table",
    "workers_table": "scheduler.views:workers_table",
    "children_table": "scheduler.views:children_table",
    "runs": "scheduler.views:nightly_runs",
    "AlertFilter": "scheduler.alert_list:AlertFilter",
    "ALERT_KINDS": "scheduler.alert_list:KINDS",
    "SEVERITY_RANK": "scheduler.alert_list:SEVERITY_RANK",
    "list_alerts": "scheduler.alert_list:list_alerts",
    "shown_status": "scheduler.alert_list:shown_status",
    "child_tables": "scheduler.plan_views:child",
    "worker_tables": "scheduler.plan_views:worker",
    "plan_table": "scheduler.plan_views:plan",
    "handovers_table": "scheduler.plan_views:handovers",
    "week_table": "scheduler.plan_views:week",
    "closed_days": "scheduler.plan_views:closures",
    "audit_log": "scheduler.plan_views:audit_log",
    "current_plan": "scheduler.plan_json:current_plan",
    # the continuity report
    "continuity_report": "scheduler.plan_views:continuity_report",
    "render_report_html": "scheduler.report:render_html",
    "report_as_json": "scheduler.report:report_json",
    "report_comparison_rows": "scheduler.report:comparison_rows",
    # files out
    "SHEET_TABLES": "scheduler.spreadsheet_export:TABLES",
    "plan_sheets": "scheduler.spreadsheet_export:plan_sheets",
    "write_csv": "scheduler.spreadsheet_export:write_csv",
    "xlsx_bytes": "scheduler.spreadsheet_export:xlsx_bytes",
    "open_private": "scheduler.private_files:open_private",
    "write_private": "scheduler.private_files:write_private",
    "write_private_bytes": "scheduler.private_files:write_private_bytes",
    "sqlite_file": "scheduler.private_files:sqlite_file",
    # the types of what the use cases return (for annotations in front ends)
    "ImportReport": "scheduler.csv_import:ImportReport",
    "AlertRow": "scheduler.alert_list:AlertRow",
    "DeliveryReport": "scheduler.notify:DeliveryReport",
    "Proposal": "scheduler.pipeline:Proposal",
    "AfterCommit": "scheduler.pipeline:AfterCommit",
    "RunOutcome": "scheduler.replan:RunOutcome",
    "Delta": "scheduler.whatif:Delta",
    "ChildFigures": "scheduler.report:ChildFigures",
    "ChildTimeline": "scheduler.report:ChildTimeline",
    "ContinuityReport": "scheduler.report:ContinuityReport",
    "PlanOutlook": "scheduler.report:PlanOutlook",
    "WorkerWeek": "scheduler.report:WorkerWeek",
    "Headline": "scheduler.report:Headline",
    # the service
    "NightlyService": "scheduler.service:NightlyService",
    "abandon_in_progress": "scheduler.nightly:abandon_in_progress",
    "NIGHTLY_FAILURE_KIND": "scheduler.nightly:FAILURE_KIND",
}

# the names of the table (a literal list, as the type checker reads it)
__all__ = [
    "ALERT_KINDS",
    "NIGHTLY_FAILURE_KIND",
    "OUTCOMES",
    "SEVERITY_RANK",
    "SHEET_TABLES",
    "AfterCommit",
    "AlertFilter",
    "AlertRow",
    "ChildFigures",
    "ChildTimeline",
    "ConfigError",
    "ContinuityReport",
    "Database",
    "DatabaseError",
    "DeliveryReport",
    "Delta",
    "Headline",
    "ImportFailed",
    "ImportReport",
    "InputError",
    "KeyworkerError",
    "NightlyService",
    "NotFound",
    "PlanOutlook",
    "PlanRequest",
    "Proposal",
    "RefusedAction",
    "RunOutcome",
    "Settings",
    "Table",
    "WhatIf",
    "WorkerWeek",
    "abandon_in_progress",
    "acknowledge",
    "add_absence",
    "add_referral",
    "audit_log",
    "check_note",
    "check_schema",
    "child_tables",
    "children_table",
    "closed_days",
    "commit",
    "continuity_report",
    "current_plan",
    "describe_closures",
    "end_absence",
    "export_plan",
    "handovers_table",
    "import_files",
    "list_absences",
    "list_alerts",
    "load_settings",
    "lock",
    "open_private",
    "pin",
    "plan",
    "plan_sheets",
    "plan_table",
    "proposal_request",
    "propose",
    "record",
    "record_audit",
    "record_what_if",
    "render_report_html",
    "report_as_json",
    "report_comparison_rows",
    "resolve_database_url",
    "runs",
    "shown_status",
    "sqlite_file",
    "store_proposal",
    "suggest",
    "unpin",
    "upgrade_schema",
    "week_table",
    "what_if",
    "worker_leaves",
    "worker_tables",
    "workers_table",
    "write_csv",
    "write_demo",
    "write_private",
    "write_private_bytes",
    "xlsx_bytes",
]

if TYPE_CHECKING:
    from scheduler.actions import acknowledge, export_plan, lock, pin, record, unpin
    from scheduler.actions import audit_entry as record_audit
    from scheduler.alert_list import KINDS as ALERT_KINDS
    from scheduler.alert_list import SEVERITY_RANK, AlertFilter, AlertRow, list_alerts, shown_status
    from scheduler.closures import describe as describe_closures
    from scheduler.csv_import import ImportReport, import_files
    from scheduler.db import Database, check_schema
    from scheduler.db import upgrade as upgrade_schema
    from scheduler.demo import write_demo
    from scheduler.errors import (
        ConfigError,
        DatabaseError,
        ImportFailed,
        InputError,
        KeyworkerError,
        NotFound,
        RefusedAction,
    )
    from scheduler.everyday import (
        add_absence,
        add_referral,
        end_absence,
        list_absences,
        worker_leaves,
    )
    from scheduler.nightly import FAILURE_KIND as NIGHTLY_FAILURE_KIND
    from scheduler.nightly import abandon_in_progress
    from scheduler.notes import check_note
    from scheduler.notify import DeliveryReport
    from scheduler.outcomes import OUTCOMES
    from scheduler.pipeline import AfterCommit, PlanRequest, Proposal, commit, propose, suggest
    from scheduler.plan_json import current_plan
    from scheduler.plan_views import audit_log, continuity_report
    from scheduler.plan_views import child as child_tables
    from scheduler.plan_views import closures as closed_days
    from scheduler.plan_views import handovers as handovers_table
    from scheduler.plan_views import plan as plan_table
    from scheduler.plan_views import week as week_table
    from scheduler.plan_views import worker as worker_tables
    from scheduler.private_files import (
        open_private,
        sqlite_file,
        write_private,
        write_private_bytes,
    )
    from scheduler.replan import RunOutcome, store_proposal
    from scheduler.replan import request_of as proposal_request
    from scheduler.replan import run as plan
    from scheduler.report import (
        ChildFigures,
        ChildTimeline,
        ContinuityReport,
        Headline,
        PlanOutlook,
        WorkerWeek,
    )
    from scheduler.report import comparison_rows as report_comparison_rows
    from scheduler.report import render_html as render_report_html
    from scheduler.report import report_json as report_as_json
    from scheduler.service import NightlyService
    from scheduler.settings import Settings, load_settings, resolve_database_url
    from scheduler.spreadsheet_export import TABLES as SHEET_TABLES
    from scheduler.spreadsheet_export import plan_sheets, write_csv, xlsx_bytes
    from scheduler.views import Table, children_table, workers_table
    from scheduler.views import nightly_runs as runs
    from scheduler.whatif import Delta, WhatIf
    from scheduler.whatif import propose_change as what_if
    from scheduler.whatif import record_change as record_what_if


def __getattr__(name: str) -> Any:
    """Import the module that holds ``name`` on first use (PEP 562), and keep it."""
    try:
        module, attribute = _PUBLIC[name].split(":")
    except KeyError:
        raise AttributeError(f"module 'scheduler' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
