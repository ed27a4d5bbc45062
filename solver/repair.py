"""Local repair of a timetable start: win back continuity without losing a session.

The starts that schedule the most sessions (goal 1) are first-fit packings that
use more cover, and leave longer gaps between key-worker sessions, than they
need; CP-SAT's level-2 search has too little time at service and
local-authority size to undo it. ``ContinuityRepair`` visits the children with a
level-2 cost, high risk first, and moves each of their sessions to another slot
of the same period where that lowers the child's cover and contact-gap cost;
where one other child's session is in the way, it tries moving that session to
another slot of its own period with a worker no further from its key worker. A
move is taken only when it lowers level 2 for the children it touches, and it
never changes how many sessions a period has, so level 1 is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from solver.candidates import KEY, OTHER, SECONDARY, Candidate
from solver.packing import Packing
from solver.periods import PeriodKey, period_key
from solver.weights import COVER_WEIGHT, GAP_WEIGHT, HANDOVER_WEIGHT

ROLE_RANK = {KEY: 0, SECONDARY: 1, OTHER: 2}
EJECT_TRIES = 24  # better slots tried per session by moving what is in the way

Windows = list[list[dt.date]]


def continuity_cost(sessions: Iterable[Candidate], windows: Windows, risk: int) -> int:
    """One child's level-2 cover and contact-gap terms (handovers are not counted:
    the repair never moves a handover).

    Python, not the model's terms: the repair prices thousands of trial moves of one
    child's sessions, most of them slots no CP-SAT solution holds, and runs before the
    model is built; the weights are the model's own (solver/weights.py)."""
    cost, contact = 0, set()
    for cand in sessions:
        cost += COVER_WEIGHT[cand.role] * risk
        if cand.role == KEY:
            contact.add(cand.day)
    return cost + GAP_WEIGHT * risk * sum(1 for w in windows if not contact.intersection(w))


class ContinuityRepair:
    def __init__(
        self,
        pack: Packing,
        by_child: Mapping[str, Sequence[int]],
        *,
        gap_windows: Callable[[str], Windows],
        routine_cost: Mapping[int, int],
        risk: Callable[[str], int],
        frozen: AbstractSet[str] = frozenset(),
        alternatives: Callable[[int], list[int]] | None = None,
    ) -> None:
        self.pack = pack
        self.cands = pack.cands
        self.by_child = by_child
        self.gap_windows = gap_windows
        self.routine_cost = routine_cost
        self.risk = risk
        # children a re-plan keeps as they are (goal 3): never improved for themselves, but
        # one of their sessions may move out of the way of a level-2 gain for another child,
        # to one of ``alternatives(session)``; ``moved_frozen`` names them afterwards
        self.frozen = frozen
        self.alternatives = alternatives
        self.moved_frozen: set[str] = set()
        self._in_period: dict[PeriodKey, list[int]] = {}

    def run(self) -> int:
        """Repair in place; returns the number of sessions moved."""
        pack, cands = self.pack, self.cands
        moved = 0
        for child in sorted(pack.by_child, key=lambda c: (-self.risk(c), c)):
            if child in self.frozen:
                continue
            for i in sorted(pack.by_child[child], key=lambda i: (-ROLE_RANK[cands[i].role], i)):
                if i not in pack.picked or not self._movable(i):
                    continue
                before = self._cost(child)
                if before == 0:
                    break
                pack.drop(i)
                options = self._options(i)
                if self._direct(i, options, before) or self._eject(i, options, before):
                    moved += 1
                else:
                    pack.take(i)
        return moved

    def add_handovers(self, groups: Iterable[Sequence[int]]) -> int:
        """Give each known key-worker change still without a joint handover one, in
        place of another session of the child in that period (or in a free place);
        returns the number added."""
        pack, cands = self.pack, self.cands
        added = 0
        for group in groups:
            if not group or any(j in pack.picked for j in group):
                continue
            child = cands[group[0]].child
            if child in self.frozen:  # kept as it is (a touched child gets its handover)
                continue
            before = self._cost(child) + HANDOVER_WEIGHT * self.risk(child)
            for j in sorted(group, key=lambda j: (-cands[j].start.timestamp(), j)):
                if self._direct(j, [j], before) or self._instead(j, before):
                    added += 1
                    break
        return added

    def _instead(self, j: int, before: int) -> bool:
        """Take ``j`` in place of a movable session of its child in its period."""
        pack, cands = self.pack, self.cands
        child, pk = cands[j].child, period_key(cands[j].period)
        for i in sorted(k for k in pack.by_child[child] if period_key(cands[k].period) == pk):
            if not self._movable(i):
                continue
            pack.drop(i)
            if self._direct(i, [j], before) or self._eject(i, [j], before):
                return True
            pack.take(i)
        return False

    def _movable(self, i: int) -> bool:
        cand = self.cands[i]
        return not cand.handover and cand.rescue_of is None

    def _period(self, i: int) -> list[int]:
        """The movable candidates of ``i``'s child in ``i``'s period."""
        cands = self.cands
        pk = period_key(cands[i].period)
        if pk not in self._in_period:
            for j in self.by_child.get(cands[i].child, ()):
                if self._movable(j):
                    self._in_period.setdefault(period_key(cands[j].period), []).append(j)
        return self._in_period.get(pk, [])

    def _options(self, i: int) -> list[int]:
        """Slots for ``i`` (already taken out) that could lower its child's cost: a
        better role, or a key-worker session on a day of a run now without one."""
        cands, cand = self.cands, self.cands[i]
        rank = ROLE_RANK[cand.role]
        contact = {cands[k].day for k in self.pack.by_child[cand.child] if cands[k].role == KEY}
        open_days = {
            day
            for window in self.gap_windows(cand.child)
            if not contact.intersection(window)
            for day in window
        }
        out = [
            j
            for j in self._period(i)
            if j != i
            and (
                ROLE_RANK[cands[j].role] < rank
                or (cands[j].role == KEY and cands[j].day in open_days)
            )
        ]
        out.sort(
            key=lambda j: (
                ROLE_RANK[cands[j].role],
                cands[j].day != cand.day,
                self.routine_cost.get(j, 0),
                j,
            )
        )
        return out

    def _cost(self, *children: str) -> int:
        cands, pack = self.cands, self.pack
        return sum(
            continuity_cost((cands[i] for i in pack.by_child[c]), self.gap_windows(c), self.risk(c))
            for c in children
        )

    def _direct(self, i: int, options: list[int], before: int) -> bool:
        pack, child = self.pack, self.cands[i].child
        for j in options:
            if pack.fits(self.cands[j], j):
                pack.take(j)
                if self._cost(child) < before:
                    return True
                pack.drop(j)
        return False

    def _eject(self, i: int, options: list[int], before: int) -> bool:
        """``i`` is out; take an option ``j`` by moving the one session blocking it to a
        slot of its own period with a role no worse."""
        pack, cands, child = self.pack, self.cands, self.cands[i].child
        for j in options[:EJECT_TRIES]:
            blockers = pack.blockers(cands[j])
            if len(blockers) != 1:
                continue
            b = next(iter(blockers))
            other = cands[b].child
            if other == child or not self._movable(b):
                continue
            was = before + self._cost(other)
            pack.drop(b)
            if not pack.fits(cands[j], j):
                pack.take(b)
                continue
            pack.take(j)
            rank = ROLE_RANK[cands[b].role]
            slots = list(self._period(b))
            if other in self.frozen and self.alternatives is not None:
                slots += [k for k in self.alternatives(b) if k not in slots]
            for k in slots:
                if k == b or ROLE_RANK[cands[k].role] > rank or not pack.fits(cands[k], k):
                    continue
                pack.take(k)
                if self._cost(child, other) < was:
                    if other in self.frozen:
                        self.moved_frozen.add(other)
                    return True
                pack.drop(k)
            pack.drop(j)
            pack.take(b)
        return False
