"""Deterministic ids for new sessions: the same input always gives the same ids."""

from __future__ import annotations

import datetime as dt
import hashlib


def new_session_id(
    child: str, plan_start: dt.date, period_start: dt.date, index: int, taken: set[str]
) -> str:
    """A stable id from child, plan, period and ordinal, bumped past any id in ``taken``."""
    base = f"{child}|{plan_start.isoformat()}|{period_start.isoformat()}|{index}"
    suffix = 0
    while True:
        text = base if suffix == 0 else f"{base}|{suffix}"
        digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
        candidate = f"s-{digest}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        suffix += 1
