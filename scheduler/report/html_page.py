"""The continuity report as one self-contained HTML page, for ``report --html FILE``.

The page carries its own style and draws its charts as inline SVG: no script, no
external font, image or style sheet, so a manager can open it offline or attach
it to an e-mail. Every piece of stored text (refs, names, team names) is
escaped. It opens with the headline figures (``scheduler.report.headline``), each
with a "How counted" line, and the trend by month, before any table. It uses the
window's width: refs and dates are ``white-space: nowrap`` spans, wide tables scroll
inside their own box rather than the page, charts shrink to fit; axis months read
``Dec 2026``. The charts are drawn by :mod:`.html_charts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from scheduler.report.build import ContinuityReport
from scheduler.report.children import ChildFigures
from scheduler.report.delivery import comparison_rows
from scheduler.report.headline import Headline
from scheduler.report.html_charts import timeline_section, trend_chart, workload_section
from scheduler.report.html_text import (
    Markup,
    cell_html,
    count_text,
    date_html,
    days_text,
    esc,
    month_label,
    pct_text,
    ratio_text,
    ref_html,
    wishes_text,
)
from scheduler.report.teams import TeamFigures

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
    w = report.period
    scope = f"team {report.team}" if report.team else "all teams"
    title = f"Key-worker continuity report, {scope}, as of {w.end.isoformat()}"
    local = w.as_of.astimezone(ZoneInfo(w.timezone))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title.removesuffix(w.end.isoformat()))}{date_html(w.end)}</h1>",
        f'<p class="meta">Window {date_html(w.start)} to {date_html(w.end)} '
        f"({w.months} months; as of {esc(local.strftime('%Y-%m-%d %H:%M %Z'))}; dates in "
        f"{esc(w.timezone)}).</p>",
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
            f"{date_html(o.horizon_start)} to {date_html(o.horizon_end)}): "
            f"{o.with_key_worker_pct}% of the coming sessions with the key worker"
            f"{esc(ceiling)}.</p>"
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
        parts += workload_section(report.workload)
        parts += timeline_section(report.timelines, w.start, w.end)
    parts += [_definitions(), "</body>", "</html>", ""]
    return "\n".join(parts)


# --- headline -----------------------------------------------------------------------------


def headline_section(h: Headline) -> list[str]:
    """The figures a director reads first, each with how it is counted, and the trend."""
    high = len(h.open_high_alerts)
    cards = [
        _card(
            "stable",
            pct_text(h.stable_pct),
            f"{h.stable} of {h.children} children with a stable key worker over 12 months",
            Markup(
                f"Children of this report with a key worker on {date_html(h.report_date)} and no "
                f"change of key worker since {date_html(h.stable_since)}, of all its children "
                "(the Stability Index the other way round)."
            ),
        ),
        _card(
            "delivered",
            pct_text(h.delivered_pct),
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
                f"From {date_html(h.coming_from)} to {date_html(h.coming_to)}: changes of key "
                "worker the current plan has committed, and joint handover sessions planned "
                "(listed below the trend)."
            ),
        ),
    ]
    return [
        '<h2 id="headline">At a glance</h2>',
        '<section class="headline" aria-label="Headline figures">',
        *cards,
        "</section>",
        *trend_chart(h),
    ]


def _card(name: str, value: str, label: str, how: str, *, alarm: bool = False) -> str:
    classes = "figure alarm" if alarm else "figure"
    return (
        f'<div class="{classes}" data-figure="{name}"><div class="value">{esc(value)}</div>'
        f'<p class="label">{esc(label)}</p><p class="how">How counted: {cell_html(how)}</p></div>'
    )


def _coming_section(h: Headline) -> list[str]:
    out = [
        "<h2>Key-worker changes and handovers, "
        f"{date_html(h.coming_from)} to {date_html(h.coming_to)}</h2>"
    ]
    if not h.coming_changes and not h.coming_handovers:
        return [*out, "<p>None planned.</p>"]
    items: list[tuple[date, str, str, str | None, str]] = [
        (c.day, c.child, "key-worker change", c.outgoing, c.incoming) for c in h.coming_changes
    ]
    items += [(x.day, x.child, "handover session", x.worker, x.with_worker)
              for x in h.coming_handovers]  # fmt: skip
    rows: list[tuple[Sequence[object], Sequence[object], bool]] = [
        (
            [date_html(day), ref_html(child), what, ref_html(was or "none"), ref_html(then)],
            [],
            False,
        )
        for day, child, what, was, then in sorted(items, key=lambda i: (i[0], i[1]))
    ]
    return [*out, _table(("date", "child", "what", "from / by", "to / with"), rows)]


def _trend_table_section(h: Headline) -> list[str]:
    headers = ("month", "required", "met", "met %", "held", "planned", "with key worker",
               "with key worker %")  # fmt: skip
    rows = [
        (
            [Markup(f'<span class="date">{esc(month_label(m.month))}</span>')],
            [m.required, m.met, pct_text(m.met_pct), m.held, m.planned,
             m.held_with_key_worker + m.planned_with_key_worker, pct_text(m.key_worker_pct)],
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
    w = report.period
    for figures in report.delivery:
        plan = (
            Markup(f"plan {date_html(figures.horizon[0])} to {date_html(figures.horizon[1])}")
            if figures.horizon
            else "plan"
        )
        headers = (
            figures.team,
            Markup(f"delivered {date_html(w.start)} to {date_html(w.end)}"),
            plan,
        )
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
            [t.children, days_text(t.tenure_mean), days_text(t.tenure_median),
             ratio_text(t.upc_mean), ratio_text(t.upc_median), ratio_text(t.coc_mean),
             ratio_text(t.coc_median),
             pct_text(t.changed_once_pct), pct_text(t.changed_twice_pct), t.over_gap,
             wishes_text(t.wishes_honoured, t.wishes_stated, t.wishes_honoured_pct)],
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
        gap_text = (
            Markup(f"{gap.days} ({date_html(gap.start)} to {date_html(gap.end)})") if gap else "-"
        )
        wish = "-" if c.wishes_honoured is None else ("honoured" if c.wishes_honoured else "not")
        rows.append(
            (
                [ref_html(c.ref), c.team, c.risk,
                 ref_html(c.key_worker) if c.key_worker else "none",
                 date_html(c.key_worker_since) if c.key_worker_since else "-"],
                [count_text(c.tenure_days), c.sessions_held, c.sessions_with_key_worker,
                 ratio_text(c.upc), ratio_text(c.coc), c.changes, gap_text,
                 count_text(c.max_gap_days), wish],
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
    out += [f"<th>{cell_html(h)}</th>" for h in headers]
    out.append("</tr></thead><tbody>")
    for text, numbers, warn in rows:
        out.append('<tr class="warn">' if warn else "<tr>")
        out += [f"<td>{cell_html(v)}</td>" for v in text]
        out += [f'<td class="num">{cell_html(v)}</td>' for v in numbers]
        out.append("</tr>")
    out.append("</tbody></table></div>")
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
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return f"<h2>Definitions</h2><dl>{body}</dl>"
