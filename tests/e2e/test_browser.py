"""The dashboard in a real browser: load, filter, select a row, read the passage, download, screenshots."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import Engine

from esgdata import export, review, store
from esgdata.analysis import query

pytestmark = pytest.mark.browser
WAIT = 30_000


def _wait_for_app(page: Page) -> None:
    """Until the script run is over: Streamlit shows a running indicator while it works."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=WAIT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)


def _metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text()


def _no_dialogs(page: Page) -> list[str]:
    """Collects any alert() a hostile release might manage to run."""
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    return seen


def test_the_overview_loads_and_a_filter_narrows_it(
    page: Page, e2e_store: tuple[str, Path, Engine], screenshots: Path
) -> None:
    dialogs = _no_dialogs(page)
    _, _, engine = e2e_store
    total = store.counts(engine)["commitments"]
    page.goto("/")
    expect(page.get_by_test_id("stMetricValue").nth(1)).to_have_text(str(total), timeout=WAIT)
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT)
    _wait_for_app(page)
    page.screenshot(path=str(screenshots / "overview.png"))

    frame = query.load_commitments(engine)
    pledges = len(query.apply(frame, query.Filters(kinds=("pledge",))))
    assert 0 < pledges < total
    kind = page.get_by_role("combobox", name="Kind")
    kind.click()
    page.keyboard.type("pledge")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stMetricValue").nth(1)).to_have_text(str(pledges), timeout=WAIT)
    expect(page).to_have_url(re.compile(r"kind=pledge"))
    assert not dialogs


def test_selecting_a_row_shows_the_commitment_highlighted_in_its_paragraph(
    page: Page, e2e_store: tuple[str, Path, Engine], screenshots: Path
) -> None:
    _, _, engine = e2e_store
    frame = query.load_commitments(engine)
    view = query.apply(frame, query.Filters(kinds=("practice",)))
    newest = view.sort_values(["release_day", "source_file", "start"], ascending=[False, True, True]).iloc[0]
    page.goto("/commitments?kind=practice")
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible(timeout=WAIT)
    _wait_for_app(page)
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 17, box["y"] + 35 + 17)  # row 0's selection box (canvas grid, no DOM rows)
    mark = page.locator(".esg-passage mark")
    expect(mark).to_have_count(1, timeout=WAIT)
    expect(mark).to_have_text(re.compile(re.escape(" ".join(str(newest["text"]).split()[:4]))))
    assert " ".join(mark.inner_text().split()) == " ".join(str(newest["text"]).split())
    expect(page.get_by_text("Cue:")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Open the whole release"))).to_be_visible()
    page.screenshot(path=str(screenshots / "commitments.png"))
    assert newest["language"] == "zh"  # the newest practice is a Chinese release's: it shows as Chinese
    expect(page.locator(".esg-passage")).to_contain_text(str(newest["text"])[:12])


def test_a_release_reads_whole_with_every_commitment_highlighted(
    page: Page, e2e_store: tuple[str, Path, Engine], screenshots: Path
) -> None:
    _, _, engine = e2e_store
    seed = next(r for r in store.release_rows(engine) if r["source_file"].startswith("000_"))
    page.goto(f"/releases?release={seed['source_file']}")
    marks = page.locator(".esg-release mark")
    expect(marks).to_have_count(int(seed["commitments"]), timeout=WAIT)
    _wait_for_app(page)
    page.screenshot(path=str(screenshots / "releases.png"))


def test_a_hostile_release_shows_as_text_and_runs_nothing(page: Page) -> None:
    dialogs = _no_dialogs(page)
    page.goto("/releases?release=hostile.txt")
    expect(page.get_by_text("<script>alert(1)</script> CECEP news", exact=False).first).to_be_visible(
        timeout=WAIT
    )
    expect(page.locator(".esg-release mark")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator(".esg-release")).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator(".esg-release img, .esg-release script").count() == 0
    page.goto("/timeline")
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT)
    _wait_for_app(page)
    assert not dialogs


def test_the_timeline_draws_each_of_its_tabs(page: Page, screenshots: Path) -> None:
    page.goto("/timeline")
    expect(page.locator(".js-plotly-plot")).to_have_count(1, timeout=WAIT)
    _wait_for_app(page)
    page.screenshot(path=str(screenshots / "timeline.png"))
    for tab, shot in (("Target roadmap", "roadmap.png"), ("Themes over time", "themes-over-time.png")):
        page.get_by_role("tab", name=tab).click()
        expect(page.locator(".js-plotly-plot").filter(has_text=tab)).to_have_count(1, timeout=WAIT)
        _wait_for_app(page)
        page.screenshot(path=str(screenshots / shot))


def test_the_downloaded_csv_is_the_export_of_the_filtered_rows(
    page: Page, e2e_store: tuple[str, Path, Engine], tmp_path: Path, screenshots: Path
) -> None:
    _, _, engine = e2e_store
    page.goto("/download?kind=target")
    button = page.get_by_role("button", name=re.compile(r"commitments\.csv"))
    expect(button).to_be_visible(timeout=WAIT)
    _wait_for_app(page)
    page.screenshot(path=str(screenshots / "download.png"))
    download = None
    for _ in range(3):  # a click that lands while the page is still redrawing can be lost
        try:
            with page.expect_download(timeout=10_000) as info:
                button.click()
            download = info.value
            break
        except PlaywrightTimeout:
            _wait_for_app(page)
    assert download is not None, "no download after three clicks"
    assert re.fullmatch(r"commitments_kind-target_\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    rows = [r for r in review.reviewed_rows(engine) if r["kind"] == "target"]
    assert rows
    assert data == export.commitments_csv(rows).encode("utf-8")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(parsed[0])[: len(export.COMMITMENT_COLUMNS)] == list(export.COMMITMENT_COLUMNS)
    assert {r["kind"] for r in parsed} == {"target"} and len(parsed) == len(rows)
