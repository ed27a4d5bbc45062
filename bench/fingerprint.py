"""A short hash of the plans the solver makes on fixed seeds: a refactor that keeps
the behaviour keeps every hash.

    python -m bench.fingerprint                 # team and a small two-team instance
    python -m bench.fingerprint --sizes team service

The hash covers every allocation (child, key and secondary worker, dates, reason),
every session (id, child, workers, times, cover) and every finding (kind, child,
worker, session, dates, message), so a reworded alert changes it too. The work
budget, not the clock, ends each search, so the hash does not depend on how busy the
machine is (only a run stopped by the safety clock, reported here, can differ).
"""

from __future__ import annotations

import argparse
import hashlib
import time

from bench.scenarios import Knobs, make_instance, make_scenario
from solver import Instance, Solution, SolverParams, solve


def fingerprint(solution: Solution) -> str:
    digest = hashlib.sha256()
    for a in solution.allocations:
        digest.update(repr((a.child, a.key_worker, a.secondary_worker, a.start, a.end)).encode())
        digest.update(repr((a.since, a.changed, a.reason)).encode())
    for s in solution.sessions:
        digest.update(repr((s.id, s.child, s.worker, s.with_worker, s.start, s.end)).encode())
        digest.update(repr((s.past, s.locked, s.cover)).encode())
    for f in solution.findings:
        digest.update(repr(f).encode())
    return digest.hexdigest()[:16]


def instances(sizes: list[str]) -> dict[str, Instance]:
    out: dict[str, Instance] = {}
    for size in sizes:
        if size == "small":
            out[size] = make_instance(24, 320, Knobs(), seed=7)
        else:
            out[size] = make_scenario(size, knobs=Knobs()).instance
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["team", "small"])
    args = parser.parse_args()
    for size, instance in instances(args.sizes).items():
        started = time.monotonic()
        solution = solve(instance, SolverParams(time_limit_seconds=30.0, num_workers=2))
        seconds = time.monotonic() - started
        m = solution.metrics
        print(
            f"{size:8} {fingerprint(solution)}  scheduled {m.sessions_scheduled}"
            f"/{m.sessions_required}  changes {m.keyworker_changes}"
            f"  findings {len(solution.findings)}  {seconds:.1f} s"
            + ("  STOPPED BY THE SAFETY CLOCK: not comparable" if solution.clock_stopped else "")
        )


if __name__ == "__main__":
    main()
