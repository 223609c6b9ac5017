"""A real dashboard for browser tests: `streamlit run` on 127.0.0.1 over a store made from seeds/.

The browser is Debian's chromium driven by playwright (``executable_path``); nothing is
downloaded. Without chromium the tests skip, unless ESGDATA_REQUIRE_SERVICES=1 (CI), when
they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from esgdata import ingest, store, users

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_RELEASE = f"""{HOSTILE} CECEP news {HOSTILE_IMG}

Source: Wire     Date: 2024-02-02

CECEP will peak its carbon emissions by 2028 {HOSTILE} and cut coal use by 30% by 2030 {HOSTILE_IMG}.
"""
CHINESE_RELEASE = """国家电网发布服务碳达峰碳中和行动方案

来源：国家电网报　发布日期：2023年7月15日

7月15日，国家电网有限公司召开会议，发布服务碳达峰碳中和行动方案。

国家电网董事长辛保安表示，国家电网将力争2025年前实现电网碳排放达峰，到2030年新能源装机占比超过50%。\
公司始终坚持安全生产，持续推进乡村振兴。
"""


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("ESGDATA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (ESGDATA_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, or a skip (a failure under ESGDATA_REQUIRE_SERVICES=1)."""
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Engine]]:
    """seeds/ plus a Chinese and a hostile release: (database URL, data folder, engine)."""
    data = tmp_path_factory.mktemp("e2e-data")
    url = f"sqlite:///{data / 'e2e.db'}"
    engine = store.connect(url)
    ingest.load_seeds(engine, users.operator())
    extra = tmp_path_factory.mktemp("e2e-extra")
    (extra / "hostile.txt").write_text(HOSTILE_RELEASE, encoding="utf-8")
    (extra / "stategrid-zh.txt").write_text(CHINESE_RELEASE, encoding="utf-8")
    ingest.ingest(engine, users.operator(), [extra], max_bytes=2**20)
    yield url, data, engine
    engine.dispose()


@pytest.fixture(scope="session")
def app_url(chromium: str, e2e_store: tuple[str, Path, Engine]) -> Iterator[str]:
    """The dashboard served by `streamlit run` on a free loopback port, stopped after the session."""
    url, data, _ = e2e_store
    port = _free_port()
    env = {**os.environ, "ESGDATA_DB_URL": url, "ESGDATA_DATA_DIR": str(data)}
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log = data / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("streamlit did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def base_url(app_url: str) -> str:
    """pytest-playwright's base URL (defining it also avoids its deprecated fallback)."""
    return app_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], chromium: str) -> dict[str, Any]:
    """Launch Debian's chromium, quietly and without any network of its own."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A tall window: Streamlit scrolls inside its own container, so screenshots show what fits."""
    return {**browser_context_args, "viewport": {"width": 1500, "height": 2000}, "accept_downloads": True}


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests save their pictures: a temporary folder, so a test run leaves the checkout
    as it was; `make screenshots` sets ESGDATA_SCREENSHOTS to docs/screenshots/ to refresh the README's."""
    folder = Path(os.environ.get("ESGDATA_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
