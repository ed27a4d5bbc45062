"""One broken rule instance, as ``validate`` reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """``rule`` is SPEC's planning rule (1-8), or 0 for the plan's own shape."""

    rule: int
    message: str
