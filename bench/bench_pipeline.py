"""Time the whole user path on a generated scenario: import, then ``plan --commit``.

    .venv/bin/python -m bench.bench_pipeline --size la --runs 3 [--hog]

Each run writes the scenario (``bench/scenarios.py``, the mixed shapes) as CSV
files, imports them into a fresh SQLite database and times ``keyworker plan
--commit`` as a manager runs it (a subprocess, with the product's settings).
``--hog`` keeps one CPU-bound process busy on the machine meanwhile. Prints the
median wall time of the plan and commit, its peak memory, and the summary line.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.scenario_csv import write_csv
from bench.scenarios import SIZES, make_scenario

KW = str(Path(sys.executable).with_name("keyworker"))


def _hog() -> None:
    while True:
        pass


def one_run(size: str, folder: Path) -> tuple[float, float, str]:
    instance = make_scenario(size).instance
    write_csv(instance, folder / "csv")
    db = f"sqlite:///{folder / 'kw.db'}"
    subprocess.run([KW, "--db", db, "init"], check=True, capture_output=True)
    as_of = instance.now.isoformat()
    # the scenario's case records are dated by its own "now" (spring 2027)
    subprocess.run(
        [KW, "--db", db, "import", str(folder / "csv"), "--as-of", as_of],
        check=True,
        capture_output=True,
    )
    started = time.monotonic()
    done = subprocess.run(
        [KW, "--db", db, "plan", "--commit", "--as-of", as_of,
         "--start", instance.horizon_start.isoformat(), "--weeks", str(instance.weeks)],
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 3):
        raise SystemExit(f"plan --commit exited {done.returncode}: {done.stderr[-2000:]}")
    summary = " ".join(line.strip() for line in done.stdout.splitlines()[:4])
    return wall, peak, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="la")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hog", action="store_true", help="one busy process meanwhile")
    args = parser.parse_args(argv)
    hog = multiprocessing.Process(target=_hog, daemon=True) if args.hog else None
    if hog is not None:
        hog.start()
    walls = []
    try:
        for k in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                wall, peak, summary = one_run(args.size, Path(tmp))
            walls.append(wall)
            print(f"run {k + 1}: {wall:.1f} s, peak {peak:.0f} MiB; {summary}", flush=True)
    finally:
        if hog is not None:
            hog.terminate()
    load = "with one CPU-bound process running" if args.hog else "otherwise idle"
    print(
        f"{args.size}: plan --commit median {statistics.median(walls):.1f} s "
        f"({' / '.join(f'{w:.1f}' for w in walls)}), {load}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
