"""Importing the CSV files: parse all, check all, then write all in one transaction.

Nothing is written unless every file is clean. Writes use bulk statements so a
50,000-row file takes seconds, not minutes (bench/IMPORT.md). The parts: ``reader``
(bytes to cells with physical lines), ``rows`` and ``fields`` (cells to typed rows),
``parsing`` (the files on their own: duplicates, refs), ``plans`` (how plans replace
each other), ``case_record`` (the imported key worker); this module checks refs
against the database and writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, Table, delete, insert, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.csv_import import rows as r
from scheduler.csv_import.case_record import apply_key_worker_changes
from scheduler.csv_import.exclusions import record_excluded_key_workers
from scheduler.csv_import.fields import Window
from scheduler.csv_import.parsing import Parsed, parse_all, unknown_ref
from scheduler.csv_import.plans import PlanState, merge_plans
from scheduler.csv_import.sessions_file import (
    OutcomeRow,
    check_sessions,
    parse_sessions,
    write_sessions,
)
from scheduler.csv_import.workbook import (
    Sheet,
    Source,
    WorkbookUnreadable,
    locate,
    locate_cause,
    sheet_header,
    sheets_of,
)
from scheduler.db import Database
from scheduler.errors import ConfigError, DatabaseError, ImportFailed, InputError
from scheduler.models import (
    Absence,
    Base,
    Child,
    ChildWindow,
    Closure,
    SupportPlan,
    Worker,
    WorkerWindow,
)
from scheduler.models import Session as PlanSession

FILE_NAMES = (
    "workers.csv",
    "children.csv",
    "plans.csv",
    "absences.csv",
    "closures.csv",
    "sessions.csv",
)
# what a worker's feed shows of a child: the initials, and the place where set to
FEED_FIELDS = ("initials", "lat", "lon")


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    files: dict[str, FileCounts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    # file -> column -> how many stored values an empty cell cleared (or reset to the
    # default): an exclusion or a fortnightly plan should never vanish unannounced
    cleared: dict[str, dict[str, int]] = field(default_factory=dict)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after counting."""


def find_files(paths: Sequence[Path]) -> dict[str, Source]:
    """Map file names to paths (or workbook sheets) from a directory or explicit files.

    A directory gives its CSV files by name and every ``.xlsx`` workbook in it;
    a workbook gives the sheets named after the files, or is itself named after one
    (``children.xlsx``). Other names are refused, and so is a file given twice.
    """
    found: dict[str, Source] = {}

    def add(name: str, source: Source) -> None:
        if name in found:
            raise ConfigError(f"{_where(source)}: {name} given twice (also {_where(found[name])})")
        found[name] = source

    def add_workbook(path: Path) -> None:
        try:
            sheets = sheets_of(path)
        except WorkbookUnreadable as exc:
            raise ConfigError(str(exc)) from exc
        for sheet in sheets:
            add(sheet.file, sheet)

    for path in paths:
        if path.is_dir():
            for name in FILE_NAMES:
                if (path / name).is_file():
                    add(name, path / name)
            for workbook in sorted(path.glob("*.xlsx")):
                if not workbook.name.startswith("~$"):  # a spreadsheet's lock file
                    add_workbook(workbook)
        elif path.is_file():
            if path.suffix.lower() == ".xlsx":
                add_workbook(path)
                continue
            if path.name not in FILE_NAMES:
                raise ConfigError(
                    f"{path}: files to import must be named {', '.join(FILE_NAMES)}, "
                    "or be .xlsx workbooks"
                )
            add(path.name, path)
        else:
            raise ConfigError(f"{path}: no such file or directory")
    if not found:
        raise ConfigError(
            f"nothing to import: none of {', '.join(FILE_NAMES)} found in "
            + ", ".join(str(p) for p in paths)
        )
    return found


def import_files(
    database: Database,
    paths: Sequence[Path],
    *,
    actor: str,
    now: datetime,
    timezone: str,
    dry_run: bool = False,
    action: str = "import",
    detail: dict[str, Any] | None = None,
    as_of: datetime | None = None,
) -> ImportReport:
    """Import ``paths`` in one transaction; ``action`` names it in the audit log (the
    everyday commands are one-row imports). ``as_of``: import as if it were that time
    (``--as-of``, as for ``plan``): today's date for the checks and the case record's
    changes, and the time the sessions of ``sessions.csv`` must have begun by; the
    audit log keeps the wall clock ``now``."""
    files = find_files(paths)
    errors: list[InputError] = []
    parsed = parse_all(files, errors)
    zone = ZoneInfo(timezone)
    outcomes = (
        parse_sessions(files["sessions.csv"], zone, errors) if "sessions.csv" in files else []
    )
    report = ImportReport(dry_run=dry_run)
    today = (as_of or now).astimezone(zone).date()
    try:
        with database.transaction() as session:
            _one_import_at_a_time(session)
            importer = _Importer(session, parsed, errors, report, today=today, now=now, actor=actor)
            importer.outcomes = (outcomes, as_of or now, zone)
            importer.run()
            if errors:
                ordered = sorted(errors, key=lambda e: (e.file, e.line, e.column))
                raise ImportFailed(_located(ordered, files))
            if dry_run:
                raise _DryRun
            audit.record(
                session,
                actor=actor,
                action=action,
                at=now,
                files=sorted(files),
                counts={n: vars(c) for n, c in report.files.items()},
                **(detail or {}),
            )
    except _DryRun:
        pass
    except OperationalError as exc:
        # Busy past the timeout (another writer held SQLite for 30 s), or the server went
        # away: nothing was written, and the manager can simply run the import again.
        raise DatabaseError(
            f"the import could not be written, nothing was imported: {exc.orig}"
        ) from exc
    return report


# Any fixed number will do: it names the import lock among PostgreSQL advisory locks.
_IMPORT_LOCK = 0x6B77_696D  # "kwim"


def _where(source: Source) -> str:
    return source.label if isinstance(source, Sheet) else str(source)


def _located(errors: list[InputError], files: dict[str, Source]) -> list[InputError]:
    """Errors of files read from workbook sheets, named by workbook, sheet and cell."""
    headers = {
        name: sheet_header(source) for name, source in files.items() if isinstance(source, Sheet)
    }
    out = []
    for found in errors:
        error, cause = found, found.caused_by
        if cause is not None and isinstance(root := files.get(cause.file), Sheet):
            error = replace(error, caused_by=locate_cause(cause, root))
        source = files.get(error.file)
        out.append(
            locate(error, source, headers[error.file]) if isinstance(source, Sheet) else error
        )
    return out


def _one_import_at_a_time(session: Session) -> None:
    """Serialise imports, so two at once both succeed instead of one failing.

    Without it, two imports of new refs collide on the unique constraints (PostgreSQL),
    or the second, having read before the first committed, cannot write (SQLite).
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
    elif dialect == "sqlite":
        # A write before any read takes SQLite's write lock now (waiting as long as the
        # busy timeout), so every read below already sees the other import's rows.
        session.execute(text("DELETE FROM audit_log WHERE 0"))


class _Importer:
    def __init__(
        self,
        session: Session,
        parsed: Parsed,
        errors: list[InputError],
        report: ImportReport,
        *,
        today: date,
        now: datetime,
        actor: str,
    ) -> None:
        self.s = session
        self.p = parsed
        self.errors = errors
        self.report = report
        self.today = today
        self.now = now
        self.actor = actor
        self.outcomes: tuple[list[OutcomeRow], datetime, ZoneInfo] = ([], now, ZoneInfo("UTC"))
        self.worker_ids: dict[str, int] = dict(
            session.execute(select(_table(Worker).c.ref, _table(Worker).c.id)).tuples().all()
        )
        self.child_ids: dict[str, int] = dict(
            session.execute(select(_table(Child).c.ref, _table(Child).c.id)).tuples().all()
        )

    def run(self) -> None:
        known = {
            "worker": set(self.worker_ids) | self.p.worker_refs,
            "child": set(self.child_ids) | self.p.child_refs,
        }
        reported: set[tuple[str, int, str, str]] = set()
        for kind, file, line, column, ref in self.p.mentions:
            if ref not in known[kind] and (file, line, column, ref) not in reported:
                reported.add((file, line, column, ref))
                self.errors.append(
                    unknown_ref(
                        kind, ref, self.p.cause(kind, ref), file=file, line=line, column=column
                    )
                )
        self._check_closure_teams()
        for child in self.p.children:
            since = child.key_worker_since
            if since is not None and since > self.today:
                self._error(
                    "children.csv",
                    child.line,
                    "key_worker_since",
                    since.isoformat(),
                    f"key_worker_since is after today ({self.today}); it is the day the "
                    "relationship began",
                )
        known_children = known["child"]
        # Plans of a child whose row failed are still checked against each other: their
        # overlaps are errors of their own.
        plan_result = self._merge_plans(known_children | set(self.p.failed.get("child", ())))
        rows, as_of, zone = self.outcomes
        outcomes = check_sessions(
            self.s, rows, known_children=known_children, known_workers=known["worker"],
            now=as_of, zone=zone, errors=self.errors, causes=self.p.cause,
        )  # fmt: skip
        if self.errors:
            return
        if "workers.csv" in self.p.present:
            self._upsert_workers()
        if "children.csv" in self.p.present:
            self._upsert_children()
        if "plans.csv" in self.p.present:
            self._write_plans(plan_result)
        if "absences.csv" in self.p.present:
            self._upsert_absences()
        if "closures.csv" in self.p.present:
            self._upsert_closures()
        if "sessions.csv" in self.p.present:
            counts = self.report.files.setdefault("sessions.csv", FileCounts())
            for written in write_sessions(
                self.s, outcomes, child_ids=self.child_ids, worker_ids=self.worker_ids,
                actor=self.actor, now=self.now,
            ):  # fmt: skip
                setattr(counts, written.change, getattr(counts, written.change) + 1)
        self.s.flush()

    def _error(self, file: str, line: int, column: str, value: str, message: str) -> None:
        self.errors.append(InputError(file, line, column, value, message))

    # --- columns a file has, and what its empty cells clear --------------------------------

    def _has(self, file: str, column: str) -> bool:
        return column in self.p.columns.get(file, frozenset())

    def _absent(self, file: str) -> frozenset[str]:
        return frozenset(c for c in _OPTIONAL[file] if not self._has(file, c))

    def _given(self, file: str, line: int, values: dict[str, Any], old: Any) -> dict[str, Any]:
        """The values of a stored row that the file gives: a column the file lacks keeps
        its stored value (SPEC "Import rules"); empty cells that clear one are counted."""
        absent = self._absent(file)
        given = {k: v for k, v in values.items() if k not in absent}
        for column in self.p.empty_cells.get((file, line), ()):
            if column in given and old[column] != given[column]:
                self._count_cleared(file, column)
        return given

    def _count_if_cleared(self, file: str, line: int, column: str) -> None:
        if column in self.p.empty_cells.get((file, line), ()):
            self._count_cleared(file, column)

    def _count_cleared(self, file: str, column: str) -> None:
        per_file = self.report.cleared.setdefault(file, {})
        per_file[column] = per_file.get(column, 0) + 1

    # --- workers -------------------------------------------------------------------------

    def _upsert_workers(self) -> None:
        counts = self.report.files.setdefault("workers.csv", FileCounts())
        existing = {
            row.ref: row for row in self.s.execute(select(Worker.__table__)).mappings().all()
        }
        windows = _windows_by_owner(self.s, WorkerWindow, "worker_id")
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        replace_windows: dict[str, tuple[Window, ...]] = {}
        for w in self.p.workers:
            values: dict[str, Any] = {
                "ref": w.ref,
                "name": w.name,
                "email": w.email,
                "team": w.team,
                "hours_per_week": w.hours_per_week,
                "max_caseload": w.max_caseload,
                "skills": w.skills,
                "languages": w.languages,
                "gender": w.gender,
                "lat": w.lat,
                "lon": w.lon,
                "start_date": w.start_date,
                "end_date": w.end_date,
            }
            old = existing.get(w.ref)
            if old is None:
                new_rows.append(values)
                replace_windows[w.ref] = w.windows
                counts.created += 1
                continue
            values = self._given("workers.csv", w.line, values, old)
            differs = any(old[k] != v for k, v in values.items())
            if self._has("workers.csv", "availability") and windows.get(old["id"], ()) != (
                w.windows
            ):
                self._count_if_cleared("workers.csv", w.line, "availability")
                replace_windows[w.ref] = w.windows
                differs = True
            if differs:
                changed_rows.append({"id": old["id"], **values})
                counts.updated += 1
            else:
                counts.unchanged += 1
        self._insert_and_update(Worker, new_rows, changed_rows, self.worker_ids)
        self._replace_windows(WorkerWindow, "worker_id", replace_windows, self.worker_ids)

    # --- children ------------------------------------------------------------------------

    def _upsert_children(self) -> None:
        counts = self.report.files.setdefault("children.csv", FileCounts())
        existing = {
            row.ref: row for row in self.s.execute(select(Child.__table__)).mappings().all()
        }
        windows = _windows_by_owner(self.s, ChildWindow, "child_id")
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        replace_windows: dict[str, tuple[Window, ...]] = {}
        key_changes: list[r.ChildRow] = []
        shown_changed: list[int] = []  # children whose events in the feeds now read differently
        for c in self.p.children:
            values: dict[str, Any] = {
                "ref": c.ref,
                "initials": c.initials,
                "team": c.team,
                "required_skills": c.required_skills,
                "language": c.language,
                "preferred_gender": c.preferred_gender,
                "preferred_workers": c.preferred_workers,
                "excluded_workers": c.excluded_workers,
                "lat": c.lat,
                "lon": c.lon,
                "risk": c.risk,
            }
            old = existing.get(c.ref)
            if old is None:
                values["case_key_worker"] = c.key_worker
                values["case_key_worker_since"] = c.key_worker_since
                new_rows.append(values)
                replace_windows[c.ref] = c.windows
                counts.created += 1
                if c.key_worker:
                    key_changes.append(c)
                continue
            values = self._given("children.csv", c.line, values, old)
            differs = any(old[k] != v for k, v in values.items())
            if any(k in values and old[k] != values[k] for k in FEED_FIELDS):
                shown_changed.append(old["id"])
            pin = old["pinned_worker_id"]
            if (
                c.key_worker != old["case_key_worker"]
                and c.key_worker is not None
                and pin is not None
                and pin != self.worker_ids[c.key_worker]
            ):
                # A pin wins. The case record's value is not taken as imported, so the
                # conflict is reported again on every import until the child is unpinned,
                # and the first import after that applies it.
                pinned_ref = next(ref for ref, id_ in self.worker_ids.items() if id_ == pin)
                self.report.notes.append(
                    f"children.csv:{c.line}: the case record names {c.key_worker} as key "
                    f"worker of {c.ref}, but {c.ref} is pinned to {pinned_ref}; the pinned "
                    "worker stays (unpin, then import again, to accept the case record)"
                )
            elif c.key_worker != old["case_key_worker"] and c.key_worker is not None:
                values["case_key_worker"] = c.key_worker
                values["case_key_worker_since"] = c.key_worker_since
                key_changes.append(c)
                differs = True
            # An empty key_worker cell is "not given": the value imported last time stays,
            # so an old export imported after a blank one still undoes nothing.
            if self._has("children.csv", "availability") and windows.get(old["id"], ()) != (
                c.windows
            ):
                self._count_if_cleared("children.csv", c.line, "availability")
                replace_windows[c.ref] = c.windows
                differs = True
            if differs:
                changed_rows.append({"id": old["id"], **values})
                counts.updated += 1
            else:
                counts.unchanged += 1
        self._insert_and_update(Child, new_rows, changed_rows, self.child_ids)
        self._replace_windows(ChildWindow, "child_id", replace_windows, self.child_ids)
        if shown_changed:  # SEQUENCE is raised whenever an event changes (calendar clients)
            self.s.execute(
                update(PlanSession)
                .where(PlanSession.child_id.in_(shown_changed), PlanSession.removed_in.is_(None))
                .values(sequence=PlanSession.sequence + 1)
            )
        apply_key_worker_changes(
            self.s,
            key_changes,
            child_ids=self.child_ids,
            worker_ids=self.worker_ids,
            last_imported={ref: row["case_key_worker"] for ref, row in existing.items()},
            today=self.today,
            now=self.now,
            actor=self.actor,
        )
        refs = {id_: ref for ref, id_ in self.worker_ids.items()}
        record_excluded_key_workers(
            self.s,
            self.p.children,
            excluded_before={ref: row["excluded_workers"] for ref, row in existing.items()},
            pinned={
                ref: refs[row["pinned_worker_id"]]
                for ref, row in existing.items()
                if row["pinned_worker_id"] is not None
            },
            child_ids=self.child_ids,
            worker_ids=self.worker_ids,
            today=self.today,
            now=self.now,
            actor=self.actor,
            notes=self.report.notes,
        )

    # --- plans ---------------------------------------------------------------------------

    def _merge_plans(self, known_children: set[str]) -> dict[str, dict[date, PlanState]]:
        by_child: dict[str, list[r.PlanRow]] = defaultdict(list)
        for plan in self.p.plans:
            if plan.child in known_children:
                by_child[plan.child].append(plan)
        stored: dict[str, list[PlanState]] = defaultdict(list)
        self._plan_ids: dict[tuple[int, date], int] = {}
        refs_by_id = {v: k for k, v in self.child_ids.items()}
        stored_plan = _table(SupportPlan).c
        # Plain tuples of every stored plan, not ORM objects filtered by an IN list: a few
        # hundred milliseconds for 50,000 plans, and no driver parameter limit.
        for plan_id, child_id, start, end, sessions, every, minutes, gap, closed in self.s.execute(
            select(
                stored_plan.id,
                stored_plan.child_id,
                stored_plan.start_date,
                stored_plan.end_date,
                stored_plan.sessions,
                stored_plan.every_weeks,
                stored_plan.session_minutes,
                stored_plan.max_gap_days,
                stored_plan.closed_by_import,
            )
        ).tuples():
            child = refs_by_id[child_id]
            if child in by_child:
                self._plan_ids[(child_id, start)] = plan_id
                stored[child].append(PlanState(start, end, sessions, every, minutes, gap, closed))
        result: dict[str, dict[date, PlanState]] = {}
        for child, rows in by_child.items():
            merged, conflicts = merge_plans(stored.get(child, []), rows, self._absent("plans.csv"))
            for conflict in conflicts:
                value = next(str(x.start_date) for x in rows if x.line == conflict.line)
                self._error("plans.csv", conflict.line, conflict.column, value, conflict.message)
            result[child] = merged
        self._stored_plans = stored
        return result

    def _write_plans(self, merged: dict[str, dict[date, PlanState]]) -> None:
        counts = self.report.files.setdefault("plans.csv", FileCounts())
        ids = self._plan_ids
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for child, plans in merged.items():
            child_id = self.child_ids[child]
            before = {p.start_date: p for p in self._stored_plans.get(child, [])}
            for start, plan in plans.items():
                values = {
                    "child_id": child_id,
                    "start_date": start,
                    "end_date": plan.end_date,
                    "sessions": plan.sessions,
                    "every_weeks": plan.every_weeks,
                    "session_minutes": plan.session_minutes,
                    "max_gap_days": plan.max_gap_days,
                    "closed_by_import": plan.closed_by_import,
                }
                old = before.get(start)
                if old is None:
                    new_rows.append(values)
                    counts.created += 1
                elif _plan_values(old) != _plan_values(plan):
                    changed_rows.append({"id": ids[(child_id, start)], **values})
                    if plan.line is not None:
                        counts.updated += 1
                        for column in ("end_date", "every_weeks", "max_gap_days"):
                            if getattr(old, column) != getattr(plan, column):
                                self._count_if_cleared("plans.csv", plan.line, column)
                elif plan.line is not None:
                    counts.unchanged += 1
        if new_rows:
            self.s.execute(_core_insert(SupportPlan), new_rows)
        if changed_rows:
            self.s.execute(update(SupportPlan), changed_rows)

    # --- absences ------------------------------------------------------------------------

    def _upsert_absences(self) -> None:
        """Upsert by (worker, start_date)."""
        rows = [
            (
                a.line,
                {
                    "worker_id": self.worker_ids[a.worker],
                    "start_date": a.start_date,
                    "end_date": a.end_date,
                    "kind": a.kind,
                    "note": a.note,
                },
            )
            for a in self.p.absences
        ]
        self._upsert_keyed("absences.csv", Absence, ("worker_id", "start_date"), rows)

    # --- closures ------------------------------------------------------------------------

    def _check_closure_teams(self) -> None:
        """A team no worker or child is in (stored, or in this import) is a typo: closing
        it would close nobody, and the manager would believe the team closed."""
        if not self.p.closures:
            return
        worker, child = _table(Worker).c, _table(Child).c
        teams = set(self.s.scalars(select(worker.team).distinct()))
        teams |= set(self.s.scalars(select(child.team).distinct()))
        teams |= self.p.teams
        by_fold = {t.casefold(): t for t in teams}
        for c in self.p.closures:
            if c.team is None or c.team in teams:
                continue
            near = by_fold.get(c.team.casefold())
            hint = f"; did you mean {near!r}?" if near else ""
            self.errors.append(
                InputError(
                    "closures.csv",
                    c.line,
                    "team",
                    c.team,
                    f"no worker or child is in this team{hint}",
                    caused_by=None if near else self.p.unreadable.get("team"),
                )
            )

    def _upsert_closures(self) -> None:
        """Upsert by (team, start_date), an empty team meaning every team."""
        rows = [
            (
                c.line,
                {
                    "team": c.team,
                    "start_date": c.start_date,
                    "end_date": c.end_date,
                    "note": c.note,
                },
            )
            for c in self.p.closures
        ]
        self._upsert_keyed("closures.csv", Closure, ("team", "start_date"), rows)

    # --- shared --------------------------------------------------------------------------

    def _upsert_keyed(
        self,
        file: str,
        model: type[Absence] | type[Closure],
        key: tuple[str, ...],
        rows: list[tuple[int, dict[str, Any]]],
    ) -> None:
        """Insert or update ``rows`` (line, values) of ``file``, matched to the stored rows
        by the ``key`` columns; a column the file lacks keeps the stored value."""
        counts = self.report.files.setdefault(file, FileCounts())
        existing = {
            tuple(row[k] for k in key): row
            for row in self.s.execute(select(model.__table__)).mappings().all()
        }
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for line, given in rows:
            old = existing.get(tuple(given[k] for k in key))
            if old is None:
                new_rows.append(given)
                counts.created += 1
                continue
            values = self._given(file, line, given, old)
            if any(old[k] != v for k, v in values.items()):
                changed_rows.append({"id": old["id"], **values})
                counts.updated += 1
            else:
                counts.unchanged += 1
        if new_rows:
            self.s.execute(_core_insert(model), new_rows)
        if changed_rows:
            self.s.execute(update(model), changed_rows)

    def _insert_and_update(
        self,
        model: type[Worker] | type[Child],
        new_rows: list[dict[str, Any]],
        changed_rows: list[dict[str, Any]],
        ids: dict[str, int],
    ) -> None:
        if new_rows:
            # Core executemany, then one query for the new ids: the ORM's bulk INSERT ..
            # RETURNING spliced each row's result into the last (quadratic: 50,000 rows took
            # minutes).
            self.s.execute(_core_insert(model), new_rows)
            table = _table(model)
            ids.update(self.s.execute(select(table.c.ref, table.c.id)).tuples().all())
        if changed_rows:
            self.s.execute(update(model), changed_rows)

    def _replace_windows(
        self,
        model: type[WorkerWindow] | type[ChildWindow],
        owner_column: str,
        replace: dict[str, tuple[Window, ...]],
        ids: dict[str, int],
    ) -> None:
        if not replace:
            return
        owner_ids = [ids[ref] for ref in replace]
        column = getattr(model, owner_column)
        for chunk in _chunks(owner_ids, 5000):
            self.s.execute(delete(model).where(column.in_(chunk)))
        rows = [
            {
                owner_column: ids[ref],
                "weekday": w.weekday,
                "start_minute": w.start_minute,
                "end_minute": w.end_minute,
            }
            for ref, windows in replace.items()
            for w in windows
        ]
        if rows:
            self.s.execute(_core_insert(model), rows)


# The optional columns of each file whose stored values a file without them keeps.
_OPTIONAL: dict[str, frozenset[str]] = {
    "workers.csv": frozenset(r.WORKER_COLUMNS) - set(r.WORKER_REQUIRED),
    "children.csv": frozenset(r.CHILD_COLUMNS) - set(r.CHILD_REQUIRED),
    "plans.csv": frozenset(r.PLAN_COLUMNS) - set(r.PLAN_REQUIRED),
    "absences.csv": frozenset(r.ABSENCE_COLUMNS) - set(r.ABSENCE_REQUIRED),
    # team names the closure (empty = every team): part of its identity, not a value
    "closures.csv": frozenset({"note"}),
}


def _table(model: type[Base]) -> Table:
    """The model's Core table: reading and writing through it skips the ORM's per-row work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _core_insert(model: type[Base]) -> Insert:
    """A Core INSERT of the model's table: executemany, no ORM bookkeeping per row."""
    return insert(_table(model))


def _plan_values(plan: PlanState) -> tuple[object, ...]:
    return (
        plan.end_date,
        plan.sessions,
        plan.every_weeks,
        plan.session_minutes,
        plan.max_gap_days,
        plan.closed_by_import,
    )


def _windows_by_owner(
    session: Session, model: type[WorkerWindow] | type[ChildWindow], owner_column: str
) -> dict[int, tuple[Window, ...]]:
    out: dict[int, list[Window]] = defaultdict(list)
    c = _table(model).c
    column = c[owner_column]
    for owner, day, start, end in session.execute(
        select(column, c.weekday, c.start_minute, c.end_minute).order_by(
            column, c.weekday, c.start_minute
        )
    ).tuples():
        out[owner].append(Window(day, start, end))
    return {k: tuple(v) for k, v in out.items()}


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
