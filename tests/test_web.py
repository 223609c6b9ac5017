"""Polite HTTP: pacing per site, robots.txt (rules, Crawl-delay, unreachable), User-Agent, limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsroom import Site, serve

from esgdata.config import FetchSettings, load_fetch_settings
from esgdata.errors import ConfigError
from esgdata.web import Pacer, Web, user_agent

SETTINGS = FetchSettings(delay=0, timeout=2, time_limit=30, max_pages=10, depth=2, contact="")


class FakeTime:
    """A clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def web_for(tmp_path: Path, settings: FetchSettings = SETTINGS, max_bytes: int = 5_000_000) -> Web:
    return Web(settings, cache_path=tmp_path / "cache.db", max_bytes=max_bytes)


def test_one_site_is_asked_at_most_once_per_delay_and_other_sites_do_not_wait() -> None:
    fake = FakeTime()
    pacer = Pacer(1.0, clock=fake.clock, sleep=fake.sleep)
    for host in ("a.cn", "a.cn", "b.cn", "a.cn"):
        assert pacer.wait(host, deadline=1000)
    assert fake.slept == [1.0, 1.0]


def test_the_pacer_does_not_wait_past_the_deadline() -> None:
    fake = FakeTime()
    pacer = Pacer(10.0, clock=fake.clock, sleep=fake.sleep)
    assert pacer.wait("a.cn", deadline=105)
    assert not pacer.wait("a.cn", deadline=105)
    assert fake.slept == []


def test_a_crawl_delay_in_robots_txt_slows_the_fetcher_down(tmp_path: Path, site: Site) -> None:
    site.robots = "User-agent: *\nCrawl-delay: 3\n"
    fake = FakeTime()
    with web_for(tmp_path) as web:
        web.pacer = Pacer(0, clock=fake.clock, sleep=fake.sleep)
        web.deadline = time.monotonic() + 10_000  # the real clock: the run's robots.txt wait uses it
        assert web.get(site.url("/news/")).ok and web.get(site.url("/feed.xml")).ok
    assert fake.slept == [3.0]


def test_robots_rules_for_the_product_are_obeyed(tmp_path: Path, site: Site) -> None:
    site.robots = "User-agent: esgdata\nDisallow: /news/\n\nUser-agent: *\nAllow: /\n"
    with web_for(tmp_path) as web:
        answer = web.get(site.url("/news/"))
        assert not answer.ok and "robots.txt" in answer.error and "forbids" in answer.error
        assert web.get(site.url("/feed.xml")).ok
    assert not site.requested("/news/")


def test_an_unreachable_robots_txt_keeps_the_whole_site_off_limits(tmp_path: Path, site: Site) -> None:
    site.robots_status = 500
    with web_for(tmp_path) as web:
        answer = web.get(site.url("/news/"))
    assert "robots.txt" in answer.error and "could not be read (HTTP 500" in answer.error
    assert [h.path for h in site.hits] == ["/robots.txt"]


def test_a_missing_robots_txt_forbids_nothing(tmp_path: Path, site: Site) -> None:
    site.robots_status = 404
    with web_for(tmp_path) as web:
        assert web.get(site.url("/private/internal-note.html")).ok


def test_every_request_names_the_product_and_the_configured_contact(tmp_path: Path, site: Site) -> None:
    settings = FetchSettings(
        delay=0, timeout=2, time_limit=30, max_pages=10, depth=2, contact="esg@example.org"
    )
    with web_for(tmp_path, settings) as web:
        web.get(site.url("/news/"))
    assert {h.headers["user-agent"] for h in site.hits} == {user_agent("esg@example.org")}
    assert "esgdata/" in user_agent() and "+esg@example.org" in user_agent("esg@example.org")


def test_a_page_over_the_size_limit_is_refused_not_kept(tmp_path: Path, site: Site) -> None:
    with web_for(tmp_path, max_bytes=1000) as web:
        answer = web.get(site.url("/en/2021/climate-plan.pdf"))
    assert not answer.ok and "MB limit" in answer.error


def test_fetch_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_fetch_settings({}) == FetchSettings(1.0, 20.0, 600.0, 200, 3, "")
    for name, value in (
        ("ESGDATA_FETCH_DELAY", "-1"),
        ("ESGDATA_FETCH_MAX_PAGES", "ten"),
        ("ESGDATA_FETCH_DEPTH", "0"),
    ):
        with pytest.raises(ConfigError, match=name):
            load_fetch_settings({name: value})
