"""Adding a commitment the extraction missed, in a real browser: sign in, open a release, pick a
sentence, add it; it is highlighted in the release and stored as reviewer-added."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from esgdata import store, users

pytestmark = pytest.mark.browser
WAIT = 30_000
REVIEWER = "browser-lena"
PASSWORD = "a long enough password"
RELEASE = "stategrid-zh.txt"


def test_a_reviewer_adds_a_missed_commitment_from_the_release_reader(
    page: Page, e2e_store: tuple[str, Path, Engine]
) -> None:
    _, _, engine = e2e_store
    if store.get_user(engine, REVIEWER) is None:
        users.add_user(engine, users.operator(), REVIEWER, PASSWORD, "reviewer")
    before = store.release_body(engine, RELEASE)["commitments"]
    page.goto(f"/releases?release={RELEASE}")
    expect(page.get_by_text("Sign in as a reviewer to add a commitment")).to_be_visible(timeout=WAIT)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sign in", exact=True).first.click()
    sidebar.get_by_label("User name").fill(REVIEWER)
    sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text(f"Signed in as {REVIEWER}")).to_be_visible(timeout=WAIT)
    marks = page.locator(".esg-release mark")
    expect(marks).to_have_count(len(before), timeout=WAIT)

    page.get_by_text("Add a commitment the extraction missed").click()
    page.get_by_role("button", name="Add as a commitment").click()
    expect(page.get_by_text("Added as a commitment")).to_be_visible(timeout=WAIT)
    expect(marks).to_have_count(len(before) + 1, timeout=WAIT)
    added = [c for c in store.commitment_rows(engine) if c["source"] == "reviewer"]
    assert [c["source_file"] for c in added] == [RELEASE]
    audit = [r for r in store.audit_rows(engine) if r["action"] == "add commitment"]
    assert audit and audit[-1]["actor"] == REVIEWER
