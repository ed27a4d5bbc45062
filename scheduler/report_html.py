"""The continuity report as one self-contained HTML page, for ``report --html FILE``.

The page carries its own style and draws its charts as inline SVG: no script, no
external font, image or style sheet, so a manager can open it offline or attach
it to an e-mail. Every piece of stored text (refs, names, team names) is
escaped. The charts:

* workload per worker: session minutes per ISO week, held (dark) and planned
  (light), against the worker's weekly hours (dashed line);
* continuity per child: a timeline strip of key workers over the window, one
  colour per worker, a red mark at each change, and a dot per held session
  (filled: with the key worker; hollow: with someone else).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from html import escape
from zoneinfo import ZoneInfo

from scheduler.report import (
    ChildFigures,
    ChildTimeline,
    ContinuityReport,
    TeamFigures,
    WorkerLoad,
)
from scheduler.report_delivery import comparison_rows

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
    "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#a0cbe8", "#8cd17d",
)  # fmt: skip
CHANGE_COLOUR = "#c0392b"
HELD_COLOUR = "#2c5282"
PLANNED_COLOUR = "#a3bffa"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2rem;
       color: #1a202c; max-width: 1100px; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #cbd5e0; }
p.meta { color: #4a5568; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #e2e8f0; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f7fafc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.warn td { background: #fff5f5; }
.chart { margin: 0.25rem 0 0.75rem; }
.legend span { display: inline-block; margin-right: 1rem; font-size: 0.85rem; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem;
          vertical-align: middle; }
dl { font-size: 0.85rem; color: #4a5568; }
dt { font-weight: 600; }
svg text { font-family: inherit; }
"""


def render_html(report: ContinuityReport) -> str:
    """The whole page."""
    w = report.window
    scope = f"team {report.team}" if report.team else "all teams"
    title = f"Key-worker continuity report, {scope}, as of {w.end.isoformat()}"
    local = w.as_of.astimezone(ZoneInfo(w.timezone))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Window {_e(w.start.isoformat())} to {_e(w.end.isoformat())} '
        f"({w.months} months; as of {_e(local.strftime('%Y-%m-%d %H:%M %Z'))}; dates in "
        f"{_e(w.timezone)}).</p>",
    ]
    if report.outlook is not None:
        o = report.outlook
        ceiling = (
            ""
            if o.ceiling_pct is None
            else (f"; at most {o.ceiling_pct}% was possible with the absences and leavers known")
        )
        parts.append(
            f'<p class="meta">Current plan (version {o.version}, '
            f"{_e(o.horizon_start.isoformat())} to {_e(o.horizon_end.isoformat())}): "
            f"{o.with_key_worker_pct}% of the coming sessions with the key worker{_e(ceiling)}.</p>"
        )
    if report.is_empty:
        parts.append("<p>No children with a support plan or a key worker in this window.</p>")
    else:
        parts += _delivery_section(report)
        parts += _teams_section(report.teams)
        parts += _children_section(report.children)
        parts += _workload_section(report.workload)
        parts += _timeline_section(report.timelines, w.start, w.end)
    parts += [_definitions(), "</body>", "</html>", ""]
    return "\n".join(parts)


# --- tables -------------------------------------------------------------------------------


def _delivery_section(report: ContinuityReport) -> list[str]:
    out = ["<h2>Delivered beside the plan</h2>"]
    w = report.window
    for figures in report.delivery:
        plan = (
            f"plan {figures.horizon[0].isoformat()} to {figures.horizon[1].isoformat()}"
            if figures.horizon
            else "plan"
        )
        headers = (figures.team, f"delivered {w.start.isoformat()} to {w.end.isoformat()}", plan)
        rows = [([name], [done, planned], False) for name, done, planned in
                comparison_rows(figures)]  # fmt: skip
        out.append(_table(headers, rows))
    return out


def _teams_section(teams: Sequence[TeamFigures]) -> list[str]:
    headers = ("team", "children", "tenure mean (days)", "tenure median", "UPC mean",
               "UPC median", "COC mean", "COC median", ">= 1 change", ">= 2 changes",
               "gap over limit", "wishes honoured")  # fmt: skip
    rows = [
        (
            [t.team],
            [t.children, _days(t.tenure_mean), _days(t.tenure_median), _ratio(t.upc_mean),
             _ratio(t.upc_median), _ratio(t.coc_mean), _ratio(t.coc_median),
             _pct(t.changed_once_pct), _pct(t.changed_twice_pct), t.over_gap,
             _wishes(t.wishes_honoured, t.wishes_stated, t.wishes_honoured_pct)],
            False,
        )
        for t in teams
    ]  # fmt: skip
    return ["<h2>Teams</h2>", _table(headers, rows)]


def _children_section(children: Sequence[ChildFigures]) -> list[str]:
    headers = ("child", "team", "risk", "key worker", "since", "tenure (days)", "sessions",
               "with key worker", "UPC", "COC", "changes", "longest gap (days)",
               "max gap", "wishes")  # fmt: skip
    rows = []
    for c in children:
        gap = c.longest_gap
        gap_text = f"{gap.days} ({gap.start.isoformat()} to {gap.end.isoformat()})" if gap else "-"
        wish = "-" if c.wishes_honoured is None else ("honoured" if c.wishes_honoured else "not")
        rows.append(
            (
                [c.ref, c.team, c.risk, c.key_worker or "none",
                 c.key_worker_since.isoformat() if c.key_worker_since else "-"],
                [_value(c.tenure_days), c.sessions_held, c.sessions_with_key_worker,
                 _ratio(c.upc), _ratio(c.coc), c.changes, gap_text, _value(c.max_gap_days),
                 wish],
                c.gap_exceeded,
            )
        )  # fmt: skip
    return [
        "<h2>Children</h2>",
        _table(headers, rows),
        "<p>Rows shaded red: the longest gap without a key-worker session is over the "
        "plan's limit.</p>",
    ]


def _table(
    headers: Sequence[str], rows: Iterable[tuple[Sequence[object], Sequence[object], bool]]
) -> str:
    out = ["<table>", "<thead><tr>"]
    out += [f"<th>{_e(h)}</th>" for h in headers]
    out.append("</tr></thead><tbody>")
    for text, numbers, warn in rows:
        out.append('<tr class="warn">' if warn else "<tr>")
        out += [f"<td>{_e(_text(v))}</td>" for v in text]
        out += [f'<td class="num">{_e(_text(v))}</td>' for v in numbers]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# --- charts -------------------------------------------------------------------------------


def _workload_section(loads: Sequence[WorkerLoad]) -> list[str]:
    out = [
        "<h2>Workload per worker</h2>",
        '<p class="legend">'
        f'<span><i class="swatch" style="background:{HELD_COLOUR}"></i>held minutes</span>'
        f'<span><i class="swatch" style="background:{PLANNED_COLOUR}"></i>planned minutes</span>'
        '<span><i class="swatch" style="border-top:2px dashed #718096;height:0"></i>'
        "weekly hours</span></p>",
    ]
    if not loads:
        return [*out, "<p>No workers.</p>"]
    peak = max(
        [1]
        + [w.capacity_minutes for w in loads]
        + [wk.held_minutes + wk.planned_minutes for w in loads for wk in w.weeks]
    )
    for load in loads:
        out.append(_workload_chart(load, peak))
    return out


def _workload_chart(load: WorkerLoad, peak: int) -> str:
    width, height, left, top, bottom = 900, 110, 150, 8, 22
    plot_w, plot_h = width - left - 10, height - top - bottom
    n = max(1, len(load.weeks))
    step = plot_w / n
    bar = max(1.0, step * 0.8)

    def y(minutes: int) -> float:
        return top + plot_h - plot_h * minutes / peak

    label = f"{load.ref} {load.name}"
    total_h = (load.held_minutes + load.planned_minutes) / 60
    out = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{_e("Weekly session minutes of " + label)}">',
        f'<text x="0" y="{top + 12}" font-size="12" font-weight="600">{_e(load.ref)}</text>',
        f'<text x="0" y="{top + 28}" font-size="11">{_e(_clip(load.name, 22))}</text>',
        f'<text x="0" y="{top + 44}" font-size="11" fill="#4a5568">{_e(load.team)}</text>',
        f'<text x="0" y="{top + 60}" font-size="11" fill="#4a5568">{total_h:.1f} h in all</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#a0aec0"/>',
    ]
    for i, week in enumerate(load.weeks):
        x = left + i * step
        held, planned = week.held_minutes, week.planned_minutes
        tip = f"week of {week.week.isoformat()}: {held} min held, {planned} min planned"
        if held:
            out.append(
                f'<rect x="{x:.1f}" y="{y(held):.1f}" width="{bar:.1f}" '
                f'height="{top + plot_h - y(held):.1f}" fill="{HELD_COLOUR}">'
                f"<title>{_e(tip)}</title></rect>"
            )
        if planned:
            out.append(
                f'<rect x="{x:.1f}" y="{y(held + planned):.1f}" width="{bar:.1f}" '
                f'height="{y(held) - y(held + planned):.1f}" fill="{PLANNED_COLOUR}">'
                f"<title>{_e(tip)}</title></rect>"
            )
        if week.week.day <= 7 and (i == 0 or week.week.month != load.weeks[i - 1].week.month):
            out.append(
                f'<text x="{x:.1f}" y="{height - 6}" font-size="10" fill="#4a5568">'
                f"{_e(week.week.strftime('%b %y'))}</text>"
            )
    cap = y(load.capacity_minutes)
    out.append(
        f'<line x1="{left}" y1="{cap:.1f}" x2="{left + plot_w}" y2="{cap:.1f}" '
        'stroke="#718096" stroke-dasharray="4 3">'
        f"<title>{_e(f'{load.capacity_minutes} minutes a week')}</title></line>"
        f'<text x="{left - 4}" y="{cap + 4:.1f}" font-size="10" fill="#4a5568" '
        f'text-anchor="end">{load.capacity_minutes / 60:g} h</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _timeline_section(timelines: Sequence[ChildTimeline], start: date, end: date) -> list[str]:
    out = ["<h2>Continuity per child over time</h2>"]
    if not timelines:
        return [*out, "<p>No children.</p>"]
    workers = sorted({s.worker for t in timelines for s in t.spans})
    colours = {ref: PALETTE[i % len(PALETTE)] for i, ref in enumerate(workers)}
    legend = "".join(
        f'<span><i class="swatch" style="background:{colours[ref]}"></i>{_e(ref)}</span>'
        for ref in workers
    )
    out.append(
        f'<p class="legend">{legend}'
        f'<span><i class="swatch" style="background:{CHANGE_COLOUR}"></i>change</span>'
        "<span>&#9679; session with the key worker</span>"
        "<span>&#9675; session with someone else</span></p>"
    )
    out.append(_timeline_chart(timelines, start, end, colours))
    return out


def _timeline_chart(
    timelines: Sequence[ChildTimeline], start: date, end: date, colours: dict[str, str]
) -> str:
    width, left, top, row_h = 900, 110, 20, 30
    plot_w = width - left - 10
    height = top + row_h * len(timelines) + 6
    days = max(1, (end - start).days + 1)

    def x(day: date) -> float:
        return left + plot_w * (day - start).days / days

    out = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-label="Key worker of each child over time">'
    ]
    month = start.replace(day=1)
    while month <= end:
        if month >= start:
            out.append(
                f'<line x1="{x(month):.1f}" y1="{top - 4}" x2="{x(month):.1f}" y2="{height}" '
                'stroke="#edf2f7"/>'
                f'<text x="{x(month) + 2:.1f}" y="{top - 8}" font-size="10" fill="#4a5568">'
                f"{_e(month.strftime('%b %y'))}</text>"
            )
        month = (month + timedelta(days=32)).replace(day=1)
    for row, timeline in enumerate(timelines):
        y0 = top + row * row_h
        out.append(f'<text x="0" y="{y0 + 14}" font-size="11">{_e(_clip(timeline.ref, 16))}</text>')
        for span in timeline.spans:
            x0, x1 = x(span.start), x(span.end + timedelta(days=1))
            tip = (
                f"{timeline.ref}: {span.worker} {span.start.isoformat()} to {span.end.isoformat()}"
            )
            out.append(
                f'<rect x="{x0:.1f}" y="{y0 + 3}" width="{max(1.0, x1 - x0):.1f}" height="14" '
                f'fill="{colours.get(span.worker, "#cbd5e0")}" rx="2">'
                f"<title>{_e(tip)}</title></rect>"
            )
            if x1 - x0 > 8 * len(span.worker):
                out.append(
                    f'<text x="{x0 + 3:.1f}" y="{y0 + 14}" font-size="10" fill="#ffffff">'
                    f"{_e(span.worker)}</text>"
                )
            if span.changed:
                out.append(
                    f'<rect x="{x0 - 1:.1f}" y="{y0}" width="3" height="20" '
                    f'fill="{CHANGE_COLOUR}"><title>change of key worker on '
                    f"{_e(span.start.isoformat())}</title></rect>"
                )
        for mark in timeline.sessions:
            cx = x(mark.day) + plot_w / days / 2
            fill = "#2d3748" if mark.with_key_worker else "#ffffff"
            tip = f"{mark.day.isoformat()}: session with {mark.worker}"
            out.append(
                f'<circle cx="{cx:.1f}" cy="{y0 + 23}" r="2.5" fill="{fill}" stroke="#2d3748">'
                f"<title>{_e(tip)}</title></circle>"
            )
    out.append("</svg>")
    return "".join(out)


def _definitions() -> str:
    items = (
        ("Held", "a past session not recorded as cancelled or did-not-attend; one with no "
                 "outcome recorded counts as held by its planned worker."),
        ("Sessions delivered / required", "over the periods that ended in the window, the "
                                          "held sessions (at most the required number each) "
                                          "against the required number."),
        ("Share with the key worker", "held sessions the key worker of that day delivered."),
        ("UPC", "usual provider of care: the share of a child's held sessions delivered by "
                "the worker who delivered most of them."),
        ("COC", "Bice-Boxerman continuity index of who delivered the held sessions: 1 = "
                "always the same worker, 0 = a different worker every time; n/a below two "
                "sessions."),
        ("Tenure", "days since the current key-worker relationship began."),
        ("Changes", "changes of key worker that began in the window; a child's first key "
                    "worker is not a change (the national Stability Index measure)."),
        ("Longest gap", "most days between sessions with the key worker, and from the last "
                        "one to the report date, against the plan's max gap days."),
        ("Wishes honoured", "of children who stated a preferred worker or gender, those "
                            "whose current key worker matches."),
    )  # fmt: skip
    body = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return f"<h2>Definitions</h2><dl>{body}</dl>"


# --- formatting ---------------------------------------------------------------------------


def _e(text: str) -> str:
    return escape(text, quote=True)


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def _value(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} %"


def _wishes(honoured: int, stated: int, pct: float | None) -> str:
    return "n/a" if pct is None else f"{honoured}/{stated} ({pct:.0f} %)"
