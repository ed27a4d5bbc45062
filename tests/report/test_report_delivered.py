"""Delivered figures beside the plan's, computed by hand on a small fixture.

YP-A (North), weekly plan of 1 session from Monday 2026-10-05; key worker W1 from
2026-06-01 to 2026-10-31, then W2 (one change). As of Friday 2026-11-27 12:00 UTC:

=========  =======  ===================  ======================  ==========
day        planned  outcome              provider (key of day)   with key?
=========  =======  ===================  ======================  ==========
Oct 5      W1       none (unconfirmed)   W1 (W1)                 yes
Oct 12     W1       held                 W1 (W1)                 yes
Oct 19     W1       cancelled            -                       -
Oct 26     W2       held                 W2 (W1)                 no
Nov 2      W2       held by W3           W3 (W2)                 no
Nov 9      W2       did-not-attend       -                       -
Nov 17     -        held by W1, no plan  W1 (W2)                 no
=========  =======  ===================  ======================  ==========

Delivered: 7 weekly periods ended (Oct 5 .. Nov 22), 5 of them with a held session:
5/7. Held N = 5, with the key worker 2: 40.0 %. Providers W1 3, W2 1, W3 1:
UPC = 3/5 = 0.6; COC = (9 + 1 + 1 - 5) / (5 * 4) = 0.3. One change in 12 months.

Plan (horizon Nov 30 .. Dec 13): Nov 30 with W2 (key), Dec 7 with W1 (cover): 2/2
periods met, 50.0 % with the key worker, UPC 1/2 = 0.5, COC (1 + 1 - 2) / 2 = 0.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from scheduler.db import Database
from scheduler.models import SessionOutcome
from scheduler.report import ContinuityReport, build_report
from tests.report.test_report_builders import (
    AS_OF,
    ZONE,
    held,
    key,
    make_child,
    make_plan,
    make_version,
    make_worker,
)
from tests.report.test_report_cli import _run


def _outcome(session: object, child_id: int, day: date, outcome: str, **extra: object) -> None:
    start = datetime.combine(day, time(10), ZONE).astimezone(UTC)
    session.add(  # type: ignore[attr-defined]
        SessionOutcome(child_id=child_id, start=start, outcome=outcome, source="record",
                       recorded_at=AS_OF, recorded_by="tester", **extra)
    )  # fmt: skip


@pytest.fixture
def report(database: Database) -> ContinuityReport:
    with database.transaction() as session:
        w1 = make_worker(session, ref="W1")
        w2 = make_worker(session, ref="W2", name="B")
        w3 = make_worker(session, ref="W3", name="C")
        child = make_child(session, ref="YP-A")
        make_plan(session, child, start_date=date(2026, 10, 5))
        key(session, child, w1, date(2026, 6, 1), date(2026, 10, 31))
        key(session, child, w2, date(2026, 11, 1))
        version = make_version(session, horizon_end=date(2026, 12, 13))
        for day, worker, outcome, by in (
            (date(2026, 10, 5), w1, None, None),
            (date(2026, 10, 12), w1, "held", None),
            (date(2026, 10, 19), w1, "cancelled", None),
            (date(2026, 10, 26), w2, "held", None),
            (date(2026, 11, 2), w2, "held", w3),
            (date(2026, 11, 9), w2, "did-not-attend", None),
            (date(2026, 11, 30), w2, None, None),
            (date(2026, 12, 7), w1, None, None),
        ):
            row = held(session, child, worker, day, version=version)
            if outcome is not None:
                _outcome(session, child.id, day, outcome, session_id=row.id,
                         worker_id=by.id if by else None)  # fmt: skip
        _outcome(session, child.id, date(2026, 11, 17), "held", worker_id=w1.id)
    with database.reading() as session:
        return build_report(session, as_of=AS_OF, zone=ZONE)


def test_delivered_figures_by_hand(report: ContinuityReport) -> None:
    (north,) = report.delivery
    d = north.delivered
    assert (d.counted, d.required, d.sessions) == (5, 7, 5)
    assert d.with_key_worker == 2 and d.key_worker_pct == pytest.approx(40.0)
    assert d.upc_mean == pytest.approx(0.6)
    assert d.coc_mean == pytest.approx(0.3)
    assert (d.children, d.changed_once, d.changed_twice) == (1, 1, 0)
    assert (north.missed, north.unconfirmed) == (2, 1)


def test_plan_figures_for_the_coming_weeks_by_hand(report: ContinuityReport) -> None:
    (north,) = report.delivery
    p = north.planned
    assert p is not None and north.horizon == (date(2026, 11, 30), date(2026, 12, 13))
    assert (p.counted, p.required, p.sessions, p.with_key_worker) == (2, 2, 2, 1)
    assert p.upc_mean == pytest.approx(0.5)
    assert p.coc_mean == pytest.approx(0.0)
    assert (p.changed_once, p.changed_twice) == (1, 0)


def test_child_figures_count_only_held_contact(report: ContinuityReport) -> None:
    (child,) = report.children
    assert (child.sessions_held, child.sessions_with_key_worker) == (5, 2)
    assert child.key_worker_share == pytest.approx(0.4)
    assert child.upc == pytest.approx(0.6)
    assert child.coc == pytest.approx(0.3)
    assert child.workers_seen == ("W1", "W2", "W3")


def test_cli_and_page_show_delivered_beside_the_plan(
    report: ContinuityReport, db_url: str, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    code, output = _run(db_url, "--html", str(page))
    assert code == 0, output
    assert "Delivered beside the plan: North" in output
    lines = {line.split("  ")[0]: line for line in output.splitlines()}
    assert "5/7 (71.4%)" in lines["sessions delivered / required"]
    assert "2/2 (100.0%)" in lines["sessions delivered / required"]
    assert "40.0%" in lines["share with the key worker"]
    assert "0.60" in lines["UPC (mean over children)"]
    assert "0.30" in lines["COC (mean over children)"]
    assert "1/1 (100.0%)" in lines[">= 1 key-worker change in 12 months"]
    assert "2" in lines["cancelled or did not attend"]
    html = page.read_text(encoding="utf-8")
    assert "Delivered beside the plan" in html and "5/7 (71.4%)" in html
