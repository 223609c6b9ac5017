"""Two dashboard processes over one PostgreSQL store: a review saved through one is seen by the other.

Each process has its own engine and caches; the store's revision (bumped by every write, read on
every run) is what makes the second one read again. Needs ESGDATA_TEST_PG_URL and Debian's
chromium: without them the test skips, or fails under ESGDATA_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from conftest import PG_URL, ROOT, SEED, _reset_postgres, pg_connect, skip_or_fail
from playwright.sync_api import Page, Playwright, expect

from esgdata import ingest, store, users

pytestmark = pytest.mark.postgres
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "a long enough password"
WAIT = 30_000
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard(url: str, data: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free loopback port over ``url``; yields its address."""
    port = _free_port()
    env = {**os.environ, "ESGDATA_DB_URL": url, "ESGDATA_DATA_DIR": str(data)}
    env.pop("ESGDATA_REQUIRE_LOGIN", None)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log = data / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _wait_healthy(base: str, deadline: float) -> None:
    while True:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            if time.time() > deadline:
                pytest.fail(f"the dashboard at {base} did not start")
            time.sleep(0.2)


def _reviewed_share(page: Page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="Reviewed").first
    return metric.get_by_test_id("stMetricValue").inner_text()


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[str]:
    """The test PostgreSQL database holding the seed release and a reviewer; emptied afterwards."""
    if not PG_URL:
        skip_or_fail("no PostgreSQL server: set ESGDATA_TEST_PG_URL")
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    engine = pg_connect()  # as the app's role when there is one, as a team's dashboards connect
    url = engine.url.render_as_string(hide_password=False)
    ingest.ingest(engine, users.operator(), [SEED], max_bytes=10**7)
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    engine.dispose()
    yield url
    _reset_postgres(PG_URL)


def test_a_review_saved_through_one_dashboard_process_shows_in_another(
    pg_store: str, tmp_path: Path, playwright: Playwright
) -> None:
    engine = store.connect(pg_store)
    total = store.counts(engine)["commitments"]
    with ExitStack() as stack:
        first = stack.enter_context(dashboard(pg_store, tmp_path))
        second = stack.enter_context(dashboard(pg_store, tmp_path))
        deadline = time.time() + 30
        _wait_healthy(first, deadline)
        _wait_healthy(second, deadline)
        # pytest-playwright's own Playwright (one per test session), driving Debian's chromium.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        stack.callback(browser.close)

        # The second process shows nothing reviewed (and has read and cached the store).
        watcher = browser.new_page(viewport={"width": 1400, "height": 1600})
        watcher.goto(second + "/review")
        expect(watcher.get_by_test_id("stMetricValue").first).to_have_text(f"0 of {total}", timeout=WAIT)

        # A reviewer accepts the first commitment of the queue through the first process.
        reviewer = browser.new_page(viewport={"width": 1400, "height": 1600})
        reviewer.goto(first + "/review")
        sidebar = reviewer.get_by_test_id("stSidebar")
        sidebar.get_by_text("Sign in", exact=True).first.click()
        sidebar.get_by_label("User name").fill("rita")
        sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
        sidebar.get_by_role("button", name="Sign in").click()
        expect(reviewer.get_by_role("heading", name=f"1 of {total} in the queue")).to_be_visible(timeout=WAIT)
        cid = reviewer.get_by_text(re.compile(r"^Commitment id ")).inner_text().split()[-1]
        # A click that lands while the page is still redrawing can be lost: click again until it saved.
        for _ in range(3):
            reviewer.get_by_role("button", name="Accept").click()
            try:
                expect(reviewer.get_by_text("Saved as accepted")).to_be_visible(timeout=10_000)
                break
            except AssertionError:
                if store.get_review(engine, cid) is not None:
                    break
        saved = store.get_review(engine, cid)
        assert saved is not None and (saved["status"], saved["reviewed_by"]) == ("accepted", "rita")

        # The second process sees it on its next run: the progress and the queue both moved.
        watcher.reload()
        expect(watcher.get_by_test_id("stMetricValue").first).to_have_text(f"1 of {total}", timeout=WAIT)
        assert _reviewed_share(watcher) == f"1 of {total}"
        watcher.goto(second + "/review?status=accepted")
        expect(watcher.get_by_text(re.compile(r"^Showing 1 of"))).to_be_visible(timeout=WAIT)
    # Both processes appended to one chain, each write with rita's name.
    assert store.verify_audit(engine).ok
    assert {a["actor"] for a in store.audit_rows(engine, cid)} == {"rita"}
    engine.dispose()
