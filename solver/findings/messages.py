"""The words of each reason code: code -> message template, filled with the cause's facts.

A reworded reason is one line here; a new code needs its line (the tests check that
every code of ``solver.terms.CHANGE_CAUSES`` has one). Dates read as ISO days.
"""

from __future__ import annotations

import datetime as dt

from solver.terms import Cause, Fact, Reason

# why a key worker changed: the end of "<child>: key worker A -> B from <day> because ..."
CHANGE_MESSAGES: dict[Reason, str] = {
    Reason.EXCLUDED: "{child} has excluded {old} (excluded_workers)",
    Reason.CASE_RECORD: "the case record changed it ({record})",
    Reason.PIN: "{child} was pinned to {pinned} by the manager",
    Reason.PIN_FROM: "{child} was pinned to {pinned} from {since} by the manager",
    Reason.NO_PREVIOUS: "there was no key worker before",
    Reason.NOT_A_WORKER: "{old} is no longer a worker",
    Reason.LEFT: "{old} leaves on {end}",
    Reason.NOT_STARTED: "{old} only starts on {start}",
    Reason.TEAM: "{old} is no longer in team {team}",
    Reason.ABSENT: "{old} is absent on {day}",
    Reason.CLOSED: "{old}'s team {team} is closed on {day} ({closure})",
    Reason.SKILL: "{old} lacks the newly required skill {skills}",
    Reason.LANGUAGE: "{old} does not speak {language}",
    Reason.CASELOAD: "{old} is at the caseload limit of {limit}",
    Reason.HOURS: "{old}'s weekly hours cannot hold all their children's sessions",
    Reason.TEAM_CASELOADS: "the team's caseloads could not otherwise be met",
}


def _text(fact: Fact) -> str:
    return fact.isoformat() if isinstance(fact, dt.date) else str(fact)


def change_message(cause: Cause) -> str:
    """The reason of a KEYWORKER_CHANGE finding (and of the allocation) in words."""
    return CHANGE_MESSAGES[cause.reason].format_map(
        {name: _text(fact) for name, fact in cause.facts.items()}
    )
