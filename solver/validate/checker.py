"""``validate``: every hard rule of SPEC.md, rechecked on a plan without CP-SAT."""

from __future__ import annotations

from dataclasses import replace

from solver.instance import Instance
from solver.solution import Solution
from solver.validate import plan_rules, session_rules
from solver.validate.reading import Reading, utc
from solver.validate.violation import Violation


def validate(instance: Instance, solution: Solution) -> list[Violation]:
    """One ``Violation`` per broken rule instance; none means the plan may be committed."""
    r = Reading(instance)
    sessions = tuple(replace(s, start=utc(s.start), end=utc(s.end)) for s in solution.sessions)
    solution = replace(solution, sessions=sessions)
    return [
        *plan_rules.session_ids(r, solution),
        *session_rules.rule_1(r, sessions),
        *session_rules.rules_2_3(r, sessions),
        *plan_rules.case_holders(r, solution.allocations),
        *session_rules.rule_4(r, sessions),
        *session_rules.rule_5(r, sessions),
        *session_rules.rule_6(r, sessions),
        *plan_rules.rule_7(r, solution.allocations),
        *plan_rules.rule_8(r, solution),
        *plan_rules.period_counts(r, sessions),
    ]
