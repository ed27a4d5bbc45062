"""What the timetable stage hands back: per team, and for the whole instance."""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.candidates import Candidate
from solver.instance import ExistingSession
from solver.lexico import LevelResult


@dataclass
class TeamTimetable:
    chosen: list[Candidate]
    cancelled: list[ExistingSession]
    levels: list[LevelResult]
    rescuable: set[str] = field(default_factory=set)


@dataclass
class TimetableResult:
    chosen: list[Candidate] = field(default_factory=list)
    cancelled: list[ExistingSession] = field(default_factory=list)
    kept: list[ExistingSession] = field(default_factory=list)
    levels: list[list[LevelResult]] = field(default_factory=list)
    rescuable: set[str] = field(default_factory=set)  # fixed sessions another worker could take
