"""The ``report`` command and its HTML page."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from cli import report_cmd
from cli.context import AppContext
from scheduler.db import Database
from scheduler.models import PlanVersion
from scheduler.report import build_report, render_html
from scheduler.settings import Settings
from tests.report.test_report_builders import (
    AS_OF,
    AS_OF_TEXT,
    ZONE,
    hand_worked_team,
    held,
    key,
    make_child,
    make_plan,
    make_version,
    make_worker,
)

SCRIPT_REF = "<script>alert('x')</script>"


def _app(db_url: str) -> typer.Typer:
    """The report command mounted as ``keyworker`` mounts it, with a fixed context."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = context = AppContext(
            settings=Settings(), db_url=db_url, actor="tester", now=AS_OF
        )
        ctx.call_on_close(context.close)

    report_cmd.register(app)
    return app


def _run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(db_url), ["report", "--as-of", AS_OF_TEXT, *args])
    return result.exit_code, result.output


class _Structure(HTMLParser):
    """Collects tags, attribute values and text, and checks that elements nest."""

    VOID = frozenset({"meta", "br", "img", "link", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [v or "" for _, v in attrs]
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_cli_prints_readable_tables(db_url: str, database: Database) -> None:
    hand_worked_team(database)
    code, output = _run(db_url)
    assert code == 0, output
    assert "Continuity report, all teams: 2025-11-27 .. 2026-11-27 (12 months" in output
    assert re.search(
        r"North\s+2\s+194/194\s+0\.90/0\.90\s+0\.60/0\.60\s+100%\s+50%\s+2\s+1/1 \(100%\)", output
    )
    assert re.search(r"YP-A\s+North\s+W001\s+179\s+4/5\s+0\.80\s+0\.60\s+1\s+21d", output)
    assert "OVER" in output
    assert re.search(r"W001\s+North\s+4\.0\s+1\.0", output)  # held and planned hours


def test_cli_one_child_team_and_errors(db_url: str, database: Database, tmp_path: Path) -> None:
    hand_worked_team(database)
    code, output = _run(db_url, "--child", "YP-B")
    assert code == 0, output
    assert "Child YP-B" in output
    assert re.search(r"key-worker changes\s+2", output)
    assert re.search(r"wishes\s+honoured", output)
    assert "Sessions per month" in output

    code, output = _run(db_url, "--team", "South", "--months", "6")
    assert code == 0, output
    assert "YP-C" in output and "YP-A" not in output

    code, output = _run(db_url, "--child", "YP-NOPE")
    assert code == 2
    assert "no child with reference 'YP-NOPE'" in output

    result = CliRunner().invoke(_app(db_url), ["report", "--as-of", "yesterday"])
    assert result.exit_code == 2


def test_cli_empty_database_says_so(db_url: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    code, output = _run(db_url, "--html", str(page))
    assert code == 0, output
    assert "No children with a support plan or a key worker in this window" in output
    assert "<svg" not in page.read_text(encoding="utf-8")


def test_html_page_is_one_self_contained_file_with_charts(
    db_url: str, database: Database, tmp_path: Path
) -> None:
    hand_worked_team(database)
    with database.transaction() as s:
        version = make_version(s, is_current=False)
        worker = make_worker(s, ref="W<9>", name='Jo "JJ" & Co', team="North")
        child = make_child(s, ref=SCRIPT_REF, team="North")
        make_plan(s, child, start_date=date(2026, 9, 1))
        key(s, child, worker, date(2026, 9, 1))
        held(s, child, worker, date(2026, 9, 14), version=version)
    page = tmp_path / "report.html"
    code, output = _run(db_url, "--html", str(page))
    assert code == 0, output
    assert f"wrote {page}" in output
    text = page.read_text(encoding="utf-8")

    parser = _Structure()
    parser.feed(text)
    parser.close()
    assert parser.open == [], f"unclosed elements: {parser.open}"
    assert parser.tags.count("svg") >= 2
    assert "script" not in parser.tags  # the child's ref is text, not a tag
    assert SCRIPT_REF in "".join(parser.text)  # shown as written
    assert "&lt;script&gt;" in text and "<script" not in text
    assert "Jo &quot;JJ&quot; &amp; Co" in text
    for forbidden in ("http:", "https:", "//", "<link", "<img", "<iframe", "@import", "url("):
        assert not any(forbidden in value for value in parser.attributes), forbidden
    assert "http" not in text.lower()
    assert "YP-A" in text and "W001" in text


def test_render_html_of_an_empty_report(database: Database) -> None:
    with database.reading() as session:
        report = build_report(session, as_of=AS_OF, zone=ZONE)
    text = render_html(report)
    assert text.startswith("<!DOCTYPE html>")
    assert "No children with a support plan or a key worker in this window." in text


@pytest.mark.parametrize("months", [1, 24])
def test_months_sets_the_window(db_url: str, database: Database, months: int) -> None:
    hand_worked_team(database)
    code, output = _run(db_url, "--months", str(months))
    assert code == 0, output
    start = "2026-10-27" if months == 1 else "2024-11-27"
    assert f"{start} .. 2026-11-27 ({months} months" in output


def test_report_shows_the_current_plans_share_beside_its_ceiling(
    db_url: str, database: Database, tmp_path: Path
) -> None:
    # issue 11: a manager tells an unavoidable break (absences) from a poor plan
    hand_worked_team(database)
    with database.transaction() as s:
        for version in s.scalars(select(PlanVersion)):
            version.is_current = False
        make_version(
            s, metrics={"sessions_with_key_worker_pct": 80.5, "key_worker_ceiling_pct": 85.0}
        )
    page = tmp_path / "report.html"
    code, output = _run(db_url, "--html", str(page))
    assert code == 0, output
    assert (
        "Current plan (version 2, 2026-11-30 .. 2026-12-27): 80.5% of the coming sessions with "
        "the key worker; at most 85.0% possible with the absences and leavers known." in output
    )
    assert "at most 85.0% was possible" in page.read_text(encoding="utf-8")
