"""The HTML report as a browser shows it: Debian's ``chromium``, headless, 1280 x 900.

Two runs of the real browser on a page written by ``report --html``:

* ``--dump-dom`` of a copy with a probe script appended: the script measures the laid
  out page (positions, computed styles, line boxes) and writes its findings into the
  DOM as JSON, which the dump carries back;
* ``--screenshot`` of the page itself: a PNG of the window's size that is not blank
  and shows the alarm colour of the open-high-alerts figure, i.e. the headline
  figures are on the first screen.

Without chromium the tests are skipped, except under ``CI=true`` (``.ci/run``
installs it), where a missing browser fails them, as a missing PostgreSQL does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli import report_cmd
from cli.context import AppContext
from scheduler.db import Database
from scheduler.models import Alert
from scheduler.settings import Settings
from tests.report.test_report_builders import (
    AS_OF,
    AS_OF_TEXT,
    hand_worked_team,
    held,
    key,
    make_child,
    make_plan,
    make_version,
    make_worker,
)

WIDTH, HEIGHT = 1280, 900
ALARM = (0xC0, 0x39, 0x2B)  # the value of "open high alerts" when there are any

PROBE = r"""
<script>
(() => {
  const viewport = window.innerWidth;
  const first = (sel) => document.querySelector(sel);
  const before = (a, b) =>
    !!(a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));
  const table = first("table");
  const wider = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > viewport + 0.5 || r.left < -0.5)) {
      wider.push(el.tagName + " " + (el.textContent || "").slice(0, 40));
    }
  }
  const unwrapped = (el) =>
    getComputedStyle(el).whiteSpace === "nowrap" && el.getClientRects().length === 1;
  const refs = [...document.querySelectorAll(".ref")];
  const dates = [...document.querySelectorAll(".date")];
  const labels = [...document.querySelectorAll("svg text.axis-month")].map((t) => t.textContent);
  const svgText = [...document.querySelectorAll("svg text")].map((t) => t.textContent);
  const figures = [...document.querySelectorAll(".headline .figure")].map((f) => ({
    name: f.dataset.figure,
    value: f.querySelector(".value").textContent,
    how: f.querySelector(".how").textContent,
    top: f.getBoundingClientRect().top,
  }));
  const out = {
    viewport,
    scrollWidth: document.documentElement.scrollWidth,
    wider,
    scrolling: [...document.querySelectorAll(".wide")]
      .filter((d) => d.scrollWidth > d.clientWidth + 0.5).length,
    headlineBeforeTable: before(first(".headline"), table),
    trendBeforeTable: before(first("svg.trend"), table),
    figures,
    firstTableTop: table ? table.getBoundingClientRect().top : null,
    refs: refs.length, refsUnwrapped: refs.filter(unwrapped).length,
    dates: dates.length, datesUnwrapped: dates.filter(unwrapped).length,
    wrappedExamples: [...refs, ...dates].filter((e) => !unwrapped(e)).slice(0, 5)
      .map((e) => e.textContent),
    labels,
    svgText,
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required under CI=true (.ci/run installs it) but missing")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return found


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, Database]]:
    """One backend is enough here: the page is the same; the browser is the slow part."""
    path = tmp_path / "keyworker.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    database = Database(url)
    yield url, database
    database.dispose()


def _browser(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", f"--user-data-dir={profile}",
               f"--window-size={WIDTH},{HEIGHT}", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def _page(url: str, database: Database, path: Path) -> None:
    """The hand-worked team, plus long refs, a coming change, a handover and an alert."""
    hand_worked_team(database)
    with database.transaction() as s:
        version = make_version(s, is_current=False)
        old = make_worker(s, ref="W-NORTH-0042", name="Sam Longname-Worker", team="North")
        new = make_worker(s, ref="W-NORTH-0043", name="Alex Other", team="North")
        for n in range(12):
            child = make_child(s, ref=f"YP-2026-{n:06d}", team="North")
            make_plan(s, child, start_date=date(2026, 9, 1))
            key(s, child, old, date(2026, 9, 1), date(2026, 12, 9) if n == 0 else None)
            held(s, child, old, date(2026, 10, 6 + n % 5), version=version)
            if n == 0:
                key(s, child, new, date(2026, 12, 10))
                held(s, child, old, date(2026, 12, 3), version=version, with_worker=new)
        s.add(Alert(id="A-0001", identity="x", kind="FROZEN_CHANGE", severity="high",
                    child_ref="YP-2026-000000", worker_ref=None, session_id=None,
                    start=date(2026, 11, 30), end=date(2026, 11, 30), message="m",
                    status="open", first_seen_version=1, last_seen_version=1,
                    created_at=AS_OF, updated_at=AS_OF))  # fmt: skip

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = context = AppContext(settings=Settings(), db_url=url, actor="t", now=AS_OF)
        ctx.call_on_close(context.close)

    report_cmd.register(app)
    result = CliRunner().invoke(app, ["report", "--as-of", AS_OF_TEXT, "--html", str(path)])
    assert result.exit_code == 0, result.output


def test_rendered_page_reads_first_fits_the_width_and_never_wraps_refs_or_dates(
    chromium: str, sqlite_database: tuple[str, Database], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    _page(*sqlite_database, page)
    probed = tmp_path / "probed.html"
    probed.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom = _browser(chromium, tmp_path / "profile", "--dump-dom", probed.as_uri()).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))

    # The headline figures, each with how it is counted, come before the first table.
    assert probe["headlineBeforeTable"] and probe["trendBeforeTable"]
    figures = {f["name"]: f for f in probe["figures"]}
    assert list(figures) == ["stable", "delivered", "alerts", "coming"]
    assert figures["alerts"]["value"] == "1"
    assert figures["coming"]["value"] == "1 / 1"
    assert figures["stable"]["value"] == "87 %"  # 13 of 15: YP-A and YP-B changed
    assert all(f["how"].startswith("How counted: ") for f in figures.values())
    assert all(f["top"] < HEIGHT for f in figures.values())  # on the first screen
    assert probe["firstTableTop"] > max(f["top"] for f in figures.values())

    # The page uses the width and nothing sticks out of it.
    assert probe["viewport"] == WIDTH
    assert probe["scrollWidth"] <= WIDTH
    assert probe["wider"] == []
    assert probe["scrolling"] == 0

    # Refs and dates are laid out on one line each.
    assert probe["refs"] >= 30 and probe["dates"] >= 30
    assert probe["refsUnwrapped"] == probe["refs"], probe["wrappedExamples"]
    assert probe["datesUnwrapped"] == probe["dates"], probe["wrappedExamples"]

    # Axis labels name the month and the whole year.
    month = re.compile(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}")
    assert len(probe["labels"]) >= 14 + 12  # the trend's months and the timeline's
    assert all(month.fullmatch(label) for label in probe["labels"]), probe["labels"]
    assert "Dec 2026" in probe["labels"]
    assert not [t for t in probe["svgText"] if re.fullmatch(r"[A-Z][a-z]{2} \d{2}", t)]


def test_screenshot_is_a_full_window_and_shows_the_headline(
    chromium: str, sqlite_database: tuple[str, Database], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    _page(*sqlite_database, page)
    shot = tmp_path / "report.png"
    _browser(chromium, tmp_path / "profile", f"--screenshot={shot}", page.as_uri())
    width, height, pixels = read_png(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    white = sum(1 for p in pixels if p == (255, 255, 255))
    assert 0.02 < 1 - white / len(pixels) < 0.6  # text and charts, not a blank page
    assert len(set(pixels)) > 50  # anti-aliased text and coloured charts
    assert ALARM in set(pixels)  # the open-high-alerts figure, on the first screen


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and pixels of an 8-bit RGB or RGBA PNG (what chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks, header = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up = previous[i]
            corner = previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + guess) & 0xFF
        rows.append(line)
        previous = line
    pixels = [tuple(row[x : x + 3]) for row in rows for x in range(0, stride, size)]
    return width, height, pixels
