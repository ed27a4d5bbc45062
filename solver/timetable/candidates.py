"""The candidate sessions of one team's model, one method per kind: the key worker's
slots, cover where it may be needed, existing sessions kept, joint handovers,
replacements for broken fixed sessions (each a ``solver/candidates.py`` Candidate)."""

from __future__ import annotations

import datetime as dt
import itertools

from solver.allocation import pattern_slots
from solver.candidates import (
    KEY,
    OTHER,
    SECONDARY,
    Candidate,
    clashes,
    cover_workers,
    make_candidates,
)
from solver.eligibility import may_work_with
from solver.instance import ExistingSession
from solver.periods import Period, period_key
from solver.timegrid import lies_within, monday
from solver.timetable.state import COVER_STEP, KEY_STEP, OTHER_COVER_LIMIT, TeamState


class TeamCandidates(TeamState):
    """The candidate sessions (rules 1-3 hold for every one of them)."""

    def _key_is_stretched(self, child: str, key: str, day: dt.date) -> bool:
        """Whether cover may be needed for ``child`` on ``day``: the key worker is away
        that week, over their hours, or has fewer slots in the child's windows than
        their children who can only meet then need."""
        week = monday(day)
        # a closed day (a bank holiday, a team day) closes the whole team: nobody there
        # can cover it, and the key worker's other days are no less theirs
        ctx = self.ctx
        away = self._away_weeks.get((key, week))
        if away is None:  # asked for every child of the key worker's caseload, every day
            away = any(
                not ctx.at_work(key, d) and ctx.closed_on(key, d) is None
                for d in (week + dt.timedelta(days=k) for k in range(7))
            )
            self._away_weeks[(key, week)] = away
        if away:
            return True
        if self.alloc.overflow_minutes.get(key, 0) > 0:
            return True
        windows = self.ctx.children[child].availability
        if not windows:
            return False
        found = self._tight.get((key, windows))
        if found is None:
            load = 0
            for other in self.part.children:
                days = self.alloc.by_child.get(other, {})
                if self.ctx.children[other].availability == windows and any(
                    k == key for k, _ in days.values()
                ):
                    plan = self.ctx.plan_on(other, self.ctx.in_force[other][0])
                    if plan is not None:
                        load += round(4 * plan.sessions / plan.every_weeks)
            found = load > 3 * pattern_slots(self.ctx, key, child)  # within 75%: tight
            self._tight[(key, windows)] = found
        return found

    def build_candidates(self) -> None:
        """Every candidate of the team, child by child: the slots of each period's open
        days, then the handovers and the replacements for broken fixed sessions."""
        team = set(self.part.workers)  # a worker's capacity lives in one team's model
        for child in self.part.children:
            movable = self._own_sessions(child)
            for period in self.ctx.periods.get(child, []):
                self._period_candidates(child, period, movable, team)
            self._handover_candidates(child)
            self._rescue_candidates(child)

    def _period_candidates(
        self, child: str, period: Period, movable: list[ExistingSession], team: set[str]
    ) -> None:
        """The candidates of one period with room left: the existing sessions as they are
        for a child kept unchanged, else the slots of each open day."""
        ctx = self.ctx
        room = period.target - self.facts.count.get(period_key(period), 0)
        if room <= 0:
            return
        if child in self.unchanged and room <= sum(
            1 for e in movable if period.contains(ctx.local_day(e.start))
        ):
            self._existing_candidates(child, period)
            return
        for day in self._open_days(child, period):
            todays = [e for e in movable if ctx.local_day(e.start) == day]
            workers = self._allocated_workers(child, day)
            workers += self._session_workers(child, day, todays, workers, team)
            for w, role in workers:
                self._slot_candidates(child, period, day, w, role=role, todays=todays)
            self._kept_joint_candidates(child, period, day, todays, team)

    def _allocated_workers(self, child: str, day: dt.date) -> list[tuple[str, str]]:
        """Who may see ``child`` on ``day``, with their role: the key worker at work, and
        where cover may be needed the secondary at work and a few other team workers."""
        ctx = self.ctx
        key, sec = self._allocation(child, day)
        workers: list[tuple[str, str]] = []
        if key is not None and ctx.at_work(key, day):
            workers.append((key, KEY))
        needs_cover = key is None or self._key_is_stretched(child, key, day)
        if sec is not None and ctx.at_work(sec, day) and needs_cover:
            workers.append((sec, SECONDARY))
        if needs_cover:
            skip = {key or "", sec or ""}
            for w in self._cover(child, day, skip=skip, limit=OTHER_COVER_LIMIT):
                workers.append((w, OTHER))
        return workers

    def _cover(self, child: str, day: dt.date, *, skip: set[str], limit: int) -> list[str]:
        """``cover_workers`` for this team: its order (known first, then by caseload)
        does not depend on the day, so each child's is sorted once and only the day's
        absences are filtered out (a total order: filtering after sorting is the same)."""
        order = self._cover_order.get(child)
        if order is None:
            order = cover_workers(
                self.ctx,
                child=child,
                day=None,
                team_workers=self.part.workers,
                skip=set(),
                load_rank=self.load_rank,
                limit=len(self.part.workers),
            )
            self._cover_order[child] = order
        at_work = self.ctx.at_work
        out: list[str] = []
        for w in order:
            if len(out) >= limit:
                break
            if w not in skip and at_work(w, day):
                out.append(w)
        return out

    def _session_workers(
        self,
        child: str,
        day: dt.date,
        todays: list[ExistingSession],
        listed_workers: list[tuple[str, str]],
        team: set[str],
    ) -> list[tuple[str, str]]:
        """The team workers of ``child``'s existing sessions alone that day not listed
        yet, who may still see the child: their sessions can stay with them."""
        ctx = self.ctx
        kid = ctx.children[child]
        listed = {w for w, _ in listed_workers}
        workers: list[tuple[str, str]] = []
        for e in todays:
            if e.with_worker is None and e.worker not in listed and e.worker in team:
                worker = ctx.workers.get(e.worker)
                if worker is not None and ctx.at_work(e.worker, day) and may_work_with(worker, kid):
                    workers.append((e.worker, self._role(child, day, e.worker, None)))
                    listed.add(e.worker)
        return workers

    def _slot_candidates(
        self,
        child: str,
        period: Period,
        day: dt.date,
        worker: str,
        *,
        role: str,
        todays: list[ExistingSession],
    ) -> None:
        """The slots of ``worker`` alone with ``child`` on ``day``: the key worker's on the
        fine grid (short shared windows), cover's on the coarse one, plus existing times."""
        ctx = self.ctx
        extra = {
            ctx.wall(e.start)[1] for e in todays if e.worker == worker and e.with_worker is None
        }
        step = KEY_STEP if role == KEY else COVER_STEP
        for cand in make_candidates(
            ctx,
            child=child,
            period=period,
            day=day,
            worker=worker,
            with_worker=None,
            role=role,
            step=step,
            extra=extra,
            busy=self.facts.busy,
            travel=self.travel,
        ):
            self._add(cand)

    def _kept_joint_candidates(
        self,
        child: str,
        period: Period,
        day: dt.date,
        todays: list[ExistingSession],
        team: set[str],
    ) -> None:
        """``child``'s existing joint sessions that day, kept where both workers are of
        the team and may still see the child."""
        ctx = self.ctx
        for e in todays:
            if e.with_worker is None or not {e.worker, e.with_worker} <= team:
                continue
            if any(ctx.session_problem(r, child, day) for r in (e.worker, e.with_worker)):
                continue
            self._add_kept(child, period, e)

    def _handover_candidates(self, child: str) -> None:
        ctx = self.ctx
        days = ctx.in_force[child]
        for before, day in itertools.pairwise(days):
            if (day - before).days != 1:
                continue
            old, _ = self._allocation(child, before)
            new, _ = self._allocation(child, day)
            if old is None or new is None or old == new:
                continue
            group: list[int] = []
            start_day = max(ctx.today, day - dt.timedelta(days=14))
            for candidate_day in days:
                if not start_day <= candidate_day < day:
                    continue
                if candidate_day in self.facts.days.get(child, set()):
                    continue
                if not (ctx.at_work(old, candidate_day) and ctx.at_work(new, candidate_day)):
                    continue
                period = ctx.period_of(child, candidate_day)
                if period is None:
                    continue
                room = period.target - self.facts.count.get(period_key(period), 0)
                if room <= 0:
                    continue
                existing = {
                    ctx.wall(e.start)[1]
                    for e in ctx.movable_sessions.get(child, [])
                    if ctx.local_day(e.start) == candidate_day and e.with_worker == new
                }
                for cand in make_candidates(
                    ctx,
                    child=child,
                    period=period,
                    day=candidate_day,
                    worker=old,
                    with_worker=new,
                    role=KEY,
                    step=KEY_STEP,
                    extra=existing,
                    busy=self.facts.busy,
                    travel=self.travel,
                    handover=True,
                ):
                    group.append(len(self.cands))
                    self._add(cand)
            self.handover_groups[(child, day)] = group

    def _rescue_candidates(self, child: str) -> None:
        ctx = self.ctx
        for s in self.facts.broken.get(child, []):
            day = ctx.local_day(s.start)
            period = ctx.period_of(child, day)
            if period is None:
                continue
            key, sec = self._allocation(child, day)
            options: list[str] = []
            for ref in (s.worker, key, sec, s.with_worker):
                if ref and ref not in options:
                    options.append(ref)
            for w in self._cover(child, day, skip=set(options), limit=3):
                options.append(w)
            partner = s.with_worker if not ctx.session_problem(s.with_worker, child, day) else None
            if partner is not None and partner not in self.part.workers:
                partner = None
            team = set(self.part.workers)
            for w in options:
                if w not in team or ctx.session_problem(w, child, day):
                    continue
                with_worker = partner if partner != w else None
                spans = ctx.worker_spans(w, day.weekday())
                if not lies_within(s.start, s.end, spans, ctx.tz):
                    continue
                if clashes(s.start, s.end, child, self.facts.busy.get((w, day), []), self.travel):
                    continue
                if with_worker is not None and clashes(
                    s.start,
                    s.end,
                    child,
                    self.facts.busy.get((with_worker, day), []),
                    self.travel,
                ):
                    continue
                role = self._role(child, day, w, with_worker)
                self._add(
                    Candidate(
                        child,
                        w,
                        with_worker,
                        day,
                        s.start,
                        s.end,
                        period,
                        role,
                        with_worker is not None,
                        s.id,
                    )
                )

    def _existing_candidates(self, child: str, period: Period) -> None:
        """The candidates that keep ``child``'s existing sessions in ``period`` as they are."""
        ctx = self.ctx
        for e in self._own_sessions(child):
            if period.contains(ctx.local_day(e.start)):
                self._add_kept(child, period, e)

    def _add_kept(self, child: str, period: Period, e: ExistingSession) -> None:
        """Add the candidate that keeps existing session ``e`` at its worker(s) and time,
        if rules 1-5 against the fixed sessions still allow it."""
        ctx = self.ctx
        day = ctx.local_day(e.start)
        for cand in make_candidates(
            ctx,
            child=child,
            period=period,
            day=day,
            worker=e.worker,
            with_worker=e.with_worker,
            role=self._role(child, day, e.worker, e.with_worker),
            step=10_000,
            extra={ctx.wall(e.start)[1]},
            busy=self.facts.busy,
            travel=self.travel,
            handover=e.with_worker is not None,
        ):
            if cand.start == e.start:
                self._add(cand)

    def _grid_slots(self, child: str, period: Period, day: dt.date, worker: str) -> list[Candidate]:
        """Every slot on the 15-minute grid for ``child`` with ``worker`` alone that day,
        clear of the fixed sessions: the same for every construction, so built once."""
        key = (child, period_key(period), day, worker)
        found = self._grid_cache.get(key)
        if found is None:
            found = make_candidates(
                self.ctx,
                child=child,
                period=period,
                day=day,
                worker=worker,
                with_worker=None,
                role=self._role(child, day, worker, None),
                step=15,
                extra=set(),
                busy=self.facts.busy,
                travel=self.travel,
            )
            self._grid_cache[key] = found
        return found

    def _intern(self, cand: Candidate) -> int:
        """The index of ``cand``, added to the model if it is not a candidate yet."""
        ident = (cand.child, cand.worker, cand.with_worker, cand.start)
        found = self.index_of.get(ident)
        if found is not None:
            return found
        i = len(self.cands)
        self._add(cand)
        self.index_of[ident] = i
        self.routine_cost[i] = self._routine_of(i)
        return i

    def _alternatives(self, i: int) -> list[int]:
        """Other slots, with the same worker, in the period of session ``i``: a pinned
        child has only its existing sessions as candidates (see ``_unchanged_children``)."""
        found = self._alternative_slots.get(i)
        if found is not None:
            return found
        ctx, cand = self.ctx, self.cands[i]
        found = []
        self._alternative_slots[i] = found
        if cand.with_worker is not None:
            return found
        for day in ctx.in_force[cand.child]:
            if (
                not cand.period.contains(day)
                or day < ctx.today
                or not ctx.at_work(cand.worker, day)
            ):
                continue
            if day in self.facts.days.get(cand.child, ()):
                continue
            for fresh in make_candidates(
                ctx,
                child=cand.child,
                period=cand.period,
                day=day,
                worker=cand.worker,
                with_worker=None,
                role=self._role(cand.child, day, cand.worker, None),
                step=KEY_STEP,
                extra=set(),
                busy=self.facts.busy,
                travel=self.travel,
            ):
                found.append(self._intern(fresh))
        return found
