"""Seeded scenario generator for the solver benchmarks.

Sizes (4-week horizon): ``team`` = 12 workers x 90 children, ``service`` = 60 x
600 (5 teams), ``la`` (local authority) = 300 x 3,000 (25 teams). Each team has
a mix of office and late shifts and part-timers, school-age children who can
only meet after 15:00, skills (cse, missing, bsl) and languages, stated wishes,
high/medium/low risk, and the disruptions the product exists for: annual leave
and sickness, a leaver inside the horizon, new referrals without a key worker,
and history (the last key-worker contact before the horizon).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from solver import Absence, Child, Instance, SupportPlan, Window, Worker

SIZES = {"team": (12, 90), "service": (60, 600), "la": (300, 3000)}
MONDAY = dt.date(2027, 1, 4)
NOW = dt.datetime(2027, 1, 3, 23, 0, tzinfo=dt.UTC)
WORKERS_PER_TEAM = 12


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    instance: Instance


def _windows(days: list[int], start: int, end: int) -> tuple[Window, ...]:
    return tuple(Window(d, dt.time(start), dt.time(end)) for d in days)


def make_scenario(size: str, seed: int = 1) -> Scenario:
    n_workers, n_children = SIZES[size]
    rng = random.Random(seed)
    n_teams = max(1, n_workers // WORKERS_PER_TEAM)
    workers: list[Worker] = []
    children: list[Child] = []
    plans: list[SupportPlan] = []
    horizon_end = MONDAY + dt.timedelta(days=27)
    for t in range(n_teams):
        team = f"T{t + 1:02d}"
        lat0, lon0 = 51.3 + 0.1 * (t % 5), -0.5 + 0.15 * (t // 5)
        refs: list[str] = []
        for k in range(WORKERS_PER_TEAM):
            ref = f"W{t * WORKERS_PER_TEAM + k + 1:04d}"
            refs.append(ref)
            shift = rng.random()
            if shift < 0.5:
                availability = _windows([0, 1, 2, 3, 4], 9, 17)
            elif shift < 0.85:
                availability = _windows([0, 1, 2, 3, 4], 12, 20)
            else:
                availability = _windows(sorted(rng.sample(range(5), 3)), 10, 19)
            absences: list[Absence] = []
            if rng.random() < 0.2:  # a week or two of annual leave
                start = MONDAY + dt.timedelta(days=rng.randrange(0, 21))
                absences.append(Absence(start, start + dt.timedelta(days=rng.choice([4, 6, 11]))))
            if rng.random() < 0.1:  # a few days off sick
                start = MONDAY + dt.timedelta(days=rng.randrange(0, 25))
                absences.append(Absence(start, start + dt.timedelta(days=rng.randrange(1, 4))))
            end_date = None
            if k == 0 and t % 2 == 0:  # one leaver in every other team
                end_date = MONDAY + dt.timedelta(days=rng.randrange(8, 20))
            skills = {
                s
                for s in ("cse", "missing", "bsl")
                if rng.random() < {"cse": 0.6, "missing": 0.5, "bsl": 0.15}[s]
            }
            languages = {"en"} | (
                {rng.choice(["pa", "ur", "pl", "so"])} if rng.random() < 0.3 else set()
            )
            workers.append(
                Worker(
                    ref=ref,
                    team=team,
                    hours_per_week=rng.choice([22.5, 30.0, 30.0, 37.5]),
                    max_caseload=rng.choice([10, 11, 12]),
                    skills=frozenset(skills),
                    languages=frozenset(languages),
                    gender=rng.choice(["f", "f", "m"]),
                    availability=availability,
                    lat=lat0 + rng.uniform(-0.03, 0.03),
                    lon=lon0 + rng.uniform(-0.04, 0.04),
                    start_date=None,
                    end_date=end_date,
                    absences=tuple(absences),
                    name=f"Worker {ref}",
                )
            )
        per_team = n_children // n_teams
        team_workers = workers[-WORKERS_PER_TEAM:]
        load = dict.fromkeys(refs, 0)
        for k in range(per_team):
            ref = f"YP-{t * per_team + k + 1:05d}"
            needs = frozenset(s for s in ("cse", "missing") if rng.random() < 0.2)
            language = rng.choice(["pa", "ur", "pl", "so"]) if rng.random() < 0.05 else None
            fit = [
                w
                for w in team_workers
                if needs <= w.skills and (language is None or language in w.languages)
            ]
            new_referral = rng.random() < 0.1 or not fit
            current = None
            since = None
            last_contact = None
            if not new_referral:
                fit.sort(key=lambda w: (load[w.ref] >= w.max_caseload - 1, rng.random()))
                current = fit[0].ref
                load[current] += 1
                since = MONDAY - dt.timedelta(days=rng.randrange(30, 700))
                last_contact = MONDAY - dt.timedelta(days=rng.randrange(1, 10))
            school_age = rng.random() < 0.6
            availability = _windows([0, 1, 2, 3, 4], 15, 19) if school_age else ()
            preferred_gender = rng.choice(["f", "m"]) if rng.random() < 0.15 else None
            preferred = (rng.choice(refs),) if rng.random() < 0.05 else ()
            known = frozenset(rng.sample(refs, rng.randrange(0, 3)))
            children.append(
                Child(
                    ref=ref,
                    team=team,
                    required_skills=needs,
                    language=language,
                    preferred_gender=preferred_gender,
                    preferred_workers=preferred,
                    excluded_workers=frozenset(rng.sample(refs, 1))
                    if rng.random() < 0.05
                    else frozenset(),
                    availability=availability,
                    lat=lat0 + rng.uniform(-0.04, 0.04),
                    lon=lon0 + rng.uniform(-0.06, 0.06),
                    risk=rng.choices(["high", "medium", "low"], [0.2, 0.5, 0.3])[0],
                    current_key_worker=current,
                    key_worker_since=since,
                    known_workers=known,
                    last_key_worker_contact=last_contact,
                )
            )
            pattern = rng.random()
            if pattern < 0.6:
                sessions, every, minutes = 1, 1, 60
            elif pattern < 0.8:
                sessions, every, minutes = 1, 2, 90
            elif pattern < 0.95:
                sessions, every, minutes = 2, 1, 60
            else:
                sessions, every, minutes = 1, 1, 120
            start = MONDAY - dt.timedelta(days=7 * rng.randrange(0, 30))
            if new_referral:
                start = MONDAY + dt.timedelta(days=rng.randrange(0, 10))
            end = (
                horizon_end - dt.timedelta(days=rng.randrange(0, 10))
                if rng.random() < 0.05
                else None
            )
            plans.append(
                SupportPlan(ref, start, end, sessions, every, minutes, rng.choice([14, 14, 21]))
            )
    instance = Instance(
        workers=tuple(workers),
        children=tuple(children),
        plans=tuple(plans),
        existing_sessions=(),
        now=NOW,
        horizon_start=MONDAY,
        weeks=4,
    )
    return Scenario(size, instance)
