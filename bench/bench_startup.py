"""Time how long ``keyworker`` takes to answer: ``--help``, ``show workers``, ``alerts``, ``runs``.

    .venv/bin/python bench/bench_startup.py [--runs 5] [--src DIR ...]

Each command runs ``--runs`` times as a new process, in a temporary folder with the
demo team loaded (``keyworker init`` and ``demo``), and the median and the fastest
wall-clock time are printed; with several ``--src``, run after run each version in
turn, so that all see the same load. ``--src`` names a checkout to time instead of this one
(its ``cli``, ``scheduler`` ... come first on the path), so two versions can be
compared on the same machine at the same load, e.g. a worktree of main:

    git worktree add /tmp/kw-before main
    .venv/bin/python bench/bench_startup.py --src /tmp/kw-before --src .

Also prints the cumulative import time of ``cli.main`` (``python -X importtime``).
Results go in bench/STARTUP.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (("--help",), ("show", "workers"), ("alerts",), ("runs",))
RUN = "import sys; from cli.main import main; sys.argv[0] = 'keyworker'; main()"


def _env(src: Path, folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src.resolve())
    env["KEYWORKER_SECRET_FILE"] = str(folder / "feed.key")
    env["COLUMNS"] = "120"
    env.pop("KEYWORKER_DB", None)
    return env


def _run(args: tuple[str, ...], env: dict[str, str], folder: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", RUN, *args],
        cwd=folder,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def import_ms(src: Path, folder: Path) -> float:
    """Cumulative microseconds of ``import cli.main``, as milliseconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import cli.main"],
        cwd=folder,
        env=_env(src, folder),
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in done.stderr.splitlines() if re.search(r"\|\s*cli\.main$", x))
    return int(line.split("|")[1]) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", type=Path, action="append")
    options = parser.parse_args()
    sources = options.src or [Path(__file__).resolve().parent.parent]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, {options.runs} runs")
    with contextlib.ExitStack() as stack:
        places = []
        for src in sources:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            env = _env(src, folder)
            for setup in (("init",), ("demo", "--dir", "demo")):
                _run(setup, env, folder)
            places.append((src, env, folder))
        times: dict[tuple[Path, tuple[str, ...]], list[float]] = {}
        # run after run, each version in turn: both see the same load
        for _ in range(options.runs):
            for args in COMMANDS:
                for src, env, folder in places:
                    times.setdefault((src, args), []).append(_run(args, env, folder))
        for src, _, folder in places:
            print(f"\n{src}: import cli.main {import_ms(src, folder):.0f} ms")
            for args in COMMANDS:
                found = times[(src, args)]
                print(
                    f"  keyworker {' '.join(args):<14} median {statistics.median(found):.3f} s"
                    f"  fastest {min(found):.3f} s"
                )
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
