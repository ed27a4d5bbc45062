"""The continuity report as one self-contained HTML page, for ``report --html FILE``.

The page carries its own style and draws its charts as inline SVG: no script, no
external font, image or style sheet, so a manager can open it offline or attach
it to an e-mail. Every piece of stored text (refs, names, team names) is
escaped. It opens with the headline figures (``scheduler.report_headline``), each
with a "How counted" line, and the trend by month, before any table. It uses the
window's width: refs and dates are ``white-space: nowrap`` spans, wide tables scroll
inside their own box rather than the page, charts shrink to fit; axis months read
``Dec 2026``. The charts:

* trend by month: sessions delivered against required (%), and the share with the
  key worker (%), solid up to the report month, dashed and hollow for the plan;
* workload per worker: session minutes per ISO week, held (dark) and planned
  (light), against the worker's weekly hours (dashed line);
* continuity per child: a timeline strip of key workers over the window, one
  colour per worker, a red mark at each change, and a dot per held session
  (filled: with the key worker; hollow: with someone else).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from html import escape
from itertools import pairwise
from zoneinfo import ZoneInfo

from scheduler.report import (
    ChildFigures,
    ChildTimeline,
    ContinuityReport,
    TeamFigures,
    WorkerLoad,
)
from scheduler.report_delivery import comparison_rows
from scheduler.report_headline import Headline, TrendMonth

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
    "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#a0cbe8", "#8cd17d",
)  # fmt: skip
CHANGE_COLOUR = "#c0392b"
HELD_COLOUR = "#2c5282"
PLANNED_COLOUR = "#a3bffa"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem 2rem;
       color: #1a202c; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #cbd5e0; }
p.meta { color: #4a5568; margin-top: 0; }
.wide { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #e2e8f0; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f7fafc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.warn td { background: #fff5f5; }
.ref, .date { white-space: nowrap; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
            gap: 0.75rem; margin: 1rem 0; align-items: start; }
.figure { border: 1px solid #cbd5e0; border-radius: 6px; padding: 0.6rem 0.8rem;
          background: #f7fafc; }
.figure .value { font-size: 1.9rem; font-weight: 700; line-height: 1.1; }
.figure .label { font-weight: 600; margin: 0.2rem 0; }
.figure .how { font-size: 0.8rem; color: #4a5568; margin: 0; }
.figure.alarm .value { color: #c0392b; }
.figure ul { margin: 0.3rem 0 0; padding-left: 1.1rem; font-size: 0.8rem; }
.chart { margin: 0.25rem 0 0.75rem; max-width: 100%; height: auto; display: block; }
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
        f"<h1>{_e(title.removesuffix(w.end.isoformat()))}{_day(w.end)}</h1>",
        f'<p class="meta">Window {_day(w.start)} to {_day(w.end)} '
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
            f"{_day(o.horizon_start)} to {_day(o.horizon_end)}): "
            f"{o.with_key_worker_pct}% of the coming sessions with the key worker{_e(ceiling)}.</p>"
        )
    if report.is_empty:
        parts.append("<p>No children with a support plan or a key worker in this window.</p>")
    else:
        if report.headline is not None:
            parts += headline_section(report.headline)
        parts += _delivery_section(report)
        if report.headline is not None:
            parts += _coming_section(report.headline)
            parts += _trend_table_section(report.headline)
        parts += _teams_section(report.teams)
        parts += _children_section(report.children)
        parts += _workload_section(report.workload)
        parts += _timeline_section(report.timelines, w.start, w.end)
    parts += [_definitions(), "</body>", "</html>", ""]
    return "\n".join(parts)


# --- headline -----------------------------------------------------------------------------

KEY_COLOUR = "#dd6b20"
MET_COLOUR = "#2c5282"


def headline_section(h: Headline) -> list[str]:
    """The figures a director reads first, each with how it is counted, and the trend."""
    high = len(h.open_high_alerts)
    cards = [
        _card(
            "stable",
            _pct(h.stable_pct),
            f"{h.stable} of {h.children} children with a stable key worker over 12 months",
            Markup(
                f"Children of this report with a key worker on {_day(h.report_date)} and no "
                f"change of key worker since {_day(h.stable_since)}, of all its children "
                "(the Stability Index the other way round)."
            ),
        ),
        _card(
            "delivered",
            _pct(h.delivered_pct),
            f"{h.delivered_met} of {h.delivered_required} required sessions delivered",
            "Over the support-plan periods that ended in the window: held sessions (at most "
            "the required number per period) against the required number.",
        ),
        _card(
            "alerts",
            str(high),
            "open high alerts",
            "Alerts of severity high not yet acknowledged or resolved ('keyworker alerts').",
            alarm=high > 0,
        ),
        _card(
            "coming",
            f"{len(h.coming_changes)} / {len(h.coming_handovers)}",
            "key-worker changes / handovers in the next 4 weeks",
            Markup(
                f"From {_day(h.coming_from)} to {_day(h.coming_to)}: changes of key worker "
                "the current plan has committed, and joint handover sessions planned "
                "(listed below the trend)."
            ),
        ),
    ]
    return [
        '<h2 id="headline">At a glance</h2>',
        '<section class="headline" aria-label="Headline figures">',
        *cards,
        "</section>",
        *_trend_chart(h),
    ]


def _card(name: str, value: str, label: str, how: str, *, alarm: bool = False) -> str:
    classes = "figure alarm" if alarm else "figure"
    return (
        f'<div class="{classes}" data-figure="{name}"><div class="value">{_e(value)}</div>'
        f'<p class="label">{_e(label)}</p><p class="how">How counted: {_cell(how)}</p></div>'
    )


def _trend_chart(h: Headline) -> list[str]:
    months = h.trend
    out = [
        "<h3>Trend by month</h3>",
        '<p class="legend">'
        f'<span><i class="swatch" style="background:{MET_COLOUR}"></i>sessions delivered '
        "against required (%)</span>"
        f'<span><i class="swatch" style="background:{KEY_COLOUR}"></i>sessions with the key '
        "worker (%)</span><span>solid: delivered; dashed and hollow: the current plan</span></p>",
    ]
    if not months:
        return [*out, "<p>No months.</p>"]
    width, height, left, right, top, bottom = 1100, 220, 44, 16, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / len(months)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(pct: float) -> float:
        return top + plot_h - plot_h * pct / 100

    now = h.report_date.replace(day=1)
    svg = [
        f'<svg class="chart trend" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Sessions delivered against required, and with the key worker, by month">'
    ]
    for pct in (0, 50, 100):
        svg.append(
            f'<line x1="{left}" y1="{y(pct):.1f}" x2="{width - right}" y2="{y(pct):.1f}" '
            f'stroke="{"#a0aec0" if pct == 0 else "#edf2f7"}"/>'
            f'<text x="{left - 6}" y="{y(pct) + 4:.1f}" font-size="11" fill="#4a5568" '
            f'text-anchor="end">{pct}%</text>'
        )
    every = _label_every(len(months), plot_w, 64)
    for i, m in enumerate(months):
        if i % every == 0 or m.month == now:
            weight = ' font-weight="600"' if m.month == now else ""
            svg.append(
                f'<text class="axis-month" x="{x(i):.1f}" y="{height - 10}" font-size="11" '
                f'fill="#4a5568" text-anchor="middle"{weight}>{_e(month_label(m.month))}</text>'
            )
    current = [i for i, m in enumerate(months) if m.month == now]
    if current:
        edge = x(current[0]) + step / 2
        svg.append(
            f'<line x1="{edge:.1f}" y1="{top}" x2="{edge:.1f}" y2="{top + plot_h}" '
            'stroke="#718096" stroke-dasharray="2 3">'
            f"<title>{_e('report date ' + h.report_date.isoformat())}</title></line>"
        )
    for colour, value in ((MET_COLOUR, _met), (KEY_COLOUR, _with_key)):
        points = [(i, value(m)) for i, m in enumerate(months)]
        for (i, a), (j, b) in pairwise(points):
            if a is None or b is None:
                continue
            dashed = ' stroke-dasharray="5 4"' if months[j].month > now else ""
            svg.append(
                f'<line x1="{x(i):.1f}" y1="{y(a):.1f}" x2="{x(j):.1f}" y2="{y(b):.1f}" '
                f'stroke="{colour}" stroke-width="2"{dashed}/>'
            )
        for i, v in points:
            if v is None:
                continue
            m = months[i]
            fill = "#ffffff" if m.month > now else colour
            tip = (
                f"{month_label(m.month)}: {m.met}/{m.required} required sessions met, "
                f"{m.held} held, {m.planned} planned, "
                f"{m.held_with_key_worker + m.planned_with_key_worker} with the key worker"
            )
            svg.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{fill}" '
                f'stroke="{colour}" stroke-width="1.5"><title>{_e(tip)}</title></circle>'
            )
    svg.append("</svg>")
    return [*out, "".join(svg)]


def _met(m: TrendMonth) -> float | None:
    return m.met_pct


def _with_key(m: TrendMonth) -> float | None:
    return m.key_worker_pct


def _label_every(count: int, plot_w: float, room: float) -> int:
    """Label every n-th month so that labels stand at least ``room`` pixels apart."""
    return max(1, math.ceil(count * room / max(1.0, plot_w)))


def _coming_section(h: Headline) -> list[str]:
    out = [
        f"<h2>Key-worker changes and handovers, {_day(h.coming_from)} to {_day(h.coming_to)}</h2>"
    ]
    if not h.coming_changes and not h.coming_handovers:
        return [*out, "<p>None planned.</p>"]
    items: list[tuple[date, str, str, str | None, str]] = [
        (c.day, c.child, "key-worker change", c.outgoing, c.incoming) for c in h.coming_changes
    ]
    items += [(x.day, x.child, "handover session", x.worker, x.with_worker)
              for x in h.coming_handovers]  # fmt: skip
    rows: list[tuple[Sequence[object], Sequence[object], bool]] = [
        ([_day(day), _ref(child), what, _ref(was or "none"), _ref(then)], [], False)
        for day, child, what, was, then in sorted(items, key=lambda i: (i[0], i[1]))
    ]
    return [*out, _table(("date", "child", "what", "from / by", "to / with"), rows)]


def _trend_table_section(h: Headline) -> list[str]:
    headers = ("month", "required", "met", "met %", "held", "planned", "with key worker",
               "with key worker %")  # fmt: skip
    rows = [
        (
            [Markup(f'<span class="date">{_e(month_label(m.month))}</span>')],
            [m.required, m.met, _pct(m.met_pct), m.held, m.planned,
             m.held_with_key_worker + m.planned_with_key_worker, _pct(m.key_worker_pct)],
            False,
        )
        for m in h.trend
    ]  # fmt: skip
    return [
        "<h2>Trend by month, in figures</h2>",
        _table(headers, rows),
        "<p>Required and met: the periods whose last day falls in the month (ended periods "
        "count held sessions; periods ending in the current plan's horizon count held and "
        "planned ones). Held: before the report time; planned: the current plan after it.</p>",
    ]


# --- tables -------------------------------------------------------------------------------


def _delivery_section(report: ContinuityReport) -> list[str]:
    out = ["<h2>Delivered beside the plan</h2>"]
    w = report.window
    for figures in report.delivery:
        plan = (
            Markup(f"plan {_day(figures.horizon[0])} to {_day(figures.horizon[1])}")
            if figures.horizon
            else "plan"
        )
        headers = (figures.team, Markup(f"delivered {_day(w.start)} to {_day(w.end)}"), plan)
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
        gap_text = Markup(f"{gap.days} ({_day(gap.start)} to {_day(gap.end)})") if gap else "-"
        wish = "-" if c.wishes_honoured is None else ("honoured" if c.wishes_honoured else "not")
        rows.append(
            (
                [_ref(c.ref), c.team, c.risk, _ref(c.key_worker) if c.key_worker else "none",
                 _day(c.key_worker_since) if c.key_worker_since else "-"],
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
    out = ['<div class="wide"><table>', "<thead><tr>"]
    out += [f"<th>{_cell(h)}</th>" for h in headers]
    out.append("</tr></thead><tbody>")
    for text, numbers, warn in rows:
        out.append('<tr class="warn">' if warn else "<tr>")
        out += [f"<td>{_cell(v)}</td>" for v in text]
        out += [f'<td class="num">{_cell(v)}</td>' for v in numbers]
        out.append("</tr>")
    out.append("</tbody></table></div>")
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
    every = _label_every(math.ceil(n * 7 / 30.4), plot_w, 56)
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
        if (
            week.week.day <= 7
            and (i == 0 or week.week.month != load.weeks[i - 1].week.month)
            and _month_index(week.week) % every == 0
        ):
            out.append(
                f'<text class="axis-month" x="{x:.1f}" y="{height - 6}" font-size="10" '
                'fill="#4a5568">'
                f"{_e(month_label(week.week))}</text>"
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
    every = _label_every(math.ceil(days / 30.4), plot_w, 56)
    while month <= end:
        if month >= start and _month_index(month) % every == 0:
            out.append(
                f'<line x1="{x(month):.1f}" y1="{top - 4}" x2="{x(month):.1f}" y2="{height}" '
                'stroke="#edf2f7"/>'
                f'<text class="axis-month" x="{x(month) + 2:.1f}" y="{top - 8}" font-size="10" '
                'fill="#4a5568">'
                f"{_e(month_label(month))}</text>"
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
        ("Stable key worker over 12 months", "children with a key worker on the report date "
                                             "and no change of key worker in the 12 months "
                                             "to it (whatever the window), of all the "
                                             "report's children."),
        ("Open high alerts", "alerts of severity high, neither acknowledged nor resolved; "
                             "for one team, those naming its children or workers."),
        ("Changes and handovers in the next 4 weeks", "the 28 days after the report date: "
                                                      "key-worker changes the current plan "
                                                      "has committed, and joint handover "
                                                      "sessions (a second worker present)."),
        ("Trend by month", "per month, the required sessions of the periods whose last day "
                           "falls in it and those met (ended periods count held sessions, "
                           "periods ending in the current plan's horizon held and planned "
                           "ones), and the share of that month's held and planned sessions "
                           "with the key worker of the day."),
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


class Markup(str):
    """Text that is already HTML (built here from escaped parts): not escaped again."""

    __slots__ = ()


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_label(day: date) -> str:
    """``Dec 2026``: the month in words and the full year, whatever the locale."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _cell(value: object) -> str:
    return value if isinstance(value, Markup) else _e(_text(value))


def _ref(text: str) -> Markup:
    """A child's or worker's ref: never broken over two lines."""
    return Markup(f'<span class="ref">{_e(text)}</span>')


def _day(day: date) -> Markup:
    """A date: never broken over two lines."""
    return Markup(f'<span class="date">{_e(day.isoformat())}</span>')


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
