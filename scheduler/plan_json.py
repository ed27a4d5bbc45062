"""The Plan JSON of SPEC "Plan JSON", built from a solution and its alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import solver
from scheduler.alerts import PlannedAlert


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime) -> str:
    return value.isoformat()


# SPEC "Plan JSON" metrics; the stored metrics may carry more (the continuity ceiling)
SPEC_METRICS = (
    "children",
    "allocated",
    "keyworker_changes",
    "sessions_required",
    "sessions_scheduled",
    "sessions_with_key_worker_pct",
    "solve_seconds",
)


def spec_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: metrics[k] for k in SPEC_METRICS if k in metrics}


def build(
    *,
    version: int,
    committed: bool,
    instance: solver.Instance,
    solution: solver.Solution,
    alerts: list[PlannedAlert],
    metrics: dict[str, Any],
) -> dict[str, Any]:
    return {
        "version": version,
        "committed": committed,
        "horizon": {
            "start": instance.horizon_start.isoformat(),
            "end": instance.horizon_end.isoformat(),
            "timezone": instance.timezone,
        },
        "as_of": _moment(instance.now),
        "allocations": [
            {
                "child": a.child,
                "key_worker": a.key_worker,
                "secondary_worker": a.secondary_worker,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "since": _day(a.since),
                "changed": a.changed,
                "reason": a.reason,
            }
            for a in sorted(solution.allocations, key=lambda a: (a.start, a.child))
        ],
        "sessions": [
            {
                "id": s.id,
                "child": s.child,
                "worker": s.worker,
                "with": s.with_worker,
                "start": _moment(s.start),
                "end": _moment(s.end),
                "past": s.past,
                "locked": s.locked,
                "cover": s.cover,
            }
            for s in sorted(solution.sessions, key=lambda s: (s.start, s.child, s.id))
        ],
        "alerts": [
            {
                "id": a.id,
                "kind": a.kind,
                "severity": a.severity,
                "child": a.child,
                "worker": a.worker,
                "session": a.session,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "message": a.message,
            }
            for a in alerts
        ],
        "metrics": spec_metrics(metrics),
    }
