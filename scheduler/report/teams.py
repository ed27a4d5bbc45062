"""Team rows: the mean and median of their children's tenure, UPC and COC, and the share
of children with one and with two or more key-worker changes."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.report.children import ChildFigures
from scheduler.report.measures import pct

ALL_TEAMS = "All teams"


@dataclass(frozen=True, slots=True)
class TeamFigures:
    team: str
    children: int
    tenure_mean: float | None
    tenure_median: float | None
    upc_mean: float | None
    upc_median: float | None
    coc_mean: float | None
    coc_median: float | None
    changed_once_pct: float | None  # % of children with >= 1 change
    changed_twice_pct: float | None  # % of children with >= 2 changes
    over_gap: int
    wishes_stated: int
    wishes_honoured: int
    wishes_honoured_pct: float | None


def team_figures(name: str, children: Sequence[ChildFigures]) -> TeamFigures:
    tenures = [float(c.tenure_days) for c in children if c.tenure_days is not None]
    upcs = [c.upc for c in children if c.upc is not None]
    cocs = [c.coc for c in children if c.coc is not None]
    stated = [c for c in children if c.wishes_stated]
    honoured = sum(1 for c in stated if c.wishes_honoured)
    count = len(children)
    return TeamFigures(
        team=name,
        children=count,
        tenure_mean=_mean(tenures),
        tenure_median=_median(tenures),
        upc_mean=_mean(upcs),
        upc_median=_median(upcs),
        coc_mean=_mean(cocs),
        coc_median=_median(cocs),
        changed_once_pct=pct(sum(1 for c in children if c.changes >= 1), count),
        changed_twice_pct=pct(sum(1 for c in children if c.changes >= 2), count),
        over_gap=sum(1 for c in children if c.gap_exceeded),
        wishes_stated=len(stated),
        wishes_honoured=honoured,
        wishes_honoured_pct=pct(honoured, len(stated)),
    )


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None
