"""In a real browser: uploads need a reviewer (a visitor and a viewer are told so and get no form),
a reload keeps a reviewer signed in through the session cookie, sign-out ends it, and a forged or
expired cookie signs nobody in."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine

from esgdata import sessions, store, users

pytestmark = pytest.mark.browser
WAIT = 30_000
PASSWORD = "a long enough password"
UPLOAD = (
    "Sinopec Pledges Hydrogen\n\nSource: Wire     Date: 2024-06-01\n\n"
    "Sinopec will build 1,000 hydrogen stations by 2030.\n"
)


def _account(engine: Engine, name: str, role: str) -> None:
    if store.get_user(engine, name) is None:
        users.add_user(engine, users.operator(), name, PASSWORD, role)


def _wait(page: Page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=WAIT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)


def _sign_in(page: Page, name: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sign in", exact=True).first.click()
    sidebar.get_by_label("User name").fill(name)
    sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=WAIT)


def _session_cookie(context: BrowserContext) -> str:
    return next((c["value"] for c in context.cookies() if c["name"] == sessions.COOKIE), "")


def _cookie_cleared(context: BrowserContext) -> None:
    """The app clears a cookie it refused or signed out (a script that runs a moment after the page)."""
    deadline = time.time() + 10
    while _session_cookie(context) and time.time() < deadline:
        time.sleep(0.2)
    assert _session_cookie(context) == ""


def _signed_out(page: Page) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Sign in", exact=True).first).to_be_visible(timeout=WAIT)
    expect(sidebar.get_by_text("Signed in as")).to_have_count(0)


def test_a_visitor_and_a_viewer_are_told_uploading_needs_a_reviewer_and_get_no_form(
    page: Page, e2e_store: tuple[str, Path, Engine]
) -> None:
    _, _, engine = e2e_store
    _account(engine, "browser-vic", "viewer")
    page.goto("/sources")
    expect(page.get_by_text("Uploading needs a reviewer or admin account")).to_be_visible(timeout=WAIT)
    _wait(page)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
    _sign_in(page, "browser-vic")
    expect(page.get_by_text("You are signed in as browser-vic, a viewer.")).to_be_visible(timeout=WAIT)
    _wait(page)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)


def test_a_reload_keeps_a_reviewer_signed_in_and_sign_out_ends_the_session(
    page: Page, context: BrowserContext, e2e_store: tuple[str, Path, Engine], tmp_path: Path
) -> None:
    _, _, engine = e2e_store
    _account(engine, "browser-rosa", "reviewer")
    page.goto("/sources")
    _sign_in(page, "browser-rosa")
    expect(page.get_by_test_id("stFileUploader")).to_have_count(1, timeout=WAIT)
    _wait(page)
    token = _session_cookie(context)
    assert token, "the sign-in left a session cookie"
    page.reload()
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as browser-rosa")).to_be_visible(
        timeout=WAIT
    )
    # Signed in after the reload, so the upload works and is audited with her name.
    upload = tmp_path / "sinopec-e2e.txt"
    upload.write_text(UPLOAD, encoding="utf-8")
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(str(upload))
    page.get_by_role("button", name="Ingest").click()
    expect(page.get_by_text(re.compile(r"1 file\(s\) read .*: 1 new"))).to_be_visible(timeout=WAIT)
    assert {r["actor"] for r in store.audit_rows(engine, "sinopec-e2e.txt")} == {"browser-rosa"}

    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    _signed_out(page)
    _wait(page)
    page.reload()
    _signed_out(page)
    _cookie_cleared(context)
    # The old token, put back by hand, signs nobody in: the session ended in the store.
    context.add_cookies([{"name": sessions.COOKIE, "value": token, "url": page.url}])
    page.reload()
    _signed_out(page)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)


@pytest.mark.parametrize("kind", ["forged", "expired"])
def test_a_forged_or_expired_cookie_signs_nobody_in(
    page: Page,
    context: BrowserContext,
    e2e_store: tuple[str, Path, Engine],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    _, data, engine = e2e_store
    _account(engine, "browser-rosa", "reviewer")
    monkeypatch.setenv("ESGDATA_DATA_DIR", str(data))  # the dashboard's own secret
    rosa = users.authenticate(engine, "browser-rosa", PASSWORD)
    if kind == "forged":
        token = sessions.start(engine, rosa, hours=1, key="not the dashboard's secret")
    else:
        token = sessions.start(engine, rosa, hours=0.0002, key=sessions.secret())  # 0.72 s
        time.sleep(1.5)
    page.goto("/sources")
    context.add_cookies([{"name": sessions.COOKIE, "value": token, "url": page.url}])
    page.reload()
    _wait(page)
    _signed_out(page)
    expect(page.get_by_text("Uploading needs a reviewer or admin account")).to_be_visible(timeout=WAIT)
    _cookie_cleared(context)
    # A genuine one works, so the refusals above are the token's fault and nothing else.
    good = sessions.start(engine, rosa, hours=1, key=sessions.secret())
    context.add_cookies([{"name": sessions.COOKIE, "value": good, "url": page.url}])
    page.reload()
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as browser-rosa")).to_be_visible(
        timeout=WAIT
    )
