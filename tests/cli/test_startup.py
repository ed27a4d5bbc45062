"""Issue #13: 'keyworker --help' and the read commands start without the heavy packages.

Timing tests would be flaky on a shared machine; these check what is imported, in a
fresh interpreter, which is what the start-up time comes from (bench/STARTUP.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.factories import small_team

ROOT = Path(__file__).resolve().parents[2]

# What only planning, serving or migrating needs: OR-Tools (with numpy and pandas), the
# solver and the pipeline, alembic, the feed server stack, the nightly scheduler.
HEAVY = (
    "ortools", "numpy", "pandas", "solver", "scheduler.pipeline", "alembic",
    "uvicorn", "starlette", "apscheduler", "calendars", "icalendar", "holidays",
)  # fmt: skip

PROBE = """
import json, sys
heavy = json.loads(sys.argv[2])
sys.argv = ["keyworker", *json.loads(sys.argv[1])]
from cli.main import main
try:
    main()
except SystemExit:
    pass
found = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
print("\\nLOADED " + json.dumps(found))
"""


def _loaded(args: list[str], cwd: Path, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("KEYWORKER_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(heavy)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("LOADED "))
    loaded: list[str] = json.loads(line.removeprefix("LOADED "))
    return loaded


def test_importing_the_cli_loads_nothing_heavy(tmp_path: Path) -> None:
    light = (*HEAVY, "sqlalchemy", "rich", "scheduler.models")
    assert _loaded(["--version"], tmp_path, light) == []


def test_help_loads_nothing_heavy(tmp_path: Path) -> None:
    assert _loaded(["--help"], tmp_path, (*HEAVY, "sqlalchemy", "scheduler.models")) == []
    assert _loaded(["plan", "--help"], tmp_path) == []


def test_show_and_alerts_load_nothing_heavy(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db_url, "import", str(small_team(tmp_path / "team"))])
    assert result.exit_code == 0, result.output
    for args in (["show", "workers"], ["show", "children"], ["alerts"], ["audit"]):
        assert _loaded(["--db", db_url, *args], tmp_path) == [], args


# What a list read on SQLAlchemy Core leaves out: the ORM with the 19 mapped models, and
# pydantic (Typer converts a parameter through it only when the parameter is given).
ORM_AND_PYDANTIC = ("sqlalchemy.orm", "scheduler.models", "pydantic")


def test_show_workers_and_alerts_load_neither_the_orm_nor_pydantic(
    db_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db_url, "import", str(small_team(tmp_path / "team"))])
    assert result.exit_code == 0, result.output
    for args in (["show", "workers"], ["show", "children"], ["alerts"]):
        assert _loaded(["--db", db_url, *args], tmp_path, ORM_AND_PYDANTIC) == [], args


def test_runs_loads_no_or_tools(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db_url, "import", str(small_team(tmp_path / "team"))])
    assert result.exit_code == 0, result.output
    assert _loaded(["--db", db_url, "runs"], tmp_path, (*HEAVY, "sqlalchemy.orm")) == []


def test_an_option_given_is_still_converted_and_checked(db_url: str, tmp_path: Path) -> None:
    """Typer's conversion is deferred only for options not given (cli.main)."""
    result = CliRunner().invoke(app, ["--db", db_url, "runs", "--limit", "0"])
    assert result.exit_code == 2
    assert "--limit" in result.output
    result = CliRunner().invoke(app, ["--db", db_url, "runs", "--limit", "many"])
    assert result.exit_code == 2
