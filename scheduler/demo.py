"""A realistic sample team as CSV files a manager can open, edit and re-import.

Twelve workers (part-time hours, evening work, skills and languages, one leaving
in the horizon, a few absences, a team away day) and ninety children (risk levels, wishes, existing
key workers; weekly, twice-weekly and fortnightly plans) around one city. Dates
are relative to ``today`` so the demo always plans a live month.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

TEAM = "North CSE"
CENTRE = (53.7997, -1.5492)  # a city centre; children live within ~8 km

_WORKERS = [
    # ref, name, gender, hours, caseload, skills, languages, availability
    ("W001", "Amira Khan", "female", 30, 9, "cse;missing", "en;ur;pa",
     "Mon 09:00-17:00;Tue 09:00-17:00;Wed 12:00-20:00;Thu 09:00-17:00;Fri 09:00-15:00"),
    ("W002", "Tom Reilly", "male", 37.5, 10, "cse;missing;substance", "en",
     "Mon 10:00-18:00;Tue 10:00-18:00;Wed 10:00-18:00;Thu 12:00-20:00;Fri 09:00-17:00"),
    ("W003", "Grace Okafor", "female", 22.5, 7, "cse", "en",
     "Mon 09:00-17:00;Wed 09:00-17:00;Thu 12:00-20:00"),
    ("W004", "Piotr Nowak", "male", 37.5, 10, "missing;substance", "en;pl",
     "Mon 09:00-17:00;Tue 12:00-20:00;Wed 09:00-17:00;Thu 09:00-17:00;Fri 09:00-17:00"),
    ("W005", "Sarah Whitfield", "female", 30, 9, "cse;bsl", "en;bsl",
     "Tue 09:00-17:00;Wed 09:00-17:00;Thu 09:00-17:00;Fri 09:00-17:00"),
    ("W006", "Hassan Ali", "male", 37.5, 10, "cse;missing", "en;so;ar",
     "Mon 12:00-20:00;Tue 12:00-20:00;Wed 12:00-20:00;Thu 12:00-20:00;Sat 10:00-16:00"),
    ("W007", "Jess Turner", "female", 37.5, 10, "cse;missing;substance", "en",
     "Mon 09:00-17:00;Tue 09:00-17:00;Wed 09:00-17:00;Thu 09:00-17:00;Fri 09:00-17:00"),
    ("W008", "Priya Sharma", "female", 18, 6, "cse", "en;pa;hi",
     "Mon 15:00-21:00;Tue 15:00-21:00;Thu 15:00-21:00"),
    ("W009", "Dan Murphy", "male", 37.5, 10, "missing", "en",
     "Mon 09:00-17:00;Tue 09:00-17:00;Wed 09:00-17:00;Thu 09:00-17:00;Fri 09:00-17:00"),
    ("W010", "Chloe Evans", "female", 30, 9, "cse;missing", "en;cy",
     "Mon 11:00-19:00;Tue 11:00-19:00;Wed 11:00-19:00;Fri 11:00-19:00"),
    ("W011", "Yusuf Ibrahim", "male", 37.5, 10, "cse;substance", "en;ar;ur",
     "Mon 09:00-17:00;Tue 09:00-17:00;Wed 14:00-21:00;Thu 14:00-21:00;Fri 09:00-17:00"),
    ("W012", "Beth Collins", "female", 24, 8, "cse;missing;bsl", "en;bsl",
     "Mon 09:00-17:00;Wed 09:00-17:00;Fri 09:00-17:00"),
]  # fmt: skip

_INITIAL_LETTERS = "ABCDEFGHJKLMNPRSTWZ"


def write_demo(directory: Path, today: date, seed: int = 7) -> list[Path]:  # noqa: PLR0915 - the sample team written out field by field
    """Write the sample CSV files into ``directory`` and return their paths."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    monday = today - timedelta(days=today.weekday())
    leaver = "W003"
    workers = []
    for ref, name, gender, hours, caseload, skills, languages, availability in _WORKERS:
        lat, lon = _near(rng, 4)
        workers.append(
            {
                "ref": ref, "name": name,
                "email": f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.org",
                "team": TEAM, "hours_per_week": hours, "max_caseload": caseload,
                "skills": skills, "languages": languages, "gender": gender,
                "availability": availability, "lat": f"{lat:.4f}", "lon": f"{lon:.4f}",
                "start_date": "2019-09-02" if ref != "W012" else "2025-01-06",
                "end_date": (today + timedelta(days=17)).isoformat() if ref == leaver else "",
            }
        )  # fmt: skip

    speakers: dict[str, list[str]] = {}
    for w in workers:
        for language in str(w["languages"]).split(";"):
            speakers.setdefault(language, []).append(str(w["ref"]))
    caseloads = {str(w["ref"]): 0 for w in workers}
    capacity = {str(w["ref"]): int(str(w["max_caseload"])) for w in workers}
    skills_of = {str(w["ref"]): set(str(w["skills"]).split(";")) for w in workers}

    children = []
    plans = []
    for n in range(1, 91):
        ref = f"YP-{n:04d}"
        roll = rng.random()
        risk = "high" if roll < 0.2 else "low" if roll > 0.8 else "medium"
        needs = rng.choice(["cse", "cse", "cse", "missing", "cse;missing", "missing;substance"])
        language = ""
        if n % 11 == 0:
            language = rng.choice(["ur", "pa", "pl", "ar", "so"])
        if n == 45:
            needs, language = "cse;bsl", "bsl"
        eligible = [
            r for r in caseloads
            if set(needs.split(";")) <= skills_of[r]
            and (not language or r in speakers.get(language, []))
            and caseloads[r] < capacity[r] - 1
        ]  # fmt: skip
        key_worker = ""
        since = ""
        if eligible and n % 9 != 0:  # a few new referrals have no key worker yet
            key_worker = min(eligible, key=lambda r: (caseloads[r], rng.random()))
            caseloads[key_worker] += 1
            since = (today - timedelta(days=rng.randint(20, 700))).isoformat()
        others = [w["ref"] for w in workers if w["ref"] != key_worker]
        preferred = rng.choice(others) if n % 7 == 0 else ""
        excluded = rng.choice([o for o in others if o != preferred]) if n % 13 == 0 else ""
        lat, lon = _near(rng, 8)
        child_windows = ""
        if n % 5 == 0:  # at school: only after 15:30 on weekdays, or Saturdays
            child_windows = (
                ";".join(f"{d} 15:30-20:00" for d in ("Mon", "Tue", "Wed", "Thu", "Fri"))
                + ";Sat 10:00-16:00"
            )
        children.append(
            {
                "ref": ref,
                "initials": rng.choice(_INITIAL_LETTERS) + "." + rng.choice(_INITIAL_LETTERS) + ".",
                "team": TEAM, "required_skills": needs, "language": language,
                "preferred_gender": rng.choice(["female", "male"]) if n % 6 == 0 else "",
                "preferred_workers": preferred, "excluded_workers": excluded,
                "availability": child_windows, "lat": f"{lat:.4f}", "lon": f"{lon:.4f}",
                "risk": risk, "key_worker": key_worker, "key_worker_since": since,
            }
        )  # fmt: skip
        pattern = rng.random()
        sessions, every, minutes = (1, 1, 60)
        if pattern < 0.2:
            sessions, every, minutes = (2, 1, 60)
        elif pattern > 0.8:
            sessions, every, minutes = (1, 2, 90)
        start = monday - timedelta(weeks=rng.randint(1, 30))
        if n % 9 == 0:
            start = today + timedelta(days=rng.randint(0, 6))  # new referral
        end = ""
        if n % 17 == 0:
            end = (monday + timedelta(days=rng.randint(10, 40))).isoformat()
        plans.append(
            {
                "child": ref, "start_date": start.isoformat(), "end_date": end,
                "sessions": sessions, "every_weeks": every, "session_minutes": minutes,
                "max_gap_days": 21 if every == 2 else 14,
            }
        )  # fmt: skip

    absences = [
        {"worker": "W007", "start_date": (monday + timedelta(days=7)).isoformat(),
         "end_date": (monday + timedelta(days=11)).isoformat(), "kind": "leave",
         "note": "half term"},
        {"worker": "W002", "start_date": (today + timedelta(days=3)).isoformat(),
         "end_date": (today + timedelta(days=4)).isoformat(), "kind": "training", "note": ""},
        {"worker": "W010", "start_date": (monday + timedelta(days=14)).isoformat(),
         "end_date": (monday + timedelta(days=20)).isoformat(), "kind": "leave", "note": ""},
        {"worker": "W009", "start_date": today.isoformat(),
         "end_date": (today + timedelta(days=2)).isoformat(), "kind": "sickness", "note": ""},
    ]  # fmt: skip

    # bank holidays close the team without a row here ([planning] closed_on_bank_holidays)
    closures = [
        {"team": TEAM, "start_date": (monday + timedelta(days=16)).isoformat(),
         "end_date": (monday + timedelta(days=16)).isoformat(), "note": "team away day"},
    ]  # fmt: skip

    return [
        _write(directory / "workers.csv", workers),
        _write(directory / "children.csv", children),
        _write(directory / "plans.csv", plans),
        _write(directory / "absences.csv", absences),
        _write(directory / "closures.csv", closures),
    ]


def _near(rng: random.Random, km: float) -> tuple[float, float]:
    return (
        CENTRE[0] + rng.uniform(-km, km) / 111.0,
        CENTRE[1] + rng.uniform(-km, km) / 66.0,
    )


def _write(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
