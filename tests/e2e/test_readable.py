"""What only a browser shows: no outside request, nothing overlapping, no cut text, refusals in words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from esgdata import store, users

pytestmark = pytest.mark.browser
WAIT = 30_000
PAGES = ("", "timeline", "commitments", "releases", "sources", "download", "threads", "review")
TABS = ("Target roadmap", "Themes over time")


def _settle(page: Page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=WAIT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    page.wait_for_timeout(800)  # plotly and the grid draw after the script run ends


def test_a_tour_of_every_page_asks_no_host_but_the_dashboard(page: Page, app_url: str) -> None:
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url))
    for path in PAGES:
        page.goto(f"{app_url}/{path}")
        _settle(page)
    for tab in TABS:
        page.goto(f"{app_url}/timeline")
        _settle(page)
        page.get_by_role("tab", name=tab).click()
        _settle(page)
    assert hosts == {"127.0.0.1"}  # the page icon once came from a public font server


def _box(el: Any) -> dict[str, float] | None:
    return el.bounding_box() if el.count() else None


def _overlap(a: dict[str, float] | None, b: dict[str, float] | None) -> bool:
    if not a or not b:
        return False
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _check_charts(page: Page) -> int:
    charts = page.locator(".js-plotly-plot")
    for i in range(charts.count()):
        chart = charts.nth(i)
        title = _box(chart.locator(".gtitle").first)
        subtitle = _box(chart.locator(".gtitle-subtitle").first)
        legend = _box(chart.locator(".legend .bg").first)
        assert not _overlap(title, legend) and not _overlap(subtitle, legend), f"chart {i}: legend on title"
        ticks = chart.locator(".xtick text, .x2tick text")
        for j in range(ticks.count()):
            tick = ticks.nth(j)
            label = tick.text_content() or ""
            assert "00:00" not in label, f"chart {i}: a time of day on a date axis"
            assert not _overlap(title, _box(tick)) and not _overlap(subtitle, _box(tick)), (
                f"chart {i}: label {label!r} on the title"
            )
    return charts.count()


@pytest.mark.parametrize("height", [900, 2400])
def test_titles_legends_and_slanted_labels_never_overlap(browser: Browser, app_url: str, height: int) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": height})
    seen = 0
    for path, tab in (("", None), ("timeline", None), *(("timeline", t) for t in TABS)):
        page.goto(f"{app_url}/{path}")
        _settle(page)
        if tab:
            page.get_by_role("tab", name=tab).click()
            _settle(page)
        page.wait_for_selector(".js-plotly-plot", timeout=WAIT)
        page.wait_for_timeout(2500)  # the overview draws its four charts one after another
        seen += _check_charts(page)
    assert seen >= 7
    page.close()


def test_a_30_mb_upload_is_refused_in_words(
    page: Page, app_url: str, e2e_store: tuple[str, Path, Engine]
) -> None:
    engine = e2e_store[2]
    if store.get_user(engine, "browser-uploader") is None:  # uploading needs a reviewer
        users.add_user(engine, users.operator(), "browser-uploader", "a long enough password", "reviewer")
    page.goto(f"{app_url}/sources")
    _settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sign in", exact=True).first.click()
    sidebar.get_by_label("User name").fill("browser-uploader")
    sidebar.get_by_label("Password", exact=True).fill("a long enough password")
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("Signed in as browser-uploader")).to_be_visible(timeout=WAIT)
    _settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "huge.txt", "mimeType": "text/plain", "buffer": b"x" * 30_000_000}
    )
    expect(page.get_by_text("huge.txt").first).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Ingest").click()
    refusal = page.get_by_test_id("stAlertContentError").filter(has_text="huge.txt")
    expect(refusal).to_contain_text("is 30 MB, over the 20 MB limit", timeout=60_000)


# For every grid: the column and row edges from the canvas's border pixels, then each cell's text
# laid out with the grid's own font and line spacing (1.4 x the height of "ABCi09jgqpy").
_CUT_CELLS = """(el) => {
  const cv = el.querySelector('canvas[data-testid="data-grid-canvas"]');
  const W = cv.width, H = cv.height;
  const data = cv.getContext('2d').getImageData(0, 0, W, H).data;
  const border = (x, y) => { const i = (y * W + x) * 4;
    return Math.abs(data[i] - 232) < 5 && Math.abs(data[i + 1] - 229) < 5
      && Math.abs(data[i + 2] - 226) < 5; };
  const edges = (n, m, at) => { const out = [];
    for (let a = 0; a < n; a++) { let k = 0, t = 0;
      for (let b = 0; b < m; b += 2) { t++; if (at(a, b)) k++; }
      if (k > 0.85 * t && (!out.length || a - out[out.length - 1] > 2)) out.push(a); }
    return out; };
  const cols = [0, ...edges(W, H, (x, y) => border(x, y)), W];
  const rows = [...edges(H, W, (y, x) => border(x, y)), H];
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = '400 14px "Source Sans", sans-serif';
  const m = ctx.measureText('ABCi09jgqpy'); const em = m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
  const cut = [];
  for (const td of el.querySelectorAll('td[role="gridcell"]')) {
    const [c, r] = td.id.split('-').slice(2).map(Number);
    const text = td.textContent.replace(/\\n/g, ' ');
    if (!text || cols[c + 1] === undefined || rows[r + 1] === undefined) continue;
    const width = cols[c + 1] - cols[c] - 16, height = rows[r + 1] - rows[r];
    let lines = 1, line = '';
    for (const word of text.split(' ')) {
      const next = line ? line + ' ' + word : word;
      if (ctx.measureText(next).width <= width || !line) { line = next; continue; }
      lines++; line = word;
    }
    const tooWide = ctx.measureText(line).width > width + 1;
    const need = lines === 1 ? 0 : em + 1.4 * em * (lines - 1) + 3;
    if (tooWide || need > height || (lines > 1 && height <= 64))
      cut.push([td.id, text.slice(0, 40), lines, width, height]);
  }
  const heads = el.querySelectorAll('th[role="columnheader"]').length;
  const table = el.querySelector('table[role="grid"]');
  return {cut, heads, colcount: Number(table.getAttribute('aria-colcount')),
          drawn: el.querySelectorAll('tbody tr').length,
          rowcount: Number(table.getAttribute('aria-rowcount')) - 1};
}"""


@pytest.mark.parametrize("height", [900, 2400])
@pytest.mark.parametrize("path", ["commitments", "releases", "download", "threads?thread_status=all"])
def test_tables_show_every_cell_whole(browser: Browser, app_url: str, path: str, height: int) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.goto(f"{app_url}/{path}")
    _settle(page)
    grids = page.get_by_test_id("stDataFrame")
    expect(grids.first).to_be_visible(timeout=WAIT)
    page.wait_for_timeout(1500)
    for i in range(grids.count()):
        grid = grids.nth(i)
        grid.scroll_into_view_if_needed()
        report = grid.evaluate(_CUT_CELLS)
        assert report["heads"] == report["colcount"], f"{path} table {i}: columns out of sight"
        assert report["drawn"] == report["rowcount"], f"{path} table {i}: rows behind an inner scroll"
        assert report["cut"] == [], f"{path} table {i}: cut text"
    page.close()


def test_typed_release_dates_apply_on_enter(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/commitments")
    _settle(page)
    dates = page.get_by_role("textbox", name="Release dates")
    dates.fill("2023-01-01 to 2023-12-31")
    dates.press("Enter")
    expect(page).to_have_url(re.compile(r"from=2023-01-01.*to=2023-12-31"), timeout=WAIT)
