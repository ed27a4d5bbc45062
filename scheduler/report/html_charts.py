"""The report page's charts, as inline SVG (no script, no external file):

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
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise

from scheduler.report.children import ChildTimeline
from scheduler.report.headline import Headline, TrendMonth
from scheduler.report.html_text import clip, esc, month_index, month_label
from scheduler.report.workload import WorkerLoad

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
    "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#a0cbe8", "#8cd17d",
)  # fmt: skip

CHANGE_COLOUR = "#c0392b"
HELD_COLOUR = "#2c5282"
PLANNED_COLOUR = "#a3bffa"
KEY_COLOUR = "#dd6b20"
MET_COLOUR = "#2c5282"


def trend_chart(h: Headline) -> list[str]:
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
    every = label_every(len(months), plot_w, 64)
    for i, m in enumerate(months):
        if i % every == 0 or m.month == now:
            weight = ' font-weight="600"' if m.month == now else ""
            svg.append(
                f'<text class="axis-month" x="{x(i):.1f}" y="{height - 10}" font-size="11" '
                f'fill="#4a5568" text-anchor="middle"{weight}>{esc(month_label(m.month))}</text>'
            )
    current = [i for i, m in enumerate(months) if m.month == now]
    if current:
        edge = x(current[0]) + step / 2
        svg.append(
            f'<line x1="{edge:.1f}" y1="{top}" x2="{edge:.1f}" y2="{top + plot_h}" '
            'stroke="#718096" stroke-dasharray="2 3">'
            f"<title>{esc('report date ' + h.report_date.isoformat())}</title></line>"
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
                f'stroke="{colour}" stroke-width="1.5"><title>{esc(tip)}</title></circle>'
            )
    svg.append("</svg>")
    return [*out, "".join(svg)]


def _met(m: TrendMonth) -> float | None:
    return m.met_pct


def _with_key(m: TrendMonth) -> float | None:
    return m.key_worker_pct


def label_every(count: int, plot_w: float, room: float) -> int:
    """Label every n-th month so that labels stand at least ``room`` pixels apart."""
    return max(1, math.ceil(count * room / max(1.0, plot_w)))


def workload_section(loads: Sequence[WorkerLoad]) -> list[str]:
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
    every = label_every(math.ceil(n * 7 / 30.4), plot_w, 56)
    bar = max(1.0, step * 0.8)

    def y(minutes: int) -> float:
        return top + plot_h - plot_h * minutes / peak

    label = f"{load.ref} {load.name}"
    total_h = (load.held_minutes + load.planned_minutes) / 60
    out = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc("Weekly session minutes of " + label)}">',
        f'<text x="0" y="{top + 12}" font-size="12" font-weight="600">{esc(load.ref)}</text>',
        f'<text x="0" y="{top + 28}" font-size="11">{esc(clip(load.name, 22))}</text>',
        f'<text x="0" y="{top + 44}" font-size="11" fill="#4a5568">{esc(load.team)}</text>',
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
                f"<title>{esc(tip)}</title></rect>"
            )
        if planned:
            out.append(
                f'<rect x="{x:.1f}" y="{y(held + planned):.1f}" width="{bar:.1f}" '
                f'height="{y(held) - y(held + planned):.1f}" fill="{PLANNED_COLOUR}">'
                f"<title>{esc(tip)}</title></rect>"
            )
        if (
            week.week.day <= 7
            and (i == 0 or week.week.month != load.weeks[i - 1].week.month)
            and month_index(week.week) % every == 0
        ):
            out.append(
                f'<text class="axis-month" x="{x:.1f}" y="{height - 6}" font-size="10" '
                'fill="#4a5568">'
                f"{esc(month_label(week.week))}</text>"
            )
    cap = y(load.capacity_minutes)
    out.append(
        f'<line x1="{left}" y1="{cap:.1f}" x2="{left + plot_w}" y2="{cap:.1f}" '
        'stroke="#718096" stroke-dasharray="4 3">'
        f"<title>{esc(f'{load.capacity_minutes} minutes a week')}</title></line>"
        f'<text x="{left - 4}" y="{cap + 4:.1f}" font-size="10" fill="#4a5568" '
        f'text-anchor="end">{load.capacity_minutes / 60:g} h</text>'
    )
    out.append("</svg>")
    return "".join(out)


def timeline_section(timelines: Sequence[ChildTimeline], start: date, end: date) -> list[str]:
    out = ["<h2>Continuity per child over time</h2>"]
    if not timelines:
        return [*out, "<p>No children.</p>"]
    workers = sorted({s.worker for t in timelines for s in t.spans})
    colours = {ref: PALETTE[i % len(PALETTE)] for i, ref in enumerate(workers)}
    legend = "".join(
        f'<span><i class="swatch" style="background:{colours[ref]}"></i>{esc(ref)}</span>'
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
    every = label_every(math.ceil(days / 30.4), plot_w, 56)
    while month <= end:
        if month >= start and month_index(month) % every == 0:
            out.append(
                f'<line x1="{x(month):.1f}" y1="{top - 4}" x2="{x(month):.1f}" y2="{height}" '
                'stroke="#edf2f7"/>'
                f'<text class="axis-month" x="{x(month) + 2:.1f}" y="{top - 8}" font-size="10" '
                'fill="#4a5568">'
                f"{esc(month_label(month))}</text>"
            )
        month = (month + timedelta(days=32)).replace(day=1)
    for row, timeline in enumerate(timelines):
        y0 = top + row * row_h
        out.append(f'<text x="0" y="{y0 + 14}" font-size="11">{esc(clip(timeline.ref, 16))}</text>')
        for span in timeline.spans:
            x0, x1 = x(span.start), x(span.end + timedelta(days=1))
            tip = (
                f"{timeline.ref}: {span.worker} {span.start.isoformat()} to {span.end.isoformat()}"
            )
            out.append(
                f'<rect x="{x0:.1f}" y="{y0 + 3}" width="{max(1.0, x1 - x0):.1f}" height="14" '
                f'fill="{colours.get(span.worker, "#cbd5e0")}" rx="2">'
                f"<title>{esc(tip)}</title></rect>"
            )
            if x1 - x0 > 8 * len(span.worker):
                out.append(
                    f'<text x="{x0 + 3:.1f}" y="{y0 + 14}" font-size="10" fill="#ffffff">'
                    f"{esc(span.worker)}</text>"
                )
            if span.changed:
                out.append(
                    f'<rect x="{x0 - 1:.1f}" y="{y0}" width="3" height="20" '
                    f'fill="{CHANGE_COLOUR}"><title>change of key worker on '
                    f"{esc(span.start.isoformat())}</title></rect>"
                )
        for mark in timeline.sessions:
            cx = x(mark.day) + plot_w / days / 2
            fill = "#2d3748" if mark.with_key_worker else "#ffffff"
            tip = f"{mark.day.isoformat()}: session with {mark.worker}"
            out.append(
                f'<circle cx="{cx:.1f}" cy="{y0 + 23}" r="2.5" fill="{fill}" stroke="#2d3748">'
                f"<title>{esc(tip)}</title></circle>"
            )
    out.append("</svg>")
    return "".join(out)
