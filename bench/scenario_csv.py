"""Write a generated scenario as the CSV files a team manager imports.

The solver benchmarks plan a generated ``Instance`` directly; this writes the same
scenario as workers.csv, children.csv, plans.csv and absences.csv, so that the
whole user path (``keyworker import``, ``keyworker plan --commit``) can be timed
and checked on every shape the generator reaches. Held sessions and
``known_workers`` have no CSV column and are left out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from solver import Instance, Window

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _windows(windows: Iterable[Window]) -> str:
    return ";".join(
        f"{DAY_NAMES[w.weekday]} {w.start:%H:%M}-{w.end:%H:%M}"
        for w in sorted(windows, key=lambda w: (w.weekday, w.start))
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def write_csv(instance: Instance, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "workers.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "name", "email", "team", "hours_per_week", "max_caseload",
                      "skills", "languages", "gender", "availability", "lat", "lon",
                      "start_date", "end_date"])  # fmt: skip
        for w in instance.workers:
            out.writerow([
                w.ref, w.name or w.ref, f"{w.ref.lower()}@example.org", w.team,
                w.hours_per_week, w.max_caseload, ";".join(sorted(w.skills)),
                ";".join(sorted(w.languages)), _text(w.gender), _windows(w.availability),
                _text(w.lat and round(w.lat, 5)), _text(w.lon and round(w.lon, 5)),
                _text(w.start_date), _text(w.end_date),
            ])  # fmt: skip
    with (directory / "absences.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["worker", "start_date", "end_date", "kind"])
        for w in instance.workers:
            for a in w.absences:
                out.writerow([w.ref, a.start, a.end, "leave"])
    with (directory / "children.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "team", "required_skills", "language", "preferred_gender",
                      "preferred_workers", "excluded_workers", "availability", "lat", "lon",
                      "risk", "key_worker", "key_worker_since"])  # fmt: skip
        for c in instance.children:
            out.writerow([
                c.ref, c.team, ";".join(sorted(c.required_skills)), _text(c.language),
                _text(c.preferred_gender), ";".join(c.preferred_workers),
                ";".join(sorted(c.excluded_workers)), _windows(c.availability),
                _text(c.lat and round(c.lat, 5)), _text(c.lon and round(c.lon, 5)), c.risk,
                _text(c.current_key_worker), _text(c.key_worker_since),
            ])  # fmt: skip
    with (directory / "plans.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["child", "start_date", "end_date", "sessions", "every_weeks",
                      "session_minutes", "max_gap_days"])  # fmt: skip
        for p in instance.plans:
            out.writerow([
                p.child, p.start_date, _text(p.end_date), p.sessions, p.every_weeks,
                p.session_minutes, p.max_gap_days,
            ])  # fmt: skip
