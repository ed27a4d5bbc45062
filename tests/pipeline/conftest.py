"""Fixtures to run the real CLI against a real database with a tiny team."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.pipeline.team import write_team

CONFIG = """
[planning]
time_limit_seconds = 5

[feeds]
base_url = "https://keyworker.example.org"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "keyworker.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


Run = Callable[..., Any]


@pytest.fixture
def kw(db_url: str, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``keyworker`` in-process against the test database; returns the Result."""
    monkeypatch.chdir(tmp_path)  # relative paths (calendars export DIR) land in tmp_path
    runner = CliRunner()

    def run(*args: str, config: Path | None = None, expect: int | None = 0) -> Any:
        result = runner.invoke(
            app, ["--db", db_url, "--config", str(config or config_file), "--as", "tester", *args]
        )
        if expect is not None:
            assert result.exit_code == expect, result.output + repr(result.exception)
        return result

    return run


@pytest.fixture
def team(tmp_path: Path) -> Path:
    return write_team(tmp_path / "team")
