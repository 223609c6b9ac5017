"""Following sources: a loopback news site fetched twice, changed, broken and fixed, through the library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsroom import Site, serve
from sqlalchemy import Engine

from esgdata import fetch, review, store, users
from esgdata.errors import EsgDataError, PermissionDenied, StoreError
from esgdata.users import User

ARTICLES = {
    "/news/2021/0603/a1.html",
    "/news/2021/0604/a2.html",
    "/news/2021/0605/a3.html",
    "/news/changing.html",
    "/en/2021/green-bond.html",
    "/en/2021/wind-farm.html",
    "/en/2021/climate-plan.pdf",
}
FAILING = {"/news/flaky.html", "/news/slow.html"}


@pytest.fixture(autouse=True)
def _quick_and_polite(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pause between requests (the pacing has its own test) and a short wait for the slow page."""
    monkeypatch.setenv("ESGDATA_FETCH_DELAY", "0")
    monkeypatch.setenv("ESGDATA_FETCH_TIMEOUT", "0.5")


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        running.slow_seconds = 1.5
        yield running


@pytest.fixture
def reviewer(engine: Engine) -> User:
    return users.add_user(engine, users.operator(), "rita", "long enough", "reviewer")


def follow(engine: Engine, user: User, site: Site) -> list[dict[str, Any]]:
    fetch.add_source(engine, user, site.url("/news/"), organization="Example Group", language="")
    fetch.add_source(engine, user, site.url("/feed.xml"), language="en")
    fetch.add_source(engine, user, site.url("/sitemap.xml"))
    return fetch.list_sources(engine)


def by_path(engine: Engine, site: Site) -> dict[str, dict[str, Any]]:
    """The stored releases that came from the site, by URL path."""
    return {r["url"].removeprefix(site.base): r for r in store.release_rows(engine) if r["url"]}


def test_a_fetch_stores_exactly_the_allowed_articles_and_reports_failures_by_url(
    engine: Engine, reviewer: User, site: Site
) -> None:
    follow(engine, reviewer, site)
    report = fetch.fetch(engine, reviewer)

    releases = by_path(engine, site)
    assert set(releases) == ARTICLES
    assert not site.requested("/private/internal-note.html"), "robots.txt forbids /private/"
    assert report.sources[0].forbidden == [site.url("/private/internal-note.html")]
    assert {f.path.removeprefix(site.base): f.reason for f in report.failures} == {
        "/news/flaky.html": "HTTP 404 Not Found",
        "/news/slow.html": "timed out (no answer within 0.5 s)",
    }
    assert not report.ok
    assert [s.kind for s in report.sources] == ["list", "feed", "sitemap"]
    # The pages were read faithfully: encodings, titles, publication dates, formats, organisation.
    a2, a3 = releases["/news/2021/0604/a2.html"], releases["/news/2021/0605/a3.html"]
    assert (a2["release_title"], a2["release_date"]) == ("示例集团发布年度社会责任报告", "2021-06-04")
    assert (a3["release_title"], a3["release_date"]) == ("示例集团签署乡村振兴战略合作协议", "2021-06-05")
    assert releases["/news/2021/0603/a1.html"]["organization"] == "Example Group"
    assert releases["/en/2021/climate-plan.pdf"]["format"] == "pdf"
    assert releases["/en/2021/green-bond.html"]["language"] == "en"
    assert releases["/en/2021/wind-farm.html"]["release_date"] == "2021-06-11"
    every_request = [h for h in site.hits]
    assert all(h.headers["user-agent"].startswith("esgdata/") for h in every_request)
    listed = {row["url"]: row for row in fetch.list_sources(engine)}
    news = listed[site.url("/news/")]
    assert (news["last_status"], news["last_new"], news["last_failed"]) == ("partial", 4, 2)
    assert "flaky.html: HTTP 404" in news["last_error"]


def test_fetching_twice_changes_nothing_and_every_page_is_a_conditional_hit(
    engine: Engine, reviewer: User, site: Site
) -> None:
    follow(engine, reviewer, site)
    fetch.fetch(engine, reviewer)
    releases, commitments = store.release_rows(engine), store.commitment_rows(engine)
    first = len(site.hits)

    again = fetch.fetch(engine, reviewer)

    assert store.release_rows(engine) == releases and store.commitment_rows(engine) == commitments
    assert [(s.new, s.updated, s.gone) for s in again.sources] == [(0, 0, 0)] * 3
    assert sum(s.unchanged for s in again.sources) == len(ARTICLES)
    second = [h for h in site.hits[first:] if h.path != "/robots.txt"]
    answered = [h for h in second if h.path not in FAILING]
    assert (
        answered and [h.path for h in answered if h.status != 304 or "if-none-match" not in h.headers] == []
    )
    assert again.revalidated == len(answered)
    assert {f.path.removeprefix(site.base) for f in again.failures} == FAILING


def test_a_changed_page_is_read_again_and_its_review_kept_marked_stale(
    engine: Engine, reviewer: User, site: Site
) -> None:
    follow(engine, reviewer, site)
    fetch.fetch(engine, reviewer)
    name = by_path(engine, site)["/news/changing.html"]["source_file"]
    (before,) = [
        c for c in store.commitment_rows(engine) if c["source_file"] == name and "30 percent" in c["text"]
    ]
    review.review(engine, reviewer, before["id"], status="accepted", expected_version=0, comment="checked")

    site.changing_version = 2
    report = fetch.fetch(engine, reviewer)

    assert [s.updated for s in report.sources] == [1, 0, 0]
    (after,) = [
        c for c in store.commitment_rows(engine) if c["source_file"] == name and "35 percent" in c["text"]
    ]
    kept = store.get_review(engine, after["id"])
    assert (
        kept is not None and kept["status"] == "accepted" and kept["stale"] and kept["comment"] == "checked"
    )
    assert store.get_review(engine, before["id"]) is None


def test_a_page_that_answers_404_then_200_is_reported_then_stored(
    engine: Engine, reviewer: User, site: Site
) -> None:
    follow(engine, reviewer, site)
    first = fetch.fetch(engine, reviewer)
    assert site.url("/news/flaky.html") in {f.path for f in first.failures}
    assert "/news/flaky.html" not in by_path(engine, site)

    site.flaky_status = 200
    second = fetch.fetch(engine, reviewer)

    assert second.sources[0].new == 1
    assert (
        by_path(engine, site)["/news/flaky.html"]["release_title"]
        == "Example Group opens its first offshore wind farm"
    )
    assert site.url("/news/flaky.html") not in {f.path for f in second.failures}


def test_a_page_that_disappears_keeps_its_release_and_is_marked_gone(
    engine: Engine, reviewer: User, site: Site
) -> None:
    follow(engine, reviewer, site)
    fetch.fetch(engine, reviewer)
    site.gone.add("/news/2021/0603/a1.html")

    report = fetch.fetch(engine, reviewer)

    assert report.sources[0].gone == 1
    assert "/news/2021/0603/a1.html" in by_path(engine, site), "the release stays"
    page = store.fetched_page(engine, site.url("/news/2021/0603/a1.html"))
    assert page is not None and (page["state"], page["http_status"]) == ("gone", 404)
    assert site.url("/news/2021/0603/a1.html") not in {f.path for f in report.failures}
    assert fetch.list_sources(engine)[0]["gone"] == 1


def test_a_failing_source_is_reported_with_its_reason_and_the_others_go_on(
    engine: Engine, reviewer: User, site: Site
) -> None:
    with serve() as other:
        dead = other.url("/news/")
    fetch.add_source(engine, reviewer, dead)  # that server has stopped: nothing listens there
    fetch.add_source(engine, reviewer, site.url("/sitemap.xml"))

    report = fetch.fetch(engine, reviewer)

    assert report.sources[0].status == "failed" and "could not be read" in report.sources[0].error
    assert report.failures[0].path == dead
    assert report.sources[1].new == 3
    assert fetch.list_sources(engine)[0]["last_status"] == "failed"


def test_the_page_cap_and_the_time_limit_leave_the_rest_for_the_next_run(
    engine: Engine, reviewer: User, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch.add_source(engine, reviewer, site.url("/news/"))
    capped = fetch.fetch(engine, reviewer, max_pages=2)
    assert capped.sources[0].requested == 2 and "page cap of 2" in capped.stopped
    assert len(store.release_rows(engine)) == 2

    monkeypatch.setenv("ESGDATA_FETCH_DELAY", "5")  # the next request would start after the limit
    limited = fetch.fetch(engine, reviewer, time_limit=1)
    assert "time limit of 1 s" in limited.stopped
    assert limited.requests <= 1


def test_since_leaves_out_articles_published_before_it_without_asking_for_them(
    engine: Engine, reviewer: User, site: Site
) -> None:
    fetch.add_source(engine, reviewer, site.url("/news/"))
    report = fetch.fetch(engine, reviewer, since="2021-06-05")
    assert not site.requested("/news/2021/0603/a1.html") and not site.requested("/news/2021/0604/a2.html")
    assert report.sources[0].older == 3  # the list dates them: a1, a2 and the robots-forbidden note
    assert "/news/2021/0605/a3.html" in by_path(engine, site)


def test_viewers_see_the_sources_but_only_reviewers_and_admins_add_or_fetch(
    engine: Engine, reviewer: User, site: Site
) -> None:
    viewer = users.add_user(engine, users.operator(), "vic", "long enough", "viewer")
    with pytest.raises(PermissionDenied):
        fetch.add_source(engine, viewer, site.url("/news/"))
    with pytest.raises(PermissionDenied):
        fetch.add_source(engine, None, site.url("/news/"))
    fetch.add_source(engine, reviewer, site.url("/news/"))
    with pytest.raises(PermissionDenied):
        fetch.fetch(engine, viewer)
    assert [s["url"] for s in fetch.list_sources(engine)] == [site.url("/news/")]
    assert not site.hits, "a refused fetch sends nothing"
    audit = [r for r in store.audit_rows(engine) if r["action"] == "source_add"]
    assert [(r["actor"], r["new_value"]) for r in audit] == [("rita", site.url("/news/"))]


def test_a_source_is_checked_before_it_is_stored(engine: Engine, reviewer: User) -> None:
    for bad in ("ftp://example.org/news/", "news page", "javascript:alert(1)"):
        with pytest.raises(EsgDataError, match="not a web address"):
            fetch.add_source(engine, reviewer, bad)
    with pytest.raises(EsgDataError, match="language"):
        fetch.add_source(engine, reviewer, "http://127.0.0.1:9/news/", language="fr")
    fetch.add_source(engine, reviewer, "http://127.0.0.1:9/news/#top")
    with pytest.raises(StoreError, match="already followed"):
        fetch.add_source(engine, reviewer, "HTTP://127.0.0.1:9/news/")
    with pytest.raises(StoreError, match="no source with id 42"):
        fetch.fetch(engine, reviewer, source_id=42)


def test_release_names_come_from_the_url_and_the_format() -> None:
    html = fetch.page_name("https://www.example.cn/news/2021/0603/a1.html", "text/html; charset=gbk")
    assert html.startswith("www.example.cn_news_2021_0603_a1-") and html.endswith(".html")
    assert fetch.page_name("https://www.example.cn/doc?id=3", "application/pdf").endswith(".pdf")
    assert fetch.page_name("https://x.org/a", "text/html") != fetch.page_name("https://x.org/b", "text/html")
    assert "/" not in fetch.page_name("https://x.org/../../etc/passwd", "")


def test_no_request_leaves_loopback(_no_request_leaves_loopback: list[str], tmp_path: Path) -> None:
    """The guard itself: a fetch of an outside address is refused and recorded (then cleared here)."""
    import socket

    with pytest.raises(OSError, match="tests stay on loopback"):
        socket.getaddrinfo("example.org", 80)
    with pytest.raises(OSError, match="tests stay on loopback"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    assert len(_no_request_leaves_loopback) == 2
    _no_request_leaves_loopback.clear()


def test_a_fetched_release_keeps_its_url_when_a_new_model_re_extracts_it(
    engine: Engine, reviewer: User, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esgdata import ingest
    from esgdata.extraction import pipeline

    fetch.add_source(engine, reviewer, site.url("/sitemap.xml"))
    fetch.fetch(engine, reviewer)
    monkeypatch.setattr(pipeline, "extractor_version", lambda weights=None: "another model")
    assert ingest.reextract(engine, users.operator(), "en") == 3
    assert {r["url"] for r in store.release_rows(engine)} != {""}
    assert set(by_path(engine, site)) == {
        "/en/2021/wind-farm.html",
        "/en/2021/climate-plan.pdf",
        "/en/2021/green-bond.html",
    }


def test_stopping_following_a_source_keeps_its_releases_and_is_audited(
    engine: Engine, reviewer: User, site: Site
) -> None:
    follow(engine, reviewer, site)
    fetch.fetch(engine, reviewer)
    kept = by_path(engine, site)
    news = next(s for s in fetch.list_sources(engine) if s["url"] == site.url("/news/"))
    viewer = users.add_user(engine, users.operator(), "vic", "long enough", "viewer")
    for nobody in (viewer, None):
        with pytest.raises(PermissionDenied):
            fetch.remove_source(engine, nobody, news["id"])

    assert fetch.remove_source(engine, reviewer, news["id"]) == site.url("/news/")

    assert [s["url"] for s in fetch.list_sources(engine)] == [site.url("/feed.xml"), site.url("/sitemap.xml")]
    assert store.source_pages(engine, news["id"]) == []
    assert by_path(engine, site) == kept, "the releases a source brought stay"
    audit = [r for r in store.audit_rows(engine) if r["action"] == "source_remove"]
    assert [(r["actor"], r["old_value"], r["new_value"]) for r in audit] == [("rita", site.url("/news/"), "")]
    with pytest.raises(StoreError, match=f"no source with id {news['id']}"):
        fetch.remove_source(engine, reviewer, news["id"])
    fetch.add_source(engine, reviewer, site.url("/news/"))  # and it can be followed again
