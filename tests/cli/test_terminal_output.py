"""Issue #13: tables on a terminal go through rich: fitted to its width, severity and
risk in colour unless NO_COLOR is set, and stored text still only through ``shown``
(never read as rich markup, no control characters). Run on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from cli.main import app
from cli.output import StageDisplay
from scheduler.db import Database
from scheduler.models import Worker
from tests.factories import small_team

ROOT = Path(__file__).resolve().parents[2]
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colour and style: rich's own, and nothing else
RUN = "import sys; from cli.main import main; sys.argv[0] = 'keyworker'; main()"


def _on_terminal(args: list[str], cwd: Path, columns: int = 200, **environ: str) -> str:
    """What the command writes to a terminal ``columns`` wide."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": str(columns), "LINES": "40"}
    env.pop("NO_COLOR", None)
    env |= {"TERM": "xterm-256color", **environ}
    with subprocess.Popen(
        [sys.executable, "-c", RUN, *args], cwd=cwd, env=env, stdout=follower, stderr=follower
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 0, b"".join(chunks)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture
def hostile_team(db_url: str, tmp_path: Path) -> str:
    result = CliRunner().invoke(app, ["--db", db_url, "import", str(small_team(tmp_path / "t"))])
    assert result.exit_code == 0, result.output
    database = Database(db_url)
    try:
        with database.transaction() as session:
            session.execute(
                update(Worker).where(Worker.ref == "W002").values(name="[red]Zed[/red]\x1b[2J")
            )
    finally:
        database.dispose()
    return db_url


def test_a_terminal_gets_a_rich_table_fitted_to_its_width(
    hostile_team: str, tmp_path: Path
) -> None:
    narrow = SGR.sub("", _on_terminal(["--db", hostile_team, "show", "workers"], tmp_path, 60))
    assert "\x1b" not in narrow, "only colour codes reach the terminal"
    assert all(len(line) <= 60 for line in narrow.splitlines()), narrow
    wide = SGR.sub("", _on_terminal(["--db", hostile_team, "show", "workers"], tmp_path))
    assert "\x1b" not in wide
    row = next(line for line in wide.splitlines() if line.startswith("W002"))
    assert "[red]Zed[/red]\\x1b[2J" in row, "stored text is not read as markup"


def test_risk_in_colour_and_no_colour_with_no_color(hostile_team: str, tmp_path: Path) -> None:
    coloured = _on_terminal(["--db", hostile_team, "show", "children"], tmp_path)
    assert re.search(r"\x1b\[[0-9;]*31m\s*high", coloured), coloured  # high risk in red
    quiet = _on_terminal(["--db", hostile_team, "show", "children"], tmp_path, NO_COLOR="1")
    assert "high" in quiet and "31m" not in quiet


def test_a_pipe_gets_plain_lines_whole(hostile_team: str) -> None:
    result = CliRunner().invoke(app, ["--db", hostile_team, "show", "workers"])
    assert "\x1b" not in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("W002"))
    assert "[red]Zed[/red]\\x1b[2J" in row


def test_stage_messages_off_a_terminal_are_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    display = StageDisplay(terminal=False)
    display.start()
    display("solving for 3 children\x1b[2J")
    display.stop()
    assert capsys.readouterr().err == "... solving for 3 children\\x1b[2J\n"
