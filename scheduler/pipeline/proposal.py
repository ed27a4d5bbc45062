"""A proposed plan: the solution, its alerts, metrics and changes; nothing written yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import solver
from scheduler import alerts as alert_rules
from scheduler import plan_json
from scheduler.diff import Change
from scheduler.mapping import Loaded
from scheduler.pipeline.request import PlanRequest


@dataclass(frozen=True, slots=True)
class PreviewCheck:
    """A stored preview that was not committed as it was: why, and what differs."""

    proposal: int
    why: str
    differences: list[str]


@dataclass
class Proposal:
    request: PlanRequest
    loaded: Loaded
    solution: solver.Solution
    alerts: list[alert_rules.PlannedAlert]
    metrics: dict[str, Any]
    version: int
    changes: list[Change]
    fingerprint: str = ""
    reused: int | None = None  # the stored proposal committed as it was previewed
    stored: int | None = None  # the id this (dry-run) proposal is stored under
    preview: PreviewCheck | None = None  # a preview that could not be committed as it was

    @property
    def instance(self) -> solver.Instance:
        return self.loaded.instance

    def to_json(self, *, committed: bool) -> dict[str, Any]:
        return plan_json.build(
            version=self.version,
            committed=committed,
            instance=self.instance,
            solution=self.solution,
            alerts=self.alerts,
            metrics=self.metrics,
        )

    def worst_severity(self) -> str | None:
        ranks = [alert_rules.SEVERITY_RANK[a.severity] for a in self.alerts]
        if not ranks:
            return None
        return next(k for k, v in alert_rules.SEVERITY_RANK.items() if v == max(ranks))
