"""Benchmark the solver against the manager's greedy baseline on generated scenarios.

    python -m bench.bench_solver                       # team, service, la; 3 runs each
    python -m bench.bench_solver --sizes team --runs 1

Each solver run is a fresh process (so peak memory is that run's: the main
process and the largest forked team worker). Reports wall time (median of the
runs), peak memory, sessions scheduled / required, key-worker changes, share of
sessions with the key worker, contact gaps, cover sessions, handovers, wishes
honoured, the objective value and proven bound per goal level, and an unchanged
re-plan (the plan fed back as the current plan) with the changes it made.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import sys
import time
from dataclasses import replace
from typing import Any

from bench.greedy import greedy_plan
from bench.scenarios import Knobs, make_scenario
from solver import (
    CurrentAllocation,
    ExistingSession,
    Instance,
    Solution,
    SolverParams,
    solve,
    validate,
)
from solver.common_sense import common_sense

# the product's own settings: a 30 s limit, of which a plan gets 0.08 s per child
LIMITS = {"team": 30.0, "service": 30.0, "la": 30.0}
REPLAN_LIMIT = 30.0


def figures(instance: Instance, solution: Solution) -> dict[str, Any]:
    m = solution.metrics
    kinds: dict[str, int] = {}
    for f in solution.findings:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    children = {c.ref: c for c in instance.children}
    first_key: dict[str, str | None] = {}
    for a in solution.allocations:
        first_key.setdefault(a.child, a.key_worker)
    workers = {w.ref: w for w in instance.workers}
    wished = honoured = 0
    for ref, key in first_key.items():
        kid = children[ref]
        if kid.preferred_workers or kid.preferred_gender:
            wished += 1
            ok = key is not None
            if ok and kid.preferred_workers:
                ok = key in kid.preferred_workers
            if ok and kid.preferred_gender:
                ok = workers[key].gender == kid.preferred_gender  # type: ignore[index]
            honoured += ok
    leaver_changes = sum(
        1 for a in solution.allocations if a.changed and a.start > instance.horizon_start
    )
    return {
        "children": m.children,
        "allocated": m.allocated,
        "sessions_required": m.sessions_required,
        "sessions_scheduled": m.sessions_scheduled,
        "keyworker_changes": m.keyworker_changes,
        "kw_pct": m.sessions_with_key_worker_pct,
        "contact_gaps": kinds.get("CONTACT_GAP", 0),
        "cover": kinds.get("COVER", 0),
        "unmet_periods": kinds.get("UNMET_SESSIONS", 0),
        "handovers": sum(1 for s in solution.sessions if s.with_worker is not None),
        "known_date_changes": leaver_changes,
        "wishes_pct": round(100.0 * honoured / wished, 1) if wished else 100.0,
        "violations": len(validate(instance, solution)),
        "ceiling_pct": m.key_worker_ceiling_pct,
        "concerns": len(common_sense(instance, solution)),
        "bounds": [(b.stage, b.level, b.value, b.bound, b.optimal) for b in solution.bounds],
    }


def replan_input(instance: Instance, solution: Solution) -> Instance:
    existing = tuple(
        ExistingSession(s.id, s.child, s.worker, s.with_worker, s.start, s.end, s.locked)
        for s in solution.sessions
    )
    current = tuple(
        CurrentAllocation(a.child, a.key_worker, a.secondary_worker, a.start, a.end)
        for a in solution.allocations
    )
    return replace(instance, existing_sessions=existing, current_allocations=current)


def _scenario(size: str, mix: str) -> Instance:
    return make_scenario(size, knobs=Knobs.weekly() if mix == "weekly" else Knobs()).instance


def _one_run(size: str, mix: str, replan: bool, queue: Any) -> None:
    instance = _scenario(size, mix)
    started = time.monotonic()
    solution = solve(instance, SolverParams(time_limit_seconds=LIMITS[size], num_workers=2))
    wall = time.monotonic() - started
    out: dict[str, Any] = {"wall": wall, **figures(instance, solution)}
    if replan:
        again = replan_input(instance, solution)
        started = time.monotonic()
        second = solve(again, SolverParams(time_limit_seconds=REPLAN_LIMIT, num_workers=2))
        out["replan_wall"] = time.monotonic() - started
        before = {s.id: s for s in solution.sessions}
        out["replan_sessions_changed"] = sum(1 for s in second.sessions if before.get(s.id) != s)
        out["replan_sessions_removed"] = len(set(before) - {s.id for s in second.sessions})
        out["replan_allocations_changed"] = int(second.allocations != solution.allocations)
        out["replan_violations"] = len(validate(again, second))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["peak_main_mb"] = round(own)
    out["peak_worker_mb"] = round(workers)
    queue.put(out)


def run_size(size: str, runs: int, mix: str = "mixed") -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    results = []
    for k in range(runs):
        queue = ctx.Queue()
        proc = ctx.Process(target=_one_run, args=(size, mix, k == 0, queue))
        proc.start()
        results.append(queue.get())
        proc.join()
        print(f"  {size} run {k + 1}: {results[-1]['wall']:.1f} s", file=sys.stderr, flush=True)
    instance = _scenario(size, mix)
    started = time.monotonic()
    baseline = greedy_plan(instance)
    greedy = {"wall": time.monotonic() - started, **figures(instance, baseline)}
    ordered = sorted(results, key=lambda r: r["wall"])
    solver = dict(ordered[len(ordered) // 2])
    solver.update({k: v for k, v in results[0].items() if k.startswith("replan")})
    solver["wall_median"] = statistics.median(r["wall"] for r in results)
    solver["walls"] = [round(r["wall"], 1) for r in results]
    solver["peak_main_mb"] = max(r["peak_main_mb"] for r in results)
    solver["peak_worker_mb"] = max(r["peak_worker_mb"] for r in results)
    return {"size": f"{size} ({mix})", "solver": solver, "greedy": greedy}


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | plan | wall s | peak MiB | sessions sched./req. | KW changes | "
        "with key worker % | ceiling % | contact gaps | cover | handovers | allocated | "
        "wishes % | valid | concerns |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for row in rows:
        for name in ("solver", "greedy"):
            r = row[name]
            wall = r.get("wall_median", r["wall"])
            peak = f"{r['peak_main_mb']} + {r['peak_worker_mb']}" if name == "solver" else "-"
            lines.append(
                f"| {row['size']} | {name} | {wall:.1f} | {peak} | "
                f"{r['sessions_scheduled']}/{r['sessions_required']} | {r['keyworker_changes']} | "
                f"{r['kw_pct']} | {r['ceiling_pct']} | {r['contact_gaps']} | {r['cover']} | "
                f"{r['handovers']}/{r['known_date_changes']} | {r['allocated']}/{r['children']} | "
                f"{r['wishes_pct']} | {'yes' if r['violations'] == 0 else r['violations']} | "
                f"{r['concerns']} |"
            )
    lines += [
        "",
        "| scenario | stage | level | value | bound | proven |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        for stage, level, value, bound, optimal in row["solver"]["bounds"]:
            lines.append(
                f"| {row['size']} | {stage} | {level} | {value} | {bound} | "
                f"{'yes' if optimal else 'no'} |"
            )
    lines += [
        "",
        "| scenario | re-plan wall s | sessions changed | sessions removed | "
        "allocations changed | valid |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        r = row["solver"]
        lines.append(
            f"| {row['size']} | {r['replan_wall']:.1f} | {r['replan_sessions_changed']} | "
            f"{r['replan_sessions_removed']} | {r['replan_allocations_changed']} | "
            f"{'yes' if r['replan_violations'] == 0 else r['replan_violations']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="team,service,la")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--mix",
        choices=("mixed", "weekly"),
        default="mixed",
        help="mixed: every input shape (the default); weekly: the first benchmarks' one shape",
    )
    parser.add_argument("--json", default=None, help="also write the raw results here")
    args = parser.parse_args(argv)
    rows = [run_size(size, args.runs, args.mix) for size in args.sizes.split(",")]
    print(table(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
