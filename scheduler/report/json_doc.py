"""The report's figures as JSON, for ``report --json FILE`` (README "Report JSON").

The shape is stable: ``format`` names it and ``version`` is raised only when a field
changes meaning or goes; new fields may be added. Dates are ISO ``YYYY-MM-DD``
(local dates of the report's time zone), months ``YYYY-MM``, ``as_of`` an ISO 8601
time with its offset; shares are percentages with one decimal (``null`` where there
is nothing to divide by), ratios (UPC, COC) have three decimals. Children appear by
ref only, workers by ref (and name in ``workload``), as on the page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scheduler.report.build import ContinuityReport
from scheduler.report.children import ChildFigures
from scheduler.report.delivery import DeliveryFigures, Side
from scheduler.report.headline import Headline, TrendMonth
from scheduler.report.outlook import PlanOutlook
from scheduler.report.teams import TeamFigures
from scheduler.report.workload import WorkerLoad

FORMAT = "keyworker-report"
VERSION = 1


def report_json(report: ContinuityReport) -> dict[str, Any]:
    w = report.period
    return {
        "format": FORMAT,
        "version": VERSION,
        "as_of": w.as_of.isoformat(),
        "timezone": w.timezone,
        "team": report.team,
        "window": {"start": _d(w.start), "end": _d(w.end), "months": w.months},
        "headline": _headline(report.headline) if report.headline is not None else None,
        "trend": [_month(m) for m in report.headline.trend] if report.headline else [],
        "plan": _outlook(report.outlook) if report.outlook is not None else None,
        "delivery": [_delivery(d) for d in report.delivery],
        "teams": [_team(t) for t in report.teams],
        "children": [_child(c) for c in report.children],
        "workload": [_load(x) for x in report.workload],
    }


def _headline(h: Headline) -> dict[str, Any]:
    return {
        "report_date": _d(h.report_date),
        "stable_key_worker": {
            "children": h.children,
            "stable": h.stable,
            "pct": _p(h.stable_pct),
            "since": _d(h.stable_since),
        },
        "sessions_delivered": {
            "met": h.delivered_met,
            "required": h.delivered_required,
            "pct": _p(h.delivered_pct),
        },
        "open_high_alerts": {
            "count": len(h.open_high_alerts),
            "alerts": [
                {"id": a.id, "kind": a.kind, "child": a.child_ref, "worker": a.worker_ref}
                for a in h.open_high_alerts
            ],
        },
        "coming": {
            "start": _d(h.coming_from),
            "end": _d(h.coming_to),
            "keyworker_changes": [
                {"child": c.child, "date": _d(c.day), "from": c.outgoing, "to": c.incoming}
                for c in h.coming_changes
            ],
            "handovers": [
                {"child": x.child, "date": _d(x.day), "worker": x.worker, "with": x.with_worker}
                for x in h.coming_handovers
            ],
        },
    }


def _month(m: TrendMonth) -> dict[str, Any]:
    return {
        "month": m.month.strftime("%Y-%m"),
        "required": m.required,
        "met": m.met,
        "met_pct": _p(m.met_pct),
        "held": m.held,
        "held_with_key_worker": m.held_with_key_worker,
        "planned": m.planned,
        "planned_with_key_worker": m.planned_with_key_worker,
        "with_key_worker_pct": _p(m.key_worker_pct),
    }


def _outlook(o: PlanOutlook) -> dict[str, Any]:
    return {
        "version": o.version,
        "horizon": {"start": _d(o.horizon_start), "end": _d(o.horizon_end)},
        "sessions_with_key_worker_pct": o.with_key_worker_pct,
        "key_worker_ceiling_pct": o.ceiling_pct,
    }


def _side(s: Side) -> dict[str, Any]:
    return {
        "sessions": s.sessions,
        "met": s.counted,
        "required": s.required,
        "met_pct": _p(s.counted_pct),
        "with_key_worker": s.with_key_worker,
        "with_key_worker_pct": _p(s.key_worker_pct),
        "upc_mean": _r(s.upc_mean),
        "coc_mean": _r(s.coc_mean),
        "children": s.children,
        "changed_once": s.changed_once,
        "changed_twice": s.changed_twice,
    }


def _delivery(d: DeliveryFigures) -> dict[str, Any]:
    return {
        "team": d.team,
        "delivered": _side(d.delivered),
        "planned": _side(d.planned) if d.planned is not None else None,
        "horizon": (
            {"start": _d(d.horizon[0]), "end": _d(d.horizon[1])} if d.horizon is not None else None
        ),
        "missed": d.missed,
        "unconfirmed": d.unconfirmed,
    }


def _team(t: TeamFigures) -> dict[str, Any]:
    return {
        "team": t.team,
        "children": t.children,
        "tenure_days_mean": _r(t.tenure_mean, 1),
        "tenure_days_median": _r(t.tenure_median, 1),
        "upc_mean": _r(t.upc_mean),
        "upc_median": _r(t.upc_median),
        "coc_mean": _r(t.coc_mean),
        "coc_median": _r(t.coc_median),
        "changed_once_pct": _p(t.changed_once_pct),
        "changed_twice_pct": _p(t.changed_twice_pct),
        "over_gap": t.over_gap,
        "wishes_stated": t.wishes_stated,
        "wishes_honoured": t.wishes_honoured,
    }


def _child(c: ChildFigures) -> dict[str, Any]:
    gap = c.longest_gap
    return {
        "ref": c.ref,
        "team": c.team,
        "risk": c.risk,
        "key_worker": c.key_worker,
        "key_worker_since": _d(c.key_worker_since),
        "tenure_days": c.tenure_days,
        "sessions_held": c.sessions_held,
        "sessions_with_key_worker": c.sessions_with_key_worker,
        "upc": _r(c.upc),
        "coc": _r(c.coc),
        "workers_seen": list(c.workers_seen),
        "keyworker_changes": c.changes,
        "longest_gap": (
            None if gap is None else {"start": _d(gap.start), "end": _d(gap.end), "days": gap.days}
        ),
        "max_gap_days": c.max_gap_days,
        "gap_exceeded": c.gap_exceeded,
        "wishes_honoured": c.wishes_honoured,
    }


def _load(x: WorkerLoad) -> dict[str, Any]:
    return {
        "worker": x.ref,
        "name": x.name,
        "team": x.team,
        "weekly_capacity_minutes": x.capacity_minutes,
        "held_minutes": x.held_minutes,
        "planned_minutes": x.planned_minutes,
        "weeks": [
            {
                "week": _d(k.week),
                "held_minutes": k.held_minutes,
                "planned_minutes": k.planned_minutes,
            }
            for k in x.weeks
        ],
    }


def _d(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _p(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _r(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)
