"""Issue #13: output that reads well and scripts cleanly.

--json FILE on every read command ('-' = stdout, and then stdout is JSON only), the
first plan summed up child by child, --version, help without type placeholders, and
read commands in a folder without a database.
"""

from __future__ import annotations

import json
import stat
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2")
CHILDREN = ("YP-0001", "YP-0002", "YP-0003")


def _json(result: Any) -> Any:
    return json.loads(result.stdout)


def test_plan_json_to_stdout_is_only_json_the_rest_goes_to_stderr(kw: Run, team: Path) -> None:
    kw("import", str(team))
    result = kw(*PLAN, "--json", "-")
    data = _json(result)
    assert isinstance(data, dict) and data["committed"] is False
    assert {s["child"] for s in data["sessions"]} == set(CHILDREN)
    assert "Plan 2027-01-04 .. 2027-01-17" in result.stderr
    assert "... solving for 3 children" in result.stderr  # the stages, as plain lines


def test_whatif_json_to_stdout_is_only_json(kw: Run, team: Path) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    what = ("whatif", "--absent", "W001", "2027-01-05", "2027-01-08")
    result = kw(*what, "--as-of", AS_OF, "--start", START, "--weeks", "2", "--json", "-")
    assert _json(result)["committed"] is False
    assert "What if: W001 absent 2027-01-05 .. 2027-01-08" in result.stderr


def test_a_first_plan_is_summed_up_child_by_child(kw: Run, team: Path, tmp_path: Path) -> None:
    kw("import", str(team))
    out = tmp_path / "plan.json"
    result = kw(*PLAN, "--commit", "--json", str(out))
    data = json.loads(out.read_text())
    lines = result.stdout.splitlines()
    assert "Children (a first plan; --verbose lists every change):" in lines
    assert "Changes:" not in lines
    header = lines.index("Children (a first plan; --verbose lists every change):") + 1
    assert lines[header].split() == ["child", "key", "worker", "secondary", "sessions", "new",
                                     "key", "worker"]  # fmt: skip
    for child in CHILDREN:
        row = next(line for line in lines if line.startswith(child))
        sessions = [s for s in data["sessions"] if s["child"] == child and not s["past"]]
        key = next(a["key_worker"] for a in data["allocations"] if a["child"] == child)
        assert row.split()[1] == key and str(len(sessions)) in row.split()
    # A re-plan with few changes lists them; --verbose always does.
    again = kw(*PLAN, "--as-of", "2027-01-05T08:00:00+00:00", "--verbose").stdout
    assert "Children (" not in again


def test_verbose_lists_every_change_of_a_first_plan(kw: Run, team: Path) -> None:
    kw("import", str(team))
    lines = kw(*PLAN, "--verbose").stdout.splitlines()
    assert "Changes:" in lines and not any(line.startswith("Children (") for line in lines)


def test_every_read_command_writes_json(kw: Run, team: Path, tmp_path: Path) -> None:
    kw("import", str(team))
    kw(*PLAN, "--commit")
    workers = _json(kw("show", "workers", "--json", "-"))
    assert isinstance(workers, list) and [w["ref"] for w in workers] == ["W001", "W002", "W003"]
    assert set(workers[0]) == {"ref", "name", "team", "hours", "caseload", "skills",
                               "languages", "availability", "leaves"}  # fmt: skip
    children = _json(kw("show", "children", "--json", "-"))
    assert [c["ref"] for c in children] == list(CHILDREN)
    assert "key_worker" in children[0]
    plan = _json(kw("show", "plan", "--json", "-"))  # the whole plan, in the Plan JSON shape
    assert {row["child"] for row in plan["allocations"]} == set(CHILDREN)
    assert plan["allocations"][0]["start"] == plan["horizon"]["start"] == START
    assert plan == _json(kw("export", "plan", "--format", "json"))
    child = _json(kw("show", "child", "YP-0001", "--json", "-"))
    assert set(child) == {"child", "support_plans", "key_and_secondary_workers", "sessions",
                          "open_alerts"}  # fmt: skip
    assert child["child"]["team"] == "North"
    worker = _json(kw("show", "worker", "W001", "--json", "-"))
    assert set(worker) == {"worker", "absences", "sessions"}
    closures = _json(kw("show", "closures", "--from", "2027-01-01", "--json", "-"))
    assert isinstance(closures, list)
    assert all(set(c) == {"from", "to", "team", "why"} for c in closures)
    handovers = _json(kw("show", "handovers", "--as-of", AS_OF, "--json", "-"))
    assert isinstance(handovers, list)
    week = _json(kw("show", "week", "--start", START, "--json", "-"))
    assert week[0]["worker"] == "W001"
    assert next(iter(week[0]["days"])) == START
    alerts = _json(kw("alerts", "--all", "--json", "-"))
    assert isinstance(alerts, list)
    for alert in alerts:
        assert set(alert) == {"id", "severity", "kind", "child", "worker", "start", "end",
                              "status", "delivered", "message"}  # fmt: skip
    audit = _json(kw("audit", "--json", "-"))
    assert audit[0]["action"] and audit[0]["at"].endswith("+00:00")
    assert _json(kw("runs", "--json", "-")) == []
    assert _json(kw("absence", "list", "--all", "--json", "-")) == []
    suggestions = _json(kw("suggest", "YP-0001", "--as-of", AS_OF, "--json", "-"))
    assert suggestions[0]["rank"] == 1
    assert set(suggestions[0]) == {"rank", "worker", "eligible", "reasons", "costs"}
    # --json FILE: the file, owner-only (it holds children's data), and no table.
    out = tmp_path / "children.json"
    result = kw("show", "children", "--json", str(out))
    assert json.loads(out.read_text()) == children
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert result.stdout == ""


def test_version_is_the_installed_distributions() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"keyworker {version('keyworker')}\n")


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in getattr(group, "commands", {}).items():
        found += _commands(sub, (*path, name))
    return found


def test_help_has_no_type_placeholders() -> None:
    import typer

    runner = CliRunner()
    commands = _commands(typer.main.get_command(app))
    assert ("show", "workers") in commands and ("report",) in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        for placeholder in ("<str>", "<bool>", "<int>", "<path>", "<float>", "TEXT", "INTEGER"):
            assert placeholder not in result.output, (path, placeholder)
    plan_help = runner.invoke(app, ["plan", "--help"], env={"COLUMNS": "200"}).output
    assert "DATE" in plan_help and "FILE" in plan_help


@pytest.mark.parametrize(
    "args",
    [
        ["show", "workers"],
        ["show", "plan"],
        ["alerts"],
        ["audit"],
        ["runs"],
        ["absence", "list"],
        ["feeds", "url", "W001"],
    ],
)
def test_a_read_command_without_a_database_says_so_and_creates_nothing(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEYWORKER_DB", raising=False)
    monkeypatch.setenv("KEYWORKER_SECRET_FILE", str(tmp_path / "keys" / "feed.key"))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "error: no database at ./keyworker.db; run 'keyworker init'" in result.stderr
    assert list(tmp_path.iterdir()) == []
