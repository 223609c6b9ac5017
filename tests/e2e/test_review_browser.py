"""Reviewing in a real browser: sign in, correct a commitment's themes, find it in the downloaded CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from app.charts import theme_label
from esgdata import export, review, store, users
from esgdata.extraction import lexicon

pytestmark = pytest.mark.browser
WAIT = 30_000
REVIEWER = "browser-rita"
PASSWORD = "a long enough password"


def _wait_for_app(page: Page) -> None:
    """Until the script run is over: Streamlit shows a running indicator while it works."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=WAIT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)


def _sign_in(page: Page, name: str, password: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sign in", exact=True).first.click()  # the expander
    sidebar.get_by_label("User name").fill(name)
    sidebar.get_by_label("Password", exact=True).fill(password)
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=WAIT)


def test_a_reviewer_signs_in_corrects_themes_and_downloads_them(
    page: Page, e2e_store: tuple[str, Path, Engine], tmp_path: Path, screenshots: Path
) -> None:
    _, _, engine = e2e_store
    if store.get_user(engine, REVIEWER) is None:
        users.add_user(engine, users.operator(), REVIEWER, PASSWORD, "reviewer")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/review")
    expect(page.get_by_text("Sign in as a reviewer")).to_be_visible(timeout=WAIT)
    _sign_in(page, REVIEWER, PASSWORD)
    expect(page.get_by_role("heading", name=re.compile(r"^1 of \d+ in the queue"))).to_be_visible(
        timeout=WAIT
    )
    _wait_for_app(page)
    cid = page.get_by_text(re.compile(r"^Commitment id ")).inner_text().split()[-1]
    before = store.get_commitment(engine, cid)
    assert before is not None and store.get_review(engine, cid) is None
    added = next(t for t in ("governance", "party", "esg") if t not in before["themes"].split(";"))
    expect(page.locator(".esg-passage mark")).to_have_count(1)  # its passage, highlighted

    themes = page.get_by_role("combobox", name="Themes", exact=True)
    themes.click()
    page.keyboard.type(theme_label(added))
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_label("Comment", exact=True).fill("themes checked in the browser")
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_text("Saved as corrected")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(re.compile(r"^Bulk accept the \d+ unreviewed"))).to_be_visible(timeout=WAIT)
    _wait_for_app(page)
    page.screenshot(path=str(screenshots / "review.png"))

    saved = store.get_review(engine, cid)
    assert saved is not None and saved["status"] == "corrected" and saved["reviewed_by"] == REVIEWER
    expected_themes = ";".join(t for t in lexicon.THEME_IDS if t in {*before["themes"].split(";"), added})
    assert saved["themes"] == expected_themes

    page.goto("/download")
    button = page.get_by_role("button", name=re.compile(r"commitments\.csv"))
    expect(button).to_be_visible(timeout=WAIT)
    _wait_for_app(page)
    with page.expect_download(timeout=WAIT) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    data = path.read_bytes()
    assert data == export.commitments_csv(review.reviewed_rows(engine)).encode("utf-8")  # the CLI's export
    row = next(r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))) if r["id"] == cid)
    assert row["themes"] == expected_themes and row["original_themes"] == before["themes"]
    assert (row["review_status"], row["reviewed_by"]) == ("corrected", REVIEWER)
    assert row["reviewed_at"] and row["review_comment"] == "themes checked in the browser"
    assert not dialogs
