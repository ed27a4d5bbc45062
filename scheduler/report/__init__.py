"""Continuity figures from the stored plan history, for ``keyworker report``.

Everything here is read-only and pure: :func:`load_history` reads the stored rows
once into plain records, :func:`compute_report` turns them into frozen dataclasses,
and :func:`build_report` does both. Nothing calls the clock; ``as_of`` is passed in.

The modules, one concept each:

* :mod:`.records`: the plain records read from the database; :mod:`.loading` reads
  them, :mod:`.outlook` the current plan's stored figure;
* :mod:`.period`: the report period (the *window* below) and whether a child is in it;
* :mod:`.measures`: the measures defined below (key worker on a day, changes, UPC,
  COC, longest gap);
* :mod:`.children`, :mod:`.teams`, :mod:`.workload`: the figures per child, per team
  and per worker; :mod:`.delivery`: delivered beside planned; :mod:`.headline`: the
  figures read first, and the trend by month;
* :mod:`.build`: the whole report;
* :mod:`.html_page` (with :mod:`.html_charts` and :mod:`.html_text`) and
  :mod:`.json_doc`: the report as a page and as JSON.

Definitions (the *window* is the local dates ``as_of - months`` .. ``as_of``; a
*held* session is one of the window that starts before ``as_of`` and was not
removed by a re-plan; a child's *key worker on a day* is the ``role="key"``
KeyWorkerHistory row in force that day):

* **Held**: past contact is held contact (``scheduler.outcomes``). A session
  recorded ``cancelled`` or ``did-not-attend`` is not held; one recorded ``held``
  by another worker counts for that worker; a past session with no outcome
  recorded counts as held by its planned worker (and is counted as
  *unconfirmed*); a session recorded held that is in no plan (before go-live)
  is held too.
* **Provider** of a held session: the child's key worker on its day when they
  were present (``worker`` or ``with``), else its ``worker``; a joint session
  counts once.
* **Share with the key worker** = of the child's held sessions, the share whose
  provider is the key worker of that day. ``None`` ("n/a") without held sessions.
* **UPC** (Usual Provider of Care) = ``max_j n_j / N``: the share of the child's
  ``N`` held sessions delivered by the provider who delivered most of them (the
  usual provider, whoever that is). ``None`` ("n/a") without held sessions.
* **COC** (Bice-Boxerman continuity of care index) =
  ``(sum_j n_j^2 - N) / (N (N - 1))`` over the providers ``j`` of the
  child's ``N`` held sessions (``n_j`` sessions each); 1 when one worker
  delivered them all, 0 when each was a different worker. Undefined for
  ``N < 2`` (``None``, shown "n/a").
* **Tenure** = days from the start of the current key-worker relationship to
  ``as_of``, back-to-back rows of the same worker joined into one relationship.
* **Key-worker changes** = ``role="key"`` rows starting inside the window whose
  preceding key row names a different worker. A child's first key worker is
  not a change. This is the measure of the national Stability Index
  (Children's Commissioner for England): in 2017-18 about 60 % of children in
  care had at least one change of social worker in the year, and about 25 %
  had two or more.
* **Longest gap** = the most days (difference of local dates) between
  consecutive held sessions with the key worker of the day, counting also from
  the start of contact to the first one, and from the last one to ``as_of`` (or
  to the plan's last in-force day, if earlier). The start of contact is the
  latest of the window start, the first in-force day of the child's plans and
  the start of the records (the first committed plan's horizon start or the
  earliest stored session, whichever is earlier), so that the months before
  keyworker was in use do not read as a gap (``None``, "n/a", while nothing is
  recorded). It is compared
  with ``max_gap_days`` of the plan in force on ``as_of`` (else the latest plan
  that began before it). Sessions with anyone else do not close a gap.
* **Wishes honoured** = of the children who stated a wish
  (``preferred_workers`` or ``preferred_gender``), the share whose current key
  worker is one of the preferred workers or of the preferred gender
  (case-insensitive).

Team rows aggregate their children: mean and median of tenure, UPC and COC over
the children where they are defined, and the share of children with at least
one and at least two key-worker changes. Workload is session minutes per ISO
week (Monday-Sunday, local), held and planned, for every worker, from the week
of the window start (or of the start of the records, if later); a joint session
counts for both workers.

``scheduler.report.delivery`` sets the delivered figures beside the current plan's.
"""

from __future__ import annotations

from scheduler.report.build import ContinuityReport, build_report, compute_report
from scheduler.report.children import (
    ChildFigures,
    ChildTimeline,
    KeyWorkerSpan,
    MonthFigures,
    SessionMark,
)
from scheduler.report.delivery import DeliveryFigures, Side, comparison_rows, delivery_figures
from scheduler.report.headline import (
    ComingChange,
    ComingHandover,
    Headline,
    TrendMonth,
    headline_figures,
)
from scheduler.report.html_page import render_html
from scheduler.report.json_doc import FORMAT, VERSION, report_json
from scheduler.report.loading import load_history
from scheduler.report.measures import (
    Gap,
    continuity_index,
    count_changes,
    key_worker_on,
    longest_gap,
    pct,
    relationship_since,
    usual_provider_share,
)
from scheduler.report.outlook import PlanOutlook, plan_outlook
from scheduler.report.period import ReportPeriod, report_period
from scheduler.report.records import (
    AlertRecord,
    ChildRecord,
    History,
    KeyRecord,
    PlanRecord,
    SessionRecord,
    WorkerRecord,
)
from scheduler.report.teams import ALL_TEAMS, TeamFigures, team_figures
from scheduler.report.workload import WorkerLoad, WorkerWeek

__all__ = [
    "ALL_TEAMS",
    "FORMAT",
    "VERSION",
    "AlertRecord",
    "ChildFigures",
    "ChildRecord",
    "ChildTimeline",
    "ComingChange",
    "ComingHandover",
    "ContinuityReport",
    "DeliveryFigures",
    "Gap",
    "Headline",
    "History",
    "KeyRecord",
    "KeyWorkerSpan",
    "MonthFigures",
    "PlanOutlook",
    "PlanRecord",
    "ReportPeriod",
    "SessionMark",
    "SessionRecord",
    "Side",
    "TeamFigures",
    "TrendMonth",
    "WorkerLoad",
    "WorkerRecord",
    "WorkerWeek",
    "build_report",
    "comparison_rows",
    "compute_report",
    "continuity_index",
    "count_changes",
    "delivery_figures",
    "headline_figures",
    "key_worker_on",
    "load_history",
    "longest_gap",
    "pct",
    "plan_outlook",
    "relationship_since",
    "render_html",
    "report_json",
    "report_period",
    "team_figures",
    "usual_provider_share",
]
