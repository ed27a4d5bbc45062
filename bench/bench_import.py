"""Time ``keyworker import`` on a large team: 50,000 children and 50,000 support plans.

    .venv/bin/python bench/bench_import.py [--rows 50000] [--workers 300] [--runs 3]
                                           [--backends sqlite,postgresql] [--profile]

Generates workers.csv (a few hundred workers, named by the children's ``key_worker``
and ``preferred_workers``), children.csv and plans.csv, then for each backend imports
them into a fresh, migrated database ``--runs`` times and reports the median of the
first import and of a re-import of the same files (which changes nothing). PostgreSQL
is used when ``KEYWORKER_BENCH_PG`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432``)
answers; each run gets a new database there. Results go in bench/IMPORT.md.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from scheduler.csv_import import import_files
from scheduler.db import Database, upgrade
from scheduler.models import Child, KeyWorkerHistory, SupportPlan, Worker

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PG_SERVER = os.environ.get("KEYWORKER_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
TEAMS = ("North CSE", "South CSE", "Missing East", "Missing West")
SKILLS = ("cse", "missing", "substance", "bsl")
LANGUAGES = ("en", "ur", "pa", "pl", "so", "ar")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


def generate(directory: Path, rows: int, workers: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    worker_refs = [f"W{i:04d}" for i in range(1, workers + 1)]
    with (directory / "workers.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "name", "email", "team", "hours_per_week", "max_caseload",
                      "skills", "languages", "gender", "availability", "lat", "lon",
                      "start_date", "end_date"])  # fmt: skip
        for i, ref in enumerate(worker_refs):
            days = rng.sample(DAYS, 4)
            out.writerow([
                ref, f"Worker {i}", f"w{i}@example.org", TEAMS[i % len(TEAMS)],
                rng.choice(("22.5", "30", "37.5")), 200,
                ";".join(rng.sample(SKILLS, 2)), ";".join(["en", *rng.sample(LANGUAGES[1:], 1)]),
                rng.choice(("female", "male", "")),
                ";".join(f"{d} {rng.choice(('09', '10', '12'))}:00-{rng.choice(('17', '19'))}:30"
                         for d in sorted(days, key=DAYS.index)),
                f"{53.7 + rng.random() / 5:.4f}", f"{-1.6 + rng.random() / 5:.4f}",
                "2019-09-02", "",
            ])  # fmt: skip
    with (directory / "children.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "initials", "team", "required_skills", "language",
                      "preferred_gender", "preferred_workers", "excluded_workers",
                      "availability", "lat", "lon", "risk", "key_worker",
                      "key_worker_since"])  # fmt: skip
        for i in range(rows):
            key, preferred, excluded = rng.sample(worker_refs, 3)
            since = date(2024, 1, 1) + timedelta(days=rng.randrange(900))
            out.writerow([
                f"YP-{i:06d}", f"{chr(65 + i % 26)}.{chr(65 + i // 26 % 26)}.",
                TEAMS[i % len(TEAMS)], rng.choice(("cse", "missing", "")),
                rng.choice(("", "", "", "ur", "pl")), rng.choice(("", "", "female")),
                preferred if rng.random() < 0.3 else "", excluded if rng.random() < 0.1 else "",
                "Mon 15:00-20:00;Wed 15:00-20:00;Sat 10:00-16:00" if rng.random() < 0.4 else "",
                f"{53.7 + rng.random() / 5:.4f}", f"{-1.6 + rng.random() / 5:.4f}",
                rng.choice(("low", "medium", "high")), key, since.isoformat(),
            ])  # fmt: skip
    with (directory / "plans.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["child", "start_date", "end_date", "sessions", "every_weeks",
                      "session_minutes", "max_gap_days"])  # fmt: skip
        for i in range(rows):
            start = date(2026, 6, 1) + timedelta(days=rng.randrange(180))
            end = start + timedelta(days=rng.randrange(90, 400)) if rng.random() < 0.3 else None
            out.writerow([
                f"YP-{i:06d}", start.isoformat(), end.isoformat() if end else "",
                rng.choice((1, 1, 2)), rng.choice((1, 1, 2)), rng.choice((45, 60, 90)),
                rng.choice(("", "14", "21")),
            ])  # fmt: skip


@contextmanager
def fresh_database(backend: str, tmp: Path, run: int) -> Iterator[Database]:
    if backend == "sqlite":
        path = tmp / f"bench-{run}.db"
        path.unlink(missing_ok=True)
        database = Database(f"sqlite:///{path}")
        upgrade(database.engine)
        try:
            yield database
        finally:
            database.dispose()
            path.unlink(missing_ok=True)
        return
    name = f"kw_bench_{os.getpid()}_{run}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    database = Database(f"{PG_SERVER}/{name}")
    upgrade(database.engine)
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def postgres_reachable() -> bool:
    try:
        engine = create_engine(f"{PG_SERVER}/postgres", connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:  # any failure to connect means "not reachable"
        return False
    return True


def timed(action: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall-clock seconds of ``action``; its CPU seconds in this process go to ``cpu``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def run_import(database: Database, directory: Path) -> None:
    import_files(database, [directory], actor="bench", now=NOW, timezone="Europe/London")


def check_counts(database: Database, rows: int, workers: int) -> None:
    with database.reading() as session:
        found = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Worker, Child, SupportPlan, KeyWorkerHistory)
        )
    assert found == (workers, rows, rows, rows), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--profile", action="store_true", help="cProfile one SQLite import")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = tmp / "files"
        files.mkdir()
        generated = timed(lambda: generate(files, args.rows, args.workers))
        sizes = {p.name: p.stat().st_size for p in sorted(files.iterdir())}
        print(f"generated {args.rows:,} children and plans, {args.workers} workers "
              f"in {generated:.1f} s: " + ", ".join(f"{n} {s / 1e6:.1f} MB"
                                                    for n, s in sizes.items()))  # fmt: skip

        if args.profile:
            with fresh_database("sqlite", tmp, 99) as database:
                for label in ("first import", "re-import"):
                    profiler = cProfile.Profile()
                    profiler.runcall(run_import, database, files)
                    print(f"--- {label} ---")
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            return

        results: list[tuple[str, float, float, float, float, float, float]] = []
        for backend in args.backends.split(","):
            if backend == "postgresql" and not postgres_reachable():
                print(f"postgresql: not reachable at {PG_SERVER}; skipped")
                continue
            first: list[float] = []
            again: list[float] = []
            first_cpu: list[float] = []
            again_cpu: list[float] = []
            for run in range(args.runs):
                with fresh_database(backend, tmp, run) as database:
                    first.append(timed(lambda db=database: run_import(db, files), first_cpu))
                    check_counts(database, args.rows, args.workers)
                    again.append(timed(lambda db=database: run_import(db, files), again_cpu))
                    check_counts(database, args.rows, args.workers)
            results.append(
                (backend, statistics.median(first), min(first), statistics.median(first_cpu),
                 statistics.median(again), min(again), statistics.median(again_cpu))
            )  # fmt: skip

    print()
    print(f"{'backend':<11} {'import':>9} {'(best)':>8} {'(cpu)':>8} "
          f"{'re-import':>10} {'(best)':>8} {'(cpu)':>8}")  # fmt: skip
    for backend, *figures in results:
        print(f"{backend:<11} " + " ".join(f"{f:>7.2f} s" for f in figures))
    print(f"(median of {args.runs} runs, each on a fresh database, best in brackets; cpu = "
          f"this process only; rows per file: {args.rows:,})")  # fmt: skip


if __name__ == "__main__":
    main()
