"""A tiny team as CSV files: three workers, three children, three plans."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

AS_OF = "2027-01-04T08:00:00+00:00"  # a Monday morning in winter (UTC = London)
START = "2027-01-04"

WORKERS = [
    {
        "ref": "W001",
        "name": "Amira Khan",
        "email": "amira@example.org",
        "team": "North",
        "hours_per_week": "30",
        "max_caseload": "3",
        "skills": "cse",
        "languages": "en;ur",
        "gender": "female",
        "availability": "Mon 09:00-17:00;Tue 09:00-17:00;Wed 09:00-17:00;"
        "Thu 09:00-17:00;Fri 09:00-17:00",
        "end_date": "",
    },
    {
        "ref": "W002",
        "name": "Tom Reilly",
        "email": "tom@example.org",
        "team": "North",
        "hours_per_week": "30",
        "max_caseload": "3",
        "skills": "cse",
        "languages": "en",
        "gender": "male",
        "availability": "",
        "end_date": "",
    },
    {
        "ref": "W003",
        "name": "Grace Okafor",
        "email": "grace@example.org",
        "team": "North",
        "hours_per_week": "30",
        "max_caseload": "3",
        "skills": "cse",
        "languages": "en",
        "gender": "female",
        "availability": "",
        "end_date": "",
    },
]
CHILDREN = [
    {
        "ref": "YP-0001",
        "initials": "A.B.",
        "team": "North",
        "required_skills": "cse",
        "risk": "high",
        "key_worker": "W001",
        "key_worker_since": "2026-05-01",
    },
    {
        "ref": "YP-0002",
        "initials": "C.D.",
        "team": "North",
        "required_skills": "cse",
        "risk": "medium",
        "key_worker": "W002",
        "key_worker_since": "2026-06-01",
    },
    {
        "ref": "YP-0003",
        "initials": "E.F.",
        "team": "North",
        "required_skills": "",
        "risk": "low",
        "key_worker": "W003",
        "key_worker_since": "2026-07-01",
    },
]
PLANS = [
    {
        "child": "YP-0001",
        "start_date": "2026-09-07",
        "sessions": "1",
        "every_weeks": "1",
        "session_minutes": "60",
    },
    {
        "child": "YP-0002",
        "start_date": "2026-09-07",
        "sessions": "1",
        "every_weeks": "1",
        "session_minutes": "60",
    },
    {
        "child": "YP-0003",
        "start_date": "2026-09-07",
        "sessions": "1",
        "every_weeks": "2",
        "session_minutes": "90",
    },
]


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        columns = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_team(
    directory: Path,
    *,
    workers: Sequence[dict[str, Any]] = WORKERS,
    children: Sequence[dict[str, Any]] = CHILDREN,
    plans: Sequence[dict[str, Any]] = PLANS,
    absences: Sequence[dict[str, Any]] = (),
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory / "workers.csv", workers)
    write_csv(directory / "children.csv", children)
    write_csv(directory / "plans.csv", plans)
    if absences:
        write_csv(directory / "absences.csv", absences)
    return directory
