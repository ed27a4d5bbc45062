"""Every finding's reason is a code and its facts, put in words by its kind's table (#14).

Each table has words for every code its classifier can give, and they fill from the
facts that classifier gives; the classifiers pick the expected code on small
contexts, and real solves carry the code on their COVER, UNMET_SESSIONS,
CONTACT_GAP, FROZEN_CHANGE and UNALLOCATED findings, worded as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from string import Formatter

import pytest
from solver_builders import (
    MONDAY,
    at,
    make_child,
    make_instance,
    make_plan,
    make_session,
    make_worker,
    solve_valid,
)

from solver import Absence, Finding, Instance
from solver.context import Context
from solver.eligibility import skill_cause
from solver.findings import (
    COVER_MESSAGES,
    FROZEN_MESSAGES,
    GAP_MESSAGES,
    LEAVING_MESSAGES,
    PROBLEM_MESSAGES,
    UNALLOCATED_MESSAGES,
    UNMET_MESSAGES,
    in_words,
    problem_message,
    unallocated_cause,
)
from solver.instance import Child, Worker, in_utc
from solver.terms import (
    COVER_CAUSES,
    FROZEN_CAUSES,
    GAP_CAUSES,
    LEAVING_CAUSES,
    SESSION_PROBLEMS,
    UNALLOCATED_CAUSES,
    UNMET_CAUSES,
    Cause,
    Fact,
    Reason,
)

# the facts each classifier gives (a code uses some of them)
_PROBLEM: dict[str, Fact] = {
    "worker": "W1",
    "child": "YP-1",
    "day": MONDAY,
    "end": MONDAY,
    "start": MONDAY,
    "team": "A",
    "closure": "bank holiday",
    "skills": "bsl",
    "language": "pl",
}
_PERIOD: dict[str, Fact] = {"child": "YP-1", "worker": "W1", "first": MONDAY, "last": MONDAY}
_TABLES: dict[str, tuple[Mapping[Reason, str], frozenset[Reason], dict[str, Fact]]] = {
    "problem": (PROBLEM_MESSAGES, SESSION_PROBLEMS, _PROBLEM),
    "cover": (COVER_MESSAGES, COVER_CAUSES, {**_PROBLEM, "week": MONDAY}),
    "unmet": (UNMET_MESSAGES, UNMET_CAUSES, _PERIOD),
    "gap": (GAP_MESSAGES, GAP_CAUSES, {**_PERIOD, "away": 3, "closed": 2}),
    "frozen": (FROZEN_MESSAGES, FROZEN_CAUSES, _PROBLEM),
    "unallocated": (
        UNALLOCATED_MESSAGES,
        UNALLOCATED_CAUSES,
        {
            "child": "YP-1",
            "team": "A",
            "day": MONDAY,
            "skills": "bsl",
            "language": "pl",
            "count": 2,
            "workers": "W1, W2",
        },
    ),
    "leaving": (
        LEAVING_MESSAGES,
        LEAVING_CAUSES,
        {"worker": "W1", "end": MONDAY, "children": "YP-1, YP-2"},
    ),
}
_CODES = [(kind, reason) for kind, (_, codes, _) in _TABLES.items() for reason in sorted(codes)]


@pytest.mark.parametrize("kind", sorted(_TABLES))
def test_every_code_a_finding_kind_can_give_has_its_words(kind: str) -> None:
    table, codes, _ = _TABLES[kind]
    assert set(table) == set(codes)


@pytest.mark.parametrize(("kind", "reason"), _CODES)
def test_each_finding_message_fills_from_the_facts_its_classifier_gives(
    kind: str, reason: Reason
) -> None:
    table, _, facts = _TABLES[kind]
    names = {name for _, name, _, _ in Formatter().parse(table[reason]) if name}
    assert names <= set(facts), names - set(facts)
    text = in_words(table, Cause(reason, facts))
    assert text and "{" not in text
    assert "2027-01-04" in text or not names & {"day", "end", "start", "week"}


def test_the_finding_s_code_is_out_of_its_repr_and_its_comparison() -> None:
    plain = Finding("COVER", "low", "YP-1", "W2", "S1", MONDAY, MONDAY, "words")
    coded = dataclasses.replace(plain, reason_code="ABSENT")
    assert repr(coded) == repr(plain) and coded == plain
    assert hash(coded) == hash(plain)


# -- the classifiers on small contexts


def _ctx(instance: Instance) -> Context:
    return Context(in_utc(instance))


@pytest.mark.parametrize(
    ("worker", "reason", "words"),
    [
        (make_worker("W1", end_date=MONDAY), Reason.LEFT, "W1 left on 2027-01-04"),
        (
            make_worker("W1", start_date=MONDAY + dt.timedelta(days=2)),
            Reason.NOT_STARTED,
            "W1 starts on 2027-01-06",
        ),
        (
            make_worker("W1", absences=(Absence(MONDAY, MONDAY + dt.timedelta(days=3)),)),
            Reason.ABSENT,
            "W1 is absent on 2027-01-05",
        ),
        (
            make_worker(
                "W1",
                absences=(Absence(MONDAY, MONDAY + dt.timedelta(days=3), closure="team day"),),
            ),
            Reason.CLOSED,
            "W1's team A is closed on 2027-01-05 (team day)",
        ),
        (make_worker("W1", languages=frozenset({"en"})), Reason.LANGUAGE, "W1 does not speak pl"),
    ],
)
def test_session_problem_gives_the_rule_that_binds_with_its_facts(
    worker: Worker, reason: Reason, words: str
) -> None:
    ctx = _ctx(make_instance([worker], [make_child("YP-1", language="pl")]))
    tuesday = MONDAY + dt.timedelta(days=1)
    cause = ctx.session_problem("W1", "YP-1", tuesday)
    assert cause is not None and cause.reason is reason
    assert problem_message(cause) == words
    assert ctx.session_problem("W9", "YP-1", tuesday) == Cause(
        Reason.NOT_A_WORKER, {"worker": "W9", "child": "YP-1", "day": tuesday}
    )
    assert ctx.session_problem(None, "YP-1", tuesday) is None


def test_skill_causes_keep_their_words_for_the_suggestions() -> None:
    def skill_problem(worker: Worker, child: Child) -> str | None:
        cause = skill_cause(worker, child)
        return None if cause is None else problem_message(cause)

    worker = make_worker("W1")
    child = make_child("YP-1", required_skills=frozenset({"bsl", "asd"}))
    assert skill_problem(worker, child) == "W1 lacks the required skill asd, bsl"
    assert skill_cause(worker, child) == Cause(
        Reason.SKILL, {"worker": "W1", "child": "YP-1", "skills": "asd, bsl"}
    )
    excluded = make_child("YP-1", excluded_workers=frozenset({"W1"}))
    assert skill_problem(worker, excluded) == "W1 is excluded for YP-1"
    assert skill_problem(worker, make_child("YP-1")) is None


@pytest.mark.parametrize(
    ("child", "reason", "words"),
    [
        (
            make_child("YP-1", required_skills=frozenset({"bsl"}), language="pl"),
            Reason.NO_SKILLED_SPEAKER,
            "no worker in team A has the skills bsl and the language pl",
        ),
        (
            make_child("YP-1", required_skills=frozenset({"bsl"})),
            Reason.NO_SKILLED_WORKER,
            "no worker in team A has the skills bsl",
        ),
        (
            make_child("YP-1", language="pl"),
            Reason.NO_SPEAKER,
            "no worker in team A has the language pl",
        ),
        (
            make_child("YP-1", excluded_workers=frozenset({"W1"})),
            Reason.ALL_EXCLUDED,
            "no worker in team A has an unexcluded worker",
        ),
        (
            make_child("YP-1", team="B"),
            Reason.NO_TEAM_WORKERS,
            "team B has no workers",
        ),
    ],
)
def test_unallocated_cause_says_what_nobody_in_the_team_has(
    child: Child, reason: Reason, words: str
) -> None:
    ctx = _ctx(make_instance([make_worker("W1")], [child]))
    cause = unallocated_cause(ctx, "YP-1", MONDAY)
    assert cause.reason is reason
    assert in_words(UNALLOCATED_MESSAGES, cause) == words


# -- real solves: the finding carries its code, worded as before


def _only(findings: tuple[Finding, ...], kind: str) -> Finding:
    (found,) = [f for f in findings if f.kind == kind]
    return found


def test_a_session_covered_for_an_absent_key_worker_carries_absent() -> None:
    week = Absence(MONDAY, MONDAY + dt.timedelta(days=6))
    instance = make_instance(
        [make_worker("W1", absences=(week,)), make_worker("W2"), make_worker("W3")],
        [make_child("YP-1", current_key_worker="W1", current_secondary_worker="W2")],
        weeks=1,
    )
    cover = _only(solve_valid(instance).findings, "COVER")
    assert cover.reason_code == Reason.ABSENT
    assert cover.message.endswith(
        f"(secondary worker) because W1 is absent on {cover.start.isoformat()}."
    )


def test_a_short_period_of_a_key_worker_with_no_room_carries_no_slot() -> None:
    instance = make_instance(
        [make_worker("W1", hours_per_week=1, max_caseload=2)],
        [
            make_child("YP-1", current_key_worker="W1", risk="low"),
            make_child("YP-2", current_key_worker="W1", risk="high"),
        ],
        weeks=1,
    )
    unmet = _only(solve_valid(instance).findings, "UNMET_SESSIONS")
    assert (unmet.child, unmet.reason_code) == ("YP-1", Reason.NO_SLOT)
    assert unmet.message.endswith("because W1 and the team have no free slot that YP-1 can make.")


def test_a_child_nobody_may_hold_carries_no_skilled_worker_and_no_key_worker() -> None:
    instance = make_instance(
        [make_worker("W1")], [make_child("YP-1", required_skills=frozenset({"bsl"}))]
    )
    findings = solve_valid(instance).findings
    unallocated = [f for f in findings if f.kind == "UNALLOCATED"]
    assert unallocated and {f.reason_code for f in unallocated} == {Reason.NO_SKILLED_WORKER}
    assert unallocated[0].message.endswith("because no worker in team A has the skills bsl.")
    unmet = [f for f in findings if f.kind == "UNMET_SESSIONS"]
    assert unmet and {f.reason_code for f in unmet} == {Reason.NO_KEY_WORKER}


def test_a_gap_while_the_key_worker_is_away_carries_key_away() -> None:
    last = MONDAY - dt.timedelta(days=5)
    away = Absence(MONDAY, MONDAY + dt.timedelta(days=20))
    instance = make_instance(
        [make_worker("W1", absences=(away,)), make_worker("W2")],
        [make_child("YP-1", current_key_worker="W1", last_key_worker_contact=last)],
        weeks=4,
    )
    gap = _only(solve_valid(instance).findings, "CONTACT_GAP")
    assert gap.reason_code == Reason.KEY_AWAY
    assert " because W1 is away on " in gap.message


def test_a_gap_over_a_closure_carries_team_closed() -> None:
    closed = Absence(MONDAY, MONDAY + dt.timedelta(days=16), closure="team A closed")
    instance = make_instance(
        [make_worker("W1", absences=(closed,))],
        [make_child("YP-1", current_key_worker="W1")],
        [make_plan("YP-1", max_gap_days=7)],
        weeks=4,
    )
    gaps = [f for f in solve_valid(instance).findings if f.kind == "CONTACT_GAP"]
    assert gaps and {g.reason_code for g in gaps} == {Reason.TEAM_CLOSED}


def test_a_frozen_session_on_a_closed_day_carries_closed() -> None:
    closed = Absence(MONDAY, MONDAY, closure="bank holiday: test day")
    instance = make_instance(
        [make_worker("W1", absences=(closed,))],
        [make_child("YP-1", current_key_worker="W1")],
        existing=[make_session("S1", "YP-1", "W1", at(MONDAY, 10))],
    )
    change = _only(solve_valid(instance).findings, "FROZEN_CHANGE")
    assert change.reason_code == Reason.CLOSED
    assert "because W1's team A is closed on 2027-01-04 (bank holiday: test day) and " in (
        change.message
    )
