"""Seeded scenario generator for the solver benchmarks and the property tests.

Sizes: ``team`` = 12 workers x 90 children, ``service`` = 60 x 600 (5 teams),
``la`` (local authority) = 300 x 3,000 (25 teams). Every shape SPEC's input
files allow is reachable through a named knob of ``Knobs``, and the default mix
of each size draws from all of them: plans of 1..7 sessions every 1..8 weeks,
plans that end and plans replaced mid-horizon by one with another period,
absences from a day to the whole horizon and across it, sickness inside the
freeze window, leavers and starters inside the horizon, new referrals, children
excluding their current key worker, wishes, language, skill and BSL needs,
children without coordinates, evening and weekend-only availability, a horizon
over a clock change, and a re-plan started mid-week with sessions already held.

``replan_instance`` turns a solved plan into the next re-plan's input (the plan
committed, time moved on), for the shapes only a committed plan has.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from solver import (
    Absence,
    Child,
    CurrentAllocation,
    ExistingSession,
    Instance,
    Solution,
    SupportPlan,
    Window,
    Worker,
)

SIZES = {"team": (12, 90), "service": (60, 600), "la": (300, 3000)}
WORKERS_PER_TEAM = 12
LONDON = ZoneInfo("Europe/London")
# A Monday in winter; the clock-change horizon starts two weeks before 2027-03-28.
WINTER_MONDAY = dt.date(2027, 1, 4)
DST_MONDAY = dt.date(2027, 3, 15)
# Kept for callers that build on the weekly January shape.
MONDAY = WINTER_MONDAY
NOW = dt.datetime(2027, 1, 3, 23, 0, tzinfo=dt.UTC)
LANGUAGES = ("pa", "ur", "pl", "so")


@dataclass(frozen=True, slots=True)
class Knobs:
    """Each knob is the share (0..1) of workers, children or plans of one shape."""

    # -- the horizon
    weeks: int = 4
    dst: bool = True  # the horizon spans the spring clock change
    midweek_start_days: int = 3  # 0 = Monday; 3 = the re-plan starts on a Thursday
    held_sessions: float = 0.7  # children with sessions held earlier in the current period
    # -- plans
    multi_week_plans: float = 0.4  # every_weeks 2..8
    many_sessions: float = 0.12  # sessions 3..7 a period
    plan_ends: float = 0.05  # ends inside the horizon, nothing after
    plan_replaced: float = 0.06  # ends inside the horizon, another period length after
    plan_starts_later: float = 0.03  # an existing child whose next plan starts mid-horizon
    long_sessions: float = 0.1  # 120..240 minutes
    # -- workers
    leave: float = 0.2  # a day to two weeks of leave
    long_absence: float = 0.04  # off from before the horizon to after it
    part_horizon_absence: float = 0.05  # off for two to three weeks of it
    sick_in_freeze: float = 0.05  # falls sick inside the freeze window
    leavers: float = 0.06  # end_date inside the horizon
    starters: float = 0.04  # start_date inside the horizon
    evening_workers: float = 0.12  # 14:00-22:00
    weekend_workers: float = 0.08  # Saturday and Sunday plus three weekdays
    # -- children
    new_referrals: float = 0.1
    exclude_current: float = 0.03  # the child asks not to see their key worker again
    exclude_other: float = 0.04
    preferred_worker: float = 0.06
    preferred_gender: float = 0.15
    language_need: float = 0.05
    skill_need: float = 0.2  # per skill: cse, missing
    bsl_need: float = 0.02
    no_coordinates: float = 0.1
    school_age: float = 0.55  # weekdays 15:00-19:00
    evening_children: float = 0.07  # 17:00-21:00
    weekend_children: float = 0.05  # Saturday and Sunday only

    @classmethod
    def weekly(cls) -> Knobs:
        """The one shape the first benchmarks had: weekly plans, short absences, Monday start."""
        return cls(
            dst=False,
            midweek_start_days=0,
            held_sessions=0.0,
            multi_week_plans=0.2,
            many_sessions=0.0,
            plan_replaced=0.0,
            plan_starts_later=0.0,
            long_absence=0.0,
            part_horizon_absence=0.0,
            sick_in_freeze=0.0,
            starters=0.0,
            evening_workers=0.0,
            weekend_workers=0.0,
            exclude_current=0.0,
            bsl_need=0.0,
            no_coordinates=0.0,
            evening_children=0.0,
            weekend_children=0.0,
        )


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    instance: Instance


def _windows(days: list[int] | range, start: int, end: int) -> tuple[Window, ...]:
    return tuple(Window(d, dt.time(start), dt.time(end)) for d in days)


def _day(base: dt.date, offset: int) -> dt.date:
    return base + dt.timedelta(days=offset)


class _Generator:
    def __init__(self, knobs: Knobs, rng: random.Random) -> None:
        self.k = knobs
        self.rng = rng
        monday = DST_MONDAY if knobs.dst else WINTER_MONDAY
        self.start = _day(monday, knobs.midweek_start_days)
        self.end = _day(self.start, 7 * knobs.weeks - 1)
        # the evening before the horizon, local 23:00
        eve = dt.datetime.combine(_day(self.start, -1), dt.time(23), LONDON)
        self.now = eve.astimezone(dt.UTC)
        self.today = _day(self.start, -1)

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    # -- workers -------------------------------------------------------------
    def availability(self) -> tuple[Window, ...]:
        k, rng = self.k, self.rng
        roll = rng.random()
        if roll < k.evening_workers:
            return _windows(range(5), 14, 22)
        roll -= k.evening_workers
        if roll < k.weekend_workers:
            return _windows([*sorted(rng.sample(range(5), 3)), 5, 6], 10, 18)
        shift = rng.random()
        if shift < 0.5:
            return _windows(range(5), 9, 17)
        if shift < 0.85:
            return _windows(range(5), 12, 20)
        return _windows(sorted(rng.sample(range(5), 3)), 10, 19)

    def absences(self) -> tuple[Absence, ...]:
        k, rng = self.k, self.rng
        span = 7 * k.weeks
        out: list[Absence] = []
        if self.chance(k.leave):
            first = _day(self.start, rng.randrange(-7, span))
            out.append(Absence(first, _day(first, rng.randrange(0, 14))))
        if self.chance(k.long_absence):
            out.append(
                Absence(
                    _day(self.start, -rng.randrange(1, 40)), _day(self.end, rng.randrange(1, 40))
                )
            )
        elif self.chance(k.part_horizon_absence):
            first = _day(self.start, rng.randrange(-5, 10))
            out.append(Absence(first, _day(first, rng.randrange(14, 22))))
        if self.chance(k.sick_in_freeze):
            first = _day(self.today, rng.randrange(0, 2))
            out.append(Absence(first, _day(first, rng.randrange(0, 5))))
        return tuple(_merged(out))

    def worker(self, ref: str, team: str, base: tuple[float, float]) -> Worker:
        k, rng = self.k, self.rng
        start_date = end_date = None
        if self.chance(k.leavers):
            end_date = _day(self.start, rng.randrange(3, 7 * k.weeks - 2))
        elif self.chance(k.starters):
            start_date = _day(self.start, rng.randrange(1, 7 * k.weeks - 3))
        skills = {
            s
            for s in ("cse", "missing", "bsl")
            if self.chance({"cse": 0.6, "missing": 0.5, "bsl": 0.15}[s])
        }
        languages = {"en"} | ({rng.choice(LANGUAGES)} if self.chance(0.3) else set())
        return Worker(
            ref=ref,
            team=team,
            hours_per_week=rng.choice([22.5, 30.0, 30.0, 37.5]),
            max_caseload=rng.choice([10, 11, 12]),
            skills=frozenset(skills),
            languages=frozenset(languages),
            gender=rng.choice(["f", "f", "m"]),
            availability=self.availability(),
            lat=base[0] + rng.uniform(-0.03, 0.03),
            lon=base[1] + rng.uniform(-0.04, 0.04),
            start_date=start_date,
            end_date=end_date,
            absences=self.absences(),
            name=f"Worker {ref}",
        )

    # -- children and plans --------------------------------------------------
    def child_availability(self) -> tuple[Window, ...]:
        k, rng = self.k, self.rng
        roll = rng.random()
        if roll < k.weekend_children:
            return _windows([5, 6], 10, 16)
        roll -= k.weekend_children
        if roll < k.evening_children:
            return _windows(range(7), 17, 21)
        roll -= k.evening_children
        if roll < k.school_age:
            return _windows(range(5), 15, 19)
        return ()

    def pattern(self) -> tuple[int, int, int, int]:
        """sessions, every_weeks, session_minutes, max_gap_days"""
        k, rng = self.k, self.rng
        every = rng.choice([2, 2, 2, 3, 4, 4, 6, 8]) if self.chance(k.multi_week_plans) else 1
        sessions = rng.randrange(3, 8) if self.chance(k.many_sessions) else rng.choice([1, 1, 2])
        if every > 1 and sessions > every:  # a plan of 7 every 8 weeks is rare; keep it possible
            sessions = rng.randrange(1, every + 1) if not self.chance(0.1) else sessions
        if self.chance(k.long_sessions):
            minutes = rng.choice([120, 150, 180, 240])
        else:
            minutes = rng.choice([30, 45, 60, 60, 60, 90])
        spacing = 7 * every / sessions
        gap = rng.choice([14, max(7, round(2 * spacing)), max(7, round(1.5 * spacing) + 7)])
        return sessions, every, minutes, gap

    def plans_for(self, ref: str, new_referral: bool) -> list[SupportPlan]:
        k, rng = self.k, self.rng
        span = 7 * self.k.weeks
        sessions, every, minutes, gap = self.pattern()
        if new_referral:
            start = _day(self.start, rng.randrange(0, 10))
        else:
            start = _day(self.start, -rng.randrange(1, 200))
        roll = rng.random()
        if roll < k.plan_replaced:
            change = _day(self.start, rng.randrange(2, span - 3))
            change = max(change, _day(start, 1))
            first = SupportPlan(ref, start, change, sessions, every, minutes, gap)
            s2, e2, m2, g2 = self.pattern()
            if e2 == every:
                e2 = every % 8 + 1
            return [first, SupportPlan(ref, _day(change, 1), None, s2, e2, m2, g2)]
        roll -= k.plan_replaced
        if roll < k.plan_ends:
            end = _day(self.start, rng.randrange(0, span - 1))
            return [SupportPlan(ref, start, max(start, end), sessions, every, minutes, gap)]
        roll -= k.plan_ends
        if roll < k.plan_starts_later and not new_referral:
            # the last plan ended before the horizon; the next starts inside it
            ended = _day(self.start, -rng.randrange(1, 20))
            nxt = _day(self.start, rng.randrange(1, span - 5))
            return [
                SupportPlan(ref, min(start, _day(ended, -1)), ended, sessions, every, minutes, gap),
                SupportPlan(ref, nxt, None, *self.pattern()),
            ]
        return [SupportPlan(ref, start, None, sessions, every, minutes, gap)]


def _merged(absences: list[Absence]) -> list[Absence]:
    """Absences of one worker as SPEC's import keeps them: by start day, never overlapping."""
    out: list[Absence] = []
    for a in sorted(absences, key=lambda a: a.start):
        if out and a.start <= _day(out[-1].end, 1):
            out[-1] = Absence(out[-1].start, max(out[-1].end, a.end))
        else:
            out.append(a)
    return out


def make_instance(
    n_workers: int, n_children: int, knobs: Knobs | None = None, seed: int = 1
) -> Instance:
    """A seeded instance of ``n_workers`` x ``n_children`` in teams of twelve workers."""
    knobs = knobs or Knobs()
    rng = random.Random(seed)
    gen = _Generator(knobs, rng)
    n_teams = max(1, n_workers // WORKERS_PER_TEAM)
    per_team_workers = max(1, n_workers // n_teams)
    workers: list[Worker] = []
    children: list[Child] = []
    plans: list[SupportPlan] = []
    held: list[ExistingSession] = []
    for t in range(n_teams):
        team = f"T{t + 1:02d}"
        base = (51.3 + 0.1 * (t % 5), -0.5 + 0.15 * (t // 5))
        team_workers = [
            gen.worker(f"W{t * per_team_workers + k + 1:04d}", team, base)
            for k in range(per_team_workers)
        ]
        workers += team_workers
        refs = [w.ref for w in team_workers]
        load = dict.fromkeys(refs, 0)
        per_team = n_children // n_teams
        for k in range(per_team):
            ref = f"YP-{t * per_team + k + 1:05d}"
            child, child_plans = _child(
                gen, ref, team=team, base=base, team_workers=team_workers, load=load
            )
            children.append(child)
            plans += child_plans
            held += _held_sessions(gen, child, child_plans, {w.ref: w for w in team_workers})
    return Instance(
        workers=tuple(workers),
        children=tuple(children),
        plans=tuple(plans),
        existing_sessions=tuple(sorted(held, key=lambda s: (s.start, s.id))),
        now=gen.now,
        horizon_start=gen.start,
        weeks=knobs.weeks,
    )


def _child(
    gen: _Generator,
    ref: str,
    *,
    team: str,
    base: tuple[float, float],
    team_workers: list[Worker],
    load: dict[str, int],
) -> tuple[Child, list[SupportPlan]]:
    k, rng = gen.k, gen.rng
    refs = [w.ref for w in team_workers]
    needs = {s for s in ("cse", "missing") if gen.chance(k.skill_need)}
    if gen.chance(k.bsl_need):
        needs.add("bsl")
    language = rng.choice(LANGUAGES) if gen.chance(k.language_need) else None
    fit = [
        w
        for w in team_workers
        if needs <= w.skills
        and (language is None or language in w.languages)
        and (w.start_date is None or w.start_date <= gen.start)
    ]
    new_referral = gen.chance(k.new_referrals) or not fit
    current = since = last_contact = None
    if not new_referral:
        fit.sort(key=lambda w: (load[w.ref] >= w.max_caseload - 1, rng.random()))
        current = fit[0].ref
        load[current] += 1
        since = _day(gen.start, -rng.randrange(30, 700))
        last_contact = _day(gen.start, -rng.randrange(1, 10))
    excluded: set[str] = set()
    if current is not None and gen.chance(k.exclude_current):
        excluded.add(current)
    if gen.chance(k.exclude_other):
        excluded.add(rng.choice(refs))
    preferred = ()
    if gen.chance(k.preferred_worker):
        choice = rng.choice(refs)
        if choice not in excluded:
            preferred = (choice,)
    no_place = gen.chance(k.no_coordinates)
    child = Child(
        ref=ref,
        team=team,
        required_skills=frozenset(needs),
        language=language,
        preferred_gender=rng.choice(["f", "m"]) if gen.chance(k.preferred_gender) else None,
        preferred_workers=preferred,
        excluded_workers=frozenset(excluded),
        availability=gen.child_availability(),
        lat=None if no_place else base[0] + rng.uniform(-0.04, 0.04),
        lon=None if no_place else base[1] + rng.uniform(-0.06, 0.06),
        risk=rng.choices(["high", "medium", "low"], [0.2, 0.5, 0.3])[0],
        current_key_worker=current,
        key_worker_since=since,
        known_workers=frozenset(rng.sample(refs, rng.randrange(0, 3))),
        last_key_worker_contact=last_contact,
    )
    return child, gen.plans_for(ref, new_referral)


def _held_sessions(
    gen: _Generator, child: Child, plans: list[SupportPlan], workers: dict[str, Worker]
) -> list[ExistingSession]:
    """Sessions the current key worker already held this period, before ``now``."""
    key = child.current_key_worker
    if key is None or not gen.chance(gen.k.held_sessions):
        return []
    worker = workers[key]
    out: list[ExistingSession] = []
    for plan in plans:
        if not plan.in_force(gen.today):
            continue
        origin = plan.start_date - dt.timedelta(days=plan.start_date.weekday())
        length = 7 * plan.every_weeks
        period_first = _day(origin, (gen.today - origin).days // length * length)
        days = [
            _day(period_first, i)
            for i in range((gen.today - period_first).days + 1)
            if plan.in_force(_day(period_first, i)) and _works(worker, _day(period_first, i))
        ]
        # never more than the period requires (SPEC's ceil(sessions * f))
        in_force = sum(1 for i in range(length) if plan.in_force(_day(period_first, i)))
        required = -(-plan.sessions * in_force // length)
        count = gen.rng.randrange(0, required + 1)
        for n, day in enumerate(sorted(gen.rng.sample(days, min(count, len(days))))):
            start = dt.datetime.combine(day, dt.time(16), LONDON)
            out.append(
                ExistingSession(
                    id=f"held-{child.ref}-{n}",
                    child=child.ref,
                    worker=key,
                    with_worker=None,
                    start=start.astimezone(dt.UTC),
                    end=(start + dt.timedelta(minutes=plan.session_minutes)).astimezone(dt.UTC),
                )
            )
    return out


def _works(worker: Worker, day: dt.date) -> bool:
    if worker.start_date is not None and day < worker.start_date:
        return False
    if worker.end_date is not None and day > worker.end_date:
        return False
    return not any(a.start <= day <= a.end for a in worker.absences)


def make_scenario(size: str, seed: int = 1, knobs: Knobs | None = None) -> Scenario:
    n_workers, n_children = SIZES[size]
    return Scenario(size, make_instance(n_workers, n_children, knobs, seed))


def replan_instance(
    instance: Instance,
    solution: Solution,
    *,
    days_later: int,
    weeks: int | None = None,
    **changes: object,
) -> Instance:
    """The input of a re-plan ``days_later`` days on, with ``solution`` the committed plan.

    Sessions before the new ``now`` are held; the rest are the current plan's. The new
    horizon starts on the new local day, whatever weekday that is.
    """
    tz = instance.tz
    now = instance.now + dt.timedelta(days=days_later)
    start = (now.astimezone(tz) + dt.timedelta(hours=1)).date()
    existing = tuple(
        ExistingSession(s.id, s.child, s.worker, s.with_worker, s.start, s.end, s.locked)
        for s in solution.sessions
    )
    history = tuple(s for s in instance.existing_sessions if s.id not in {e.id for e in existing})
    current = tuple(
        CurrentAllocation(a.child, a.key_worker, a.secondary_worker, a.start, a.end)
        for a in solution.allocations
    )
    keys: dict[str, str | None] = {}
    for a in solution.allocations:
        if a.start <= start:
            keys[a.child] = a.key_worker
    children = tuple(
        replace(c, current_key_worker=keys.get(c.ref, c.current_key_worker))
        for c in instance.children
    )
    return replace(
        instance,
        children=children,
        existing_sessions=tuple(sorted(existing + history, key=lambda s: (s.start, s.id))),
        current_allocations=current,
        now=now,
        horizon_start=start,
        weeks=weeks if weeks is not None else instance.weeks,
        **changes,  # type: ignore[arg-type]
    )
