"""The words of each reason code: code -> message template, filled with the cause's facts.

One table per finding kind: a code names a fact (``NO_SLOT``, ``LEFT``) and each kind
says it in its own sentence. A reworded reason is one line here; a new code needs its
line (the tests check that every code of each kind's set in ``solver.terms`` has
one). Dates read as ISO days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

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

# why a worker may not take a child's session on a day (``Context.session_problem``)
PROBLEM_MESSAGES: dict[Reason, str] = {
    Reason.NOT_A_WORKER: "{worker} is no longer a worker",
    Reason.LEFT: "{worker} left on {end}",
    Reason.NOT_STARTED: "{worker} starts on {start}",
    Reason.CLOSED: "{worker}'s team {team} is closed on {day} ({closure})",
    Reason.ABSENT: "{worker} is absent on {day}",
    Reason.EXCLUDED: "{worker} is excluded for {child}",
    Reason.SKILL: "{worker} lacks the required skill {skills}",
    Reason.LANGUAGE: "{worker} does not speak {language}",
}

# why a session is covered: "<child>'s session ... is covered by W (<role>) because ..."
COVER_MESSAGES: dict[Reason, str] = {
    Reason.NO_KEY_WORKER: "{child} has no key worker that day",
    **PROBLEM_MESSAGES,  # the key worker may not take it
    Reason.WEEK_FULL: "{worker}'s hours for the week of {week} are fully booked",
    Reason.NO_SLOT: "{worker} has no free slot that {child} can make in that period",
}

# who covers: the role in brackets of a COVER finding
COVER_ROLES: dict[str, str] = {
    "secondary": "secondary worker",
    "cover": "cover worker",
    "other_team": "cover worker from team {team}, as nobody in team {own} is free then",
}

# why a period falls short: "<child> gets n of m sessions in the period ... because ..."
UNMET_MESSAGES: dict[Reason, str] = {
    Reason.NO_KEY_WORKER: "{child} has no key worker and no one else in the team is free",
    Reason.TEAM_CLOSED: "the team is closed for the rest of the period and no cover worker is free",
    Reason.KEY_AWAY: "{worker} is away for the rest of the period and no cover worker is free",
    Reason.PERIOD_OVER: "the period is already over",
    Reason.NO_SLOT: "{worker} and the team have no free slot that {child} can make",
}

# why a contact gap is too long: "<child> goes n days without a session ... because ..."
GAP_MESSAGES: dict[Reason, str] = {
    Reason.TEAM_CLOSED: "the team is closed on {closed} of those days",
    Reason.KEY_AWAY: "{worker} is away on {away} of those days",
    Reason.AWAY_AND_CLOSED: (
        "{worker} is away on {away} and the team closed on {closed} of those days"
    ),
    Reason.NO_SLOT: "no slot with the key worker fits sooner",
}

# why a fixed session moves or is cancelled (rule 8's exception), and what then
FROZEN_MESSAGES: dict[Reason, str] = {
    **PROBLEM_MESSAGES,
    Reason.PLANNED_ELSEWHERE: "its period's sessions are planned on other days instead",
    Reason.NO_WORKER_FREE: "no eligible worker is free at that time",
}

# why a child has no key worker: "<child> has no key worker from ... to ... because ..."
UNALLOCATED_MESSAGES: dict[Reason, str] = {
    Reason.NO_TEAM_WORKERS: "team {team} has no workers",
    Reason.NO_SKILLED_WORKER: "no worker in team {team} has the skills {skills}",
    Reason.NO_SPEAKER: "no worker in team {team} has the language {language}",
    Reason.NO_SKILLED_SPEAKER: (
        "no worker in team {team} has the skills {skills} and the language {language}"
    ),
    Reason.ALL_EXCLUDED: "no worker in team {team} has an unexcluded worker",
    Reason.NONE_EMPLOYED: "no eligible worker in team {team} is employed then",
    Reason.ALL_AT_LIMIT: (
        "all {count} eligible workers in team {team} are at their caseload limit ({workers})"
    ),
}

# a key worker who leaves inside the horizon (WORKER_LEAVING, the whole message)
LEAVING_MESSAGES: dict[Reason, str] = {
    Reason.LEFT: (
        "{worker} leaves on {end} and is key worker for {children}; check the planned handovers"
    ),
}


def _text(fact: Fact) -> str:
    return fact.isoformat() if isinstance(fact, dt.date) else str(fact)


def in_words(table: Mapping[Reason, str], cause: Cause) -> str:
    """``cause`` said by ``table`` (one of the tables above), its facts filled in."""
    return table[cause.reason].format_map({name: _text(fact) for name, fact in cause.facts.items()})


def change_message(cause: Cause) -> str:
    """The reason of a KEYWORKER_CHANGE finding (and of the allocation) in words."""
    return in_words(CHANGE_MESSAGES, cause)


def problem_message(cause: Cause) -> str:
    """Why a worker may not take a session (``Context.session_problem``), in words."""
    return in_words(PROBLEM_MESSAGES, cause)


def cover_role(role: str, *, team: str, own: str) -> str:
    """The role of a COVER finding's worker: ``role`` is a key of ``COVER_ROLES``."""
    return COVER_ROLES[role].format(team=team, own=own)
