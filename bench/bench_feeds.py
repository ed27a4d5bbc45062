"""Benchmark the feeds: refresh 300 workers' feeds after a commit, then serve them.

    .venv/bin/python bench/bench_feeds.py                 # SQLite in a temporary folder
    .venv/bin/python bench/bench_feeds.py --db postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/bench_feeds.py --duration 20 --connections 8,32,64

1. Builds a plan of ``--workers`` workers in teams of 30, ~14 sessions each per week,
   from 14 days back to a 4-week horizon (about 25,000 sessions for 300 workers),
   with some joint and cover sessions.
2. Times ``refresh_feeds`` inside a transaction, as the plan commit runs it: the
   first commit (every feed new), a re-plan that moves 2% of the sessions, and a
   re-plan that changes nothing. Target: <= 5 s.
3. Serves the stored feeds with the real server (uvicorn on 127.0.0.1, in this
   process) and drives it with ``wrk`` (``apt-get install wrk``): conditional
   requests (``If-None-Match`` with each feed's current ETag, so 304s) over random
   workers' tokens, then unconditional GETs (200 with the body). Target: >= 1,000
   requests/s with p99 <= 20 ms. Without ``wrk`` a small asyncio/httpx client
   stands in (it measures itself as much as the server, so its figures are lower).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, update  # noqa: E402

from calendars import (  # noqa: E402
    FeedOwner,
    create_app,
    current_token,
    refresh_feeds,
    serving,
)
from scheduler.db import Database, upgrade  # noqa: E402
from scheduler.models import Child, FeedCache, PlanAllocation, PlanVersion, Worker  # noqa: E402
from scheduler.models import Session as SessionRow  # noqa: E402
from scheduler.settings import Settings  # noqa: E402

SETTINGS = Settings(timezone="Europe/London", feed_base_url="https://feeds.example.org")
NOW = datetime(2027, 3, 22, 7, 0, tzinfo=UTC)
KEY = b"bench key, not secret, 32 bytes!"


def build_plan(database: Database, workers: int, seed: int = 7) -> int:
    """Insert workers, children, a current plan and its sessions; returns the session count."""
    rng = random.Random(seed)
    zone = SETTINGS.zone
    start_day = date(2027, 3, 8)  # 14 days before NOW
    horizon_start, horizon_end = date(2027, 3, 22), date(2027, 4, 18)
    with database.transaction() as session:
        session.execute(
            insert(Worker),
            [
                {
                    "ref": f"W{n:04d}",
                    "name": f"Worker {n}",
                    "team": f"Team {n // 30:02d}",
                    "hours_per_week": 30.0,
                    "max_caseload": 8,
                    "skills": [],
                    "languages": ["en"],
                }
                for n in range(workers)
            ],
        )
        worker_ids = list(session.scalars(select(Worker.id).order_by(Worker.id)))
        session.execute(
            insert(Child),
            [
                {
                    "ref": f"YP-{n:05d}",
                    "initials": rng.choice(["AB", "CD", "ÉØ", "ŁŻ", "JK", None]),
                    "team": f"Team {(n // 5) // 30:02d}",
                    "lat": 53.8 + rng.random() / 10,
                    "lon": -1.55 + rng.random() / 10,
                    "risk": "medium",
                    "required_skills": [],
                    "preferred_workers": [],
                    "excluded_workers": [],
                }
                for n in range(workers * 5)
            ],
        )
        child_ids = list(session.scalars(select(Child.id).order_by(Child.id)))
        plan = PlanVersion(
            committed_at=NOW,
            committed_by="bench",
            as_of=NOW,
            horizon_start=horizon_start,
            horizon_end=horizon_end,
            timezone=SETTINGS.timezone,
            teams=[],
            metrics={},
            is_current=True,
        )
        session.add(plan)
        session.flush()
        session.execute(
            insert(PlanAllocation),
            [
                {
                    "plan_version_id": plan.id,
                    "child_id": child_id,
                    "key_worker_id": worker_ids[index // 5],
                    "start": horizon_start,
                    "end": horizon_end,
                }
                for index, child_id in enumerate(child_ids)
            ],
        )
        rows = []
        for index, worker_id in enumerate(worker_ids):
            mine = child_ids[index * 5 : index * 5 + 5]
            day = start_day
            while day <= horizon_end:
                if day.weekday() < 5:
                    for slot in range(3):
                        if rng.random() < 0.93:
                            begin = datetime(
                                day.year,
                                day.month,
                                day.day,
                                9 + 3 * slot,
                                rng.choice([0, 15, 30]),
                                tzinfo=zone,
                            )
                            cover = rng.random() < 0.05
                            joint = not cover and rng.random() < 0.01
                            rows.append(
                                {
                                    "id": f"{worker_id:04d}-{day:%Y%m%d}-{slot}",
                                    "child_id": rng.choice(mine)
                                    if not cover
                                    else rng.choice(child_ids),
                                    "worker_id": worker_id,
                                    "with_worker_id": rng.choice(worker_ids) if joint else None,
                                    "start": begin.astimezone(UTC),
                                    "end": (begin + timedelta(minutes=60)).astimezone(UTC),
                                    "cover": cover,
                                    "sequence": 0,
                                    "created_in": plan.id,
                                    "updated_in": plan.id,
                                    "updated_at": NOW - timedelta(days=1),
                                }
                            )
                day += timedelta(days=1)
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(SessionRow), rows[chunk : chunk + 5000])
    return len(rows)


def time_refresh(database: Database, label: str, now: datetime) -> float:
    started = time.perf_counter()
    with database.transaction() as session:
        stats = refresh_feeds(session, now=now, settings=SETTINGS)
    total = time.perf_counter() - started
    print(
        f"  {label:<32} {total:6.2f} s  (render+diff {stats.seconds:.2f} s; "
        f"{stats.feeds} feeds, {stats.changed} written, {stats.events} events, "
        f"largest {stats.largest_bytes / 1024:.0f} KiB, {stats.trimmed} trimmed)"
    )
    return total


def move_some_sessions(database: Database, share: float, seed: int = 11) -> int:
    """Move ``share`` of the upcoming sessions a day later, as a re-plan would."""
    rng = random.Random(seed)
    with database.transaction() as session:
        rows = session.execute(
            select(SessionRow.id, SessionRow.start, SessionRow.end, SessionRow.sequence)
            .where(SessionRow.start >= NOW)
            .order_by(SessionRow.id)
        ).all()
        moved = rng.sample(rows, int(len(rows) * share))
        session.execute(
            update(SessionRow),
            [
                {
                    "id": row.id,
                    "start": row.start + timedelta(days=1),
                    "end": row.end + timedelta(days=1),
                    "sequence": row.sequence + 1,
                    "updated_at": NOW,
                }
                for row in moved
            ],
        )
    return len(moved)


def issue_tokens(database: Database) -> list[tuple[str, str]]:
    """(path, current ETag) for every worker's feed."""
    pairs = []
    with database.transaction() as session:
        refs = list(session.scalars(select(Worker.ref).order_by(Worker.ref)))
        etags = {
            row.owner: row.etag for row in session.execute(select(FeedCache.owner, FeedCache.etag))
        }
        for ref in refs:
            token = current_token(session, FeedOwner("worker", ref), key=KEY, now=NOW)
            pairs.append((f"/feeds/{token}.ics", etags[f"worker:{ref}"]))
    return pairs


_WRK_SCRIPT = """
local paths = {%(paths)s}
local etags = {%(etags)s}
local conditional = %(conditional)s
math.randomseed(42)
request = function()
  local i = math.random(#paths)
  if conditional then
    return wrk.format("GET", paths[i], {["If-None-Match"] = etags[i]})
  end
  return wrk.format("GET", paths[i])
end
"""


def run_wrk(
    url: str, pairs: list[tuple[str, str]], *, conditional: bool, duration: int, connections: int
) -> dict[str, float]:
    script = _WRK_SCRIPT % {
        "paths": ", ".join(f'"{path}"' for path, _ in pairs),
        "etags": ", ".join("'" + etag + "'" for _, etag in pairs),
        "conditional": "true" if conditional else "false",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", handle.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(handle.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    result = {"rps": rate}
    for label in ("50", "90", "99"):
        match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output)
        assert match is not None, output
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        result[f"p{label}"] = float(match.group(1)) * scale
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["errors"] = float(non_2xx.group(1)) if non_2xx else 0.0
    return result


async def _python_client(
    url: str, pairs: list[tuple[str, str]], *, conditional: bool, duration: int, connections: int
) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration

    async def worker(client: httpx.AsyncClient, rng: random.Random) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            path, etag = rng.choice(pairs)
            headers = {"If-None-Match": etag} if conditional else {}
            began = time.perf_counter()
            response = await client.get(path, headers=headers)
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code not in (200, 304):
                errors += 1

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits) as client:
        await asyncio.gather(*(worker(client, random.Random(n)) for n in range(connections)))
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / duration,
        "p50": quantiles[49],
        "p90": quantiles[89],
        "p99": quantiles[98],
        "errors": float(errors),
    }


def _http_stack() -> str:
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn {http} + {loop}"


def serve_and_load(
    database: Database, pairs: list[tuple[str, str]], *, duration: int, connections: list[int]
) -> None:
    app = create_app(database, settings=SETTINGS, clock=lambda: NOW)
    tool = "wrk -t1" if shutil.which("wrk") else "python asyncio+httpx client"
    print(
        f"\nserving on 127.0.0.1 ({_http_stack()}, 1 process), load from {tool}, "
        f"{duration} s per run; load average before: {os.getloadavg()[0]:.1f}"
    )
    with serving(app) as url:
        for count in connections:
            for conditional in (True, False):
                if shutil.which("wrk"):
                    result = run_wrk(
                        url, pairs, conditional=conditional, duration=duration, connections=count
                    )
                else:
                    result = asyncio.run(
                        _python_client(
                            url,
                            pairs,
                            conditional=conditional,
                            duration=duration,
                            connections=count,
                        )
                    )
                label = "If-None-Match -> 304" if conditional else "plain GET -> 200"
                print(
                    f"  {count:3d} conn  {label:<21} {result['rps']:7.0f} req/s   "
                    f"p50 {result['p50']:6.2f} ms   p90 {result['p90']:6.2f} ms   "
                    f"p99 {result['p99']:6.2f} ms   bad {result['errors']:.0f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (an empty database); default: SQLite")
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run")
    parser.add_argument(
        "--connections", default="8,32", help="comma-separated connection counts to try"
    )
    parser.add_argument("--no-serve", action="store_true", help="only time the refresh")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-feeds-")
    database = Database(args.db or f"sqlite:///{folder}/bench.db")
    try:
        upgrade(database.engine)
        began = time.perf_counter()
        sessions = build_plan(database, args.workers)
        print(
            f"{database.engine.dialect.name}: {args.workers} workers, {sessions} sessions "
            f"(built in {time.perf_counter() - began:.1f} s)"
        )
        print("refresh_feeds inside a commit transaction (target <= 5 s):")
        time_refresh(database, "first commit (all feeds new)", NOW)
        moved = move_some_sessions(database, 0.02)
        time_refresh(database, f"re-plan moving {moved} sessions", NOW + timedelta(minutes=5))
        time_refresh(database, "re-plan changing nothing", NOW + timedelta(minutes=10))
        if not args.no_serve:
            serve_and_load(
                database,
                issue_tokens(database),
                duration=args.duration,
                connections=[int(n) for n in args.connections.split(",")],
            )
    finally:
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
