"""Named penalty terms and the read-back of what a solution paid.

Each constraint family adds its constraints and puts its penalties on a ``Level``
with a reason code (``Reason``) and the facts that explain the term (the child,
the worker, the day). After the solve, ``Level.paid(values)`` lists the terms whose
variable is set, as plain ``Paid`` records: no OR-Tools object crosses the solver
boundary, and findings are built from the codes and facts (``solver/findings/
messages.py`` turns a code into words), not guessed again afterwards.

A term with weight 0 is *noted*, not priced: it stays out of the objective but is
read back like any other (a change that no decision could avoid, say, because the
old key worker left: the model cannot do better, the plan still has to say why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ortools.sat.python import cp_model, cp_model_helper

Fact = str | int | dt.date | None
Facts = Mapping[str, Fact]
# a Boolean variable or its negation (``var.Not()``)
Lit = cp_model.IntVar | cp_model_helper.Literal


class Reason(StrEnum):
    """What a term prices, or why a finding happened (the codes of the findings).

    The first group says why the old key worker could not stay (a rule binds, in
    the order ``solver/allocation/changes.py`` asks); the second that the old key
    worker could have stayed but the team's load moved the child; the next two name
    the other terms of the allocation and the timetable models; the last says why a
    session, a period or a child-block falls short (read from the final plan by the
    classifiers of ``solver/findings``). A code names a fact, not a sentence: each
    finding kind has its own words for it (``solver/findings/messages.py``).
    """

    # a rule binds: the old key worker may not hold the case from that day
    EXCLUDED = "EXCLUDED"  # the child excluded them (excluded_workers)
    CASE_RECORD = "CASE_RECORD"  # the case record changed the key worker
    PIN = "PIN"  # the manager pinned the child to someone else
    PIN_FROM = "PIN_FROM"  # ... from a given day
    NO_PREVIOUS = "NO_PREVIOUS"  # there was no key worker before
    NOT_A_WORKER = "NOT_A_WORKER"  # the old key worker is no longer on the books
    LEFT = "LEFT"  # the old key worker leaves before the day
    NOT_STARTED = "NOT_STARTED"  # ... or only starts after it
    TEAM = "TEAM"  # ... or moved to another team
    ABSENT = "ABSENT"  # ... or is absent that day (and may not hold the case)
    CLOSED = "CLOSED"  # ... or their team is closed that day
    SKILL = "SKILL"  # the child now needs a skill the old key worker lacks
    LANGUAGE = "LANGUAGE"  # ... or a language they do not speak
    # the old key worker could have stayed: the load moved the child
    CASELOAD = "CASELOAD"  # the old key worker is at their caseload limit
    HOURS = "HOURS"  # their weekly hours cannot hold all their children's sessions
    TEAM_CASELOADS = "TEAM_CASELOADS"  # the team's caseloads could not otherwise be met
    # the allocation model's other terms
    KEY_CHANGE = "KEY_CHANGE"  # a key-worker change between two blocks (goal 2)
    UNALLOCATED = "UNALLOCATED"  # a child-block without a key worker (goal 1)
    UNKNOWN_KEY = "UNKNOWN_KEY"  # a new key worker the child does not know (goal 2)
    NEW_KEY_PRICE = "NEW_KEY_PRICE"  # a new key worker who will be absent, or no handover
    OVER_HOURS = "OVER_HOURS"  # a quarter-hour a week over the worker's hours (goal 2)
    SLOT_OVER = "SLOT_OVER"  # more after-school sessions than the worker's slots (goal 2)
    MOVED = "MOVED"  # a key worker other than the current plan's (goal 3)
    WISH_WORKER = "WISH_WORKER"  # not one of the child's preferred workers (goal 4)
    WISH_GENDER = "WISH_GENDER"  # not the child's preferred gender (goal 4)
    EVEN_CASELOAD = "EVEN_CASELOAD"  # a child above the worker's fair share (goal 4)
    # the timetable model's terms (the variable's name says which child, day, session;
    # the many per-candidate terms carry no facts, to keep large models small)
    SHORT = "SHORT"  # sessions short of a period's target (goal 1)
    COVER = "COVER"  # a session by someone other than the key worker (goal 2)
    CONTACT_GAP = "CONTACT_GAP"  # a run of days without a key-worker session (goal 2)
    NO_HANDOVER = "NO_HANDOVER"  # a known change without a joint handover before it (goal 2)
    SESSION_MOVED = "SESSION_MOVED"  # an existing session not kept as it was (goal 3)
    SESSION_CANCELLED = "SESSION_CANCELLED"  # a fixed session that lost its worker (goal 3)
    HANDOVER_EARLY = "HANDOVER_EARLY"  # a handover days before the change (goal 4)
    ROUTINE = "ROUTINE"  # a session's routine, travel and wish cost (goal 4)
    # why a finding's break happened, read from the final plan's facts (the rule codes
    # above also say why a worker may not take a session: ``SESSION_PROBLEMS``)
    NO_KEY_WORKER = "NO_KEY_WORKER"  # the child has no key worker then
    WEEK_FULL = "WEEK_FULL"  # the key worker's hours for the week are booked
    NO_SLOT = "NO_SLOT"  # no free slot with the key worker that the child can make
    KEY_AWAY = "KEY_AWAY"  # the key worker is away (the rest of the period, days of a gap)
    TEAM_CLOSED = "TEAM_CLOSED"  # ... or their team is closed
    AWAY_AND_CLOSED = "AWAY_AND_CLOSED"  # ... or both, on different days
    PERIOD_OVER = "PERIOD_OVER"  # no day of the period is left to plan
    PLANNED_ELSEWHERE = (
        "PLANNED_ELSEWHERE"  # a cancelled fixed session's period is met on other days
    )
    NO_WORKER_FREE = "NO_WORKER_FREE"  # ... or no eligible worker is free at its time
    NO_TEAM_WORKERS = "NO_TEAM_WORKERS"  # the child's team has no workers
    NO_SKILLED_WORKER = "NO_SKILLED_WORKER"  # no worker of the team has the skills needed
    NO_SPEAKER = "NO_SPEAKER"  # ... or speaks the child's language
    NO_SKILLED_SPEAKER = "NO_SKILLED_SPEAKER"  # ... or has both
    ALL_EXCLUDED = "ALL_EXCLUDED"  # the child excluded every worker of the team
    NONE_EMPLOYED = "NONE_EMPLOYED"  # no eligible worker is employed then
    ALL_AT_LIMIT = "ALL_AT_LIMIT"  # every eligible worker is at their caseload limit


# the codes that say why a key worker changed (a finding's reason)
CHANGE_CAUSES = frozenset(
    {
        Reason.EXCLUDED,
        Reason.CASE_RECORD,
        Reason.PIN,
        Reason.PIN_FROM,
        Reason.NO_PREVIOUS,
        Reason.NOT_A_WORKER,
        Reason.LEFT,
        Reason.NOT_STARTED,
        Reason.TEAM,
        Reason.ABSENT,
        Reason.CLOSED,
        Reason.SKILL,
        Reason.LANGUAGE,
        Reason.CASELOAD,
        Reason.HOURS,
        Reason.TEAM_CASELOADS,
    }
)

# why a worker may not take a child's session on a day (rules 2 and 3)
SESSION_PROBLEMS = frozenset(
    {
        Reason.NOT_A_WORKER,
        Reason.LEFT,
        Reason.NOT_STARTED,
        Reason.CLOSED,
        Reason.ABSENT,
        Reason.EXCLUDED,
        Reason.SKILL,
        Reason.LANGUAGE,
    }
)
# the codes of each other finding's reason (``solver/findings``)
COVER_CAUSES = SESSION_PROBLEMS | {Reason.NO_KEY_WORKER, Reason.WEEK_FULL, Reason.NO_SLOT}
UNMET_CAUSES = frozenset(
    {
        Reason.NO_KEY_WORKER,
        Reason.TEAM_CLOSED,
        Reason.KEY_AWAY,
        Reason.PERIOD_OVER,
        Reason.NO_SLOT,
    }
)
GAP_CAUSES = frozenset(
    {Reason.TEAM_CLOSED, Reason.KEY_AWAY, Reason.AWAY_AND_CLOSED, Reason.NO_SLOT}
)
# a fixed session moved or cancelled: the problem, then what became of its period
FROZEN_CAUSES = SESSION_PROBLEMS | {Reason.PLANNED_ELSEWHERE, Reason.NO_WORKER_FREE}
UNALLOCATED_CAUSES = frozenset(
    {
        Reason.NO_TEAM_WORKERS,
        Reason.NO_SKILLED_WORKER,
        Reason.NO_SPEAKER,
        Reason.NO_SKILLED_SPEAKER,
        Reason.ALL_EXCLUDED,
        Reason.NONE_EMPLOYED,
        Reason.ALL_AT_LIMIT,
    }
)
LEAVING_CAUSES = frozenset({Reason.LEFT})  # a key worker leaves inside the horizon


@dataclass(frozen=True, slots=True)
class Cause:
    """A reason code with the facts that fill its message."""

    reason: Reason
    facts: Facts = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Term:
    """One named penalty: ``weight`` per unit of the variable ``name`` at goal ``level``."""

    name: str
    level: int
    weight: int
    reason: Reason | None
    facts: Facts


@dataclass(frozen=True, slots=True)
class Paid:
    """A term the solution paid: its variable's ``value`` (1 for a true literal)."""

    term: Term
    value: int

    @property
    def cost(self) -> int:
        return self.term.weight * self.value

    @property
    def cause(self) -> Cause | None:
        return None if self.term.reason is None else Cause(self.term.reason, self.term.facts)


def literal_value(values: list[int], literal: Lit) -> int:
    """The value of ``literal`` (a variable or a negated Boolean) in a whole solution."""
    index = literal.index
    if index < 0:
        return 1 - values[-index - 1]
    return values[index]


_NO_FACTS: Facts = {}


@dataclass
class Level:
    """One goal level: named weighted terms (``var * weight``), all weights positive.

    ``variables`` and ``weights`` are the objective; the reason and facts of each
    term sit beside them (the timetable adds hundreds of thousands of terms, so a
    ``Term`` record is only made when a solution is read back).
    """

    level: int
    name: str
    relative_gap: float = 0.0  # stop once within this share of the bound (lowest levels only)
    # a start for this level's solve instead of the level above's optimum (which is
    # arbitrary as far as this level goes); it must already meet the levels above
    restart_hint: list[tuple[cp_model.IntVar, int]] | None = None
    # a start built from the level above's solution (a repair of it, say): taken
    # instead of that solution, or of ``restart_hint``, where it is feasible for the
    # levels above and better at this one
    restart_from: Callable[[list[int]], list[tuple[cp_model.IntVar, int]] | None] | None = None
    # minimise M * this level + the next one (M above anything the next can reach):
    # still exactly this level's optimum, but among its optima the next level's best;
    # used where the next level is small (stability), so an equal-valued move is not taken
    tie_break_next: bool = False
    variables: list[cp_model.IntVar] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)
    reasons: list[Reason | None] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)
    # zero-weight terms: read back, never priced (see the module docstring)
    noted: list[tuple[Lit, Reason, Facts]] = field(default_factory=list)

    def add(
        self,
        var: cp_model.IntVar,
        weight: int,
        reason: Reason | None = None,
        facts: Facts | None = None,
    ) -> None:
        if weight:
            self.variables.append(var)
            self.weights.append(weight)
            self.reasons.append(reason)
            self.facts.append(_NO_FACTS if facts is None else facts)

    def note(self, literal: Lit, reason: Reason, facts: Facts) -> None:
        """Keep ``literal`` for the read-back without pricing it."""
        self.noted.append((literal, reason, facts))

    def value_at(self, known: Mapping[int, int]) -> int:
        """This level's cost at the values ``known`` by variable index (a hint, say)."""
        return sum(
            weight * known[var.index]
            for var, weight in zip(self.variables, self.weights, strict=True)
        )

    def paid(self, values: list[int]) -> list[Paid]:
        """The terms ``values`` (a whole solution) pays at this level, noted ones included."""
        out: list[Paid] = []
        for var, weight, reason, facts in zip(
            self.variables, self.weights, self.reasons, self.facts, strict=True
        ):
            value = literal_value(values, var)
            if value:
                out.append(Paid(Term(var.name, self.level, weight, reason, facts), value))
        for literal, reason, facts in self.noted:
            value = literal_value(values, literal)
            if value:
                out.append(Paid(Term(_name(literal), self.level, 0, reason, facts), value))
        return out


def _name(literal: Lit) -> str:
    return str(literal)  # a variable's name, ``not(name)`` for a negated Boolean


def paid(levels: list[Level], values: list[int]) -> list[Paid]:
    """What a solution paid on every level, level by level."""
    return [p for level in levels for p in level.paid(values)]
