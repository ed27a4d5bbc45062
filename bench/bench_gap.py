"""The allocation core on the OR-Library / Yagiura GAP instances (minimisation).

    python -m bench.bench_gap                 # all sets below
    python -m bench.bench_gap --only d10100,e20200
    python -m bench.bench_gap --only d20100 --repeat 3   # median of 3 runs

* gap1-gap12 (60 problems, min sense) and types A and B: must reach the proven
  optimum (``--exact-limit`` seconds each, default 30);
* types C, D and E with n <= 200: the gap to the best known value after
  ``--limit`` seconds (default 10), goal <= 0.5 %.

Every assignment is re-checked with ``gap_check.check`` from the benchmark folder.
The "plain CP-SAT" column is the benchmark folder's own yardstick run (plain 0/1
model, 2 workers, 10 s: ``baseline_cpsat.csv``, run ``sweep_10s_w2``), not re-run.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.gap import GapProblem, solve_gap

DATA = Path("/work/shared/benchmarks/gap")


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gap_check", DATA / "gap_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gap_check"] = module
    spec.loader.exec_module(module)
    return module


def to_problem(inst: Any) -> GapProblem:
    agents = tuple(str(i) for i in range(inst.m))
    jobs = tuple(str(j) for j in range(inst.n))
    load = {(str(i), str(j)): inst.weight[i][j] for i in range(inst.m) for j in range(inst.n)}
    cost = {(str(i), str(j)): inst.cost[i][j] for i in range(inst.m) for j in range(inst.n)}
    capacity = {str(i): inst.capacity[i] for i in range(inst.m)}
    return GapProblem(agents, jobs, load, cost, capacity)


def known_values() -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    with open(DATA / "known_values.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["sense"] == "min":
                out[row["instance"]] = (int(row["best_known"]), row["status"])
    return out


def plain_cpsat_gaps() -> dict[str, float]:
    """Gap % of the plain CP-SAT yardstick (2 workers, 10 s) per instance, where run."""
    out: dict[str, float] = {}
    path = DATA / "baseline_cpsat.csv"
    if not path.exists():
        return out
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["run"] == "sweep_10s_w2" and row["sense"] == "min":
                out[row["instance"]] = float(row["gap_to_bk_pct"])
    return out


def instances(gc: ModuleType) -> list[tuple[str, str, Any]]:
    """(set, name, instance) for every instance benchmarked."""
    out: list[tuple[str, str, Any]] = []
    for k in range(1, 13):
        for inst in gc.parse_file(str(DATA / "orlib" / f"gap{k}.txt")):
            out.append(("gap1-12", inst.alias, inst))
    for letter in "abcd":
        for inst in gc.parse_file(str(DATA / "orlib" / f"gap{letter}.txt")):
            out.append((letter.upper(), inst.alias, inst))
    for name in ("e05100", "e05200", "e10100", "e10200", "e20100", "e20200"):
        (inst,) = gc.parse_file(str(DATA / "yagiura" / name))
        out.append(("E", name, inst))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--exact-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default=None, help="comma-separated instance names")
    parser.add_argument("--repeat", type=int, default=1, help="runs per instance (median)")
    args = parser.parse_args(argv)
    gc = _checker()
    known = known_values()
    only = set(args.only.split(",")) if args.only else None
    rows = []
    all_costs: dict[str, list[int]] = {}
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the start; median of {args.repeat} run(s) each"
    )
    print()
    for group, name, inst in instances(gc):
        if only and name not in only:
            continue
        exact = group in ("gap1-12", "A", "B")
        limit = args.exact_limit if exact else args.limit
        runs = []
        for _ in range(args.repeat):
            result = solve_gap(to_problem(inst), time_limit=limit, num_workers=args.workers)
            assignment = [int(result.assignment[str(j)]) for j in range(inst.n)]
            check = gc.check(inst, assignment)
            runs.append((check.cost, result, check))
            print(
                f"{name}: {check.cost} (best {known[name][0]}) "
                f"{'OPT' if result.optimal else 'feas'} {result.seconds:.1f}s",
                file=sys.stderr,
            )
        # runs with 2 workers are not deterministic: the median run by cost
        runs.sort(key=lambda run: run[0])
        _, result, check = runs[len(runs) // 2]
        best, status = known[name]
        gap = 100.0 * (check.cost - best) / best
        all_costs[name] = [run[0] for run in runs]
        rows.append(
            (
                group,
                name,
                f"{inst.m}x{inst.n}",
                best,
                status,
                check.cost,
                result.bound,
                result.optimal,
                gap,
                result.seconds,
                all(run[2].feasible for run in runs),
            )
        )
    print("| set | instance | m x n | best known | ours | bound | proven | gap % | s | feasible |")
    print("|---|---|---|---:|---:|---:|---|---:|---:|---|")
    for g, name, size, best, status, cost, bound, optimal, gap, secs, feasible in rows:
        tag = "" if status == "optimal" else " (open)"
        print(
            f"| {g} | {name} | {size} | {best}{tag} | {cost} | {bound} | "
            f"{'yes' if optimal else 'no'} | {gap:.3f} | {secs:.1f} | {feasible} |"
        )
    print()
    plain = plain_cpsat_gaps()
    print(
        f"Types C, D, E with n <= 200 at {args.limit:g} s, next to plain CP-SAT (2 workers, 10 s):"
    )
    print()
    print("| instance | m x n | best known | ours | proven bound | gap % | plain CP-SAT gap % |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for g, name, size, best, status, cost, bound, _, gap, _, _ in rows:
        if g not in ("C", "D", "E"):
            continue
        tag = "" if status == "optimal" else " (open)"
        yard = f"{plain[name]:.3f}" if name in plain else "-"
        print(f"| {name} | {size} | {best}{tag} | {cost} | {bound} | {gap:.3f} | {yard} |")
    print()
    print("| set | instances | proven optimal | at best known | mean gap % | max gap % | mean s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for g in ("gap1-12", "A", "B", "C", "D", "E"):
        sel = [r for r in rows if r[0] == g]
        if sel:
            print(
                f"| {g} | {len(sel)} | {sum(r[7] for r in sel)} | "
                f"{sum(r[5] <= r[3] for r in sel)} | {statistics.mean(r[8] for r in sel):.3f} | "
                f"{max(r[8] for r in sel):.3f} | {statistics.mean(r[9] for r in sel):.1f} |"
            )
    if args.repeat > 1:
        print()
        print("| instance | costs of the runs | median | median gap % |")
        print("|---|---|---:|---:|")
        for _, name, _, _, _, cost, _, _, gap, _, _ in rows:
            listed = ", ".join(str(c) for c in all_costs[name])
            print(f"| {name} | {listed} | {cost} | {gap:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
