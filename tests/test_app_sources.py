"""The Sources page through AppTest: viewers see the list; reviewers add a URL and fetch now; links out."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsroom import Site, serve
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from test_app import EXTRACTIONS, HOSTILE, _select_row, _store, all_text, app
from test_app_review import PASSWORD, sign_in

from app.safe import web_url
from esgdata import fetch, store, users


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESGDATA_FETCH_DELAY", "0")
    monkeypatch.setenv("ESGDATA_FETCH_TIMEOUT", "0.5")


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        running.slow_seconds = 1.5
        yield running


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    engine = _store(tmp_path, monkeypatch, EXTRACTIONS)
    for name, role in (("rita", "reviewer"), ("vic", "viewer")):
        users.add_user(engine, users.operator(), name, PASSWORD, role)
    return engine


def sources_page(name: str = "") -> AppTest:
    at = app("sources").run()
    return sign_in(at, name) if name else at


def test_a_visitor_sees_the_sources_but_no_way_to_add_or_fetch(made: Engine, site: Site) -> None:
    fetch.add_source(made, users.authenticate(made, "rita", PASSWORD), site.url("/sitemap.xml"))
    at = sources_page()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sources"]
    assert list(at.dataframe[0].value["url"]) == [site.url("/sitemap.xml")]
    assert not [b for b in at.button if b.key in ("src_fetch", "src_add_submit")]
    assert "Sign in as a reviewer or admin" in all_text(at)
    assert "Uploading needs a **reviewer** or **admin** account" in all_text(at)


def test_a_viewer_signed_in_gets_no_forms_either(made: Engine) -> None:
    at = sources_page("vic")
    assert not at.exception
    assert not [b for b in at.button if b.key in ("src_fetch", "src_add_submit")]


def test_a_reviewer_follows_a_url_and_fetches_it_now(made: Engine, site: Site) -> None:
    at = sources_page("rita")
    at.text_input(key="src_url").input(site.url("/news/"))
    at.text_input(key="src_org").input("Example Group")
    at.button(key="src_add_submit").click().run()
    assert not at.exception
    assert "Following" in at.success[0].value
    assert list(at.dataframe[0].value["url"]) == [site.url("/news/")]
    before = store.counts(made)["releases"]

    at.button(key="src_fetch").click().run()

    assert not at.exception
    assert store.counts(made)["releases"] == before + 4
    assert "4 new" in at.warning[0].value, "a fetch with failures is a warning, not a success"
    errors = " ".join(e.value for e in at.error)
    assert "flaky\\.html" in errors and "HTTP 404" in errors and "slow\\.html" in errors
    table = at.dataframe[0].value
    assert (table.loc[0, "last_new"], table.loc[0, "last_status"]) == (4, "partial")


def test_a_bad_url_is_refused_with_the_reason(made: Engine) -> None:
    at = sources_page("rita")
    at.text_input(key="src_url").input(f"javascript:{HOSTILE}")
    at.button(key="src_add_submit").click().run()
    assert not at.exception
    assert "not a web address" in at.error[0].value and "<script>" not in at.error[0].value
    assert fetch.list_sources(made) == []


def test_a_reviewer_demoted_mid_session_cannot_fetch(made: Engine, site: Site) -> None:
    rita = users.authenticate(made, "rita", PASSWORD)
    fetch.add_source(made, rita, site.url("/sitemap.xml"))
    at = sources_page("rita")
    users.set_role(made, users.operator(), "rita", "viewer")
    at.button(key="src_fetch").click().run()
    assert "viewer" in at.error[0].value
    assert not site.hits


def test_a_fetched_release_links_to_its_original_page(made: Engine, site: Site) -> None:
    fetch.add_source(made, users.authenticate(made, "rita", PASSWORD), site.url("/sitemap.xml"))
    fetch.fetch(made, users.authenticate(made, "rita", PASSWORD))
    name = next(r["source_file"] for r in store.release_rows(made) if r["url"].endswith("wind-farm.html"))
    at = app("releases")
    at.query_params["release"] = name
    at.run()
    assert not at.exception
    (button,) = at.get("link_button")
    assert button.proto.url == site.url("/en/2021/wind-farm.html")
    table = at.dataframe[0].value
    assert site.url("/en/2021/wind-farm.html") in set(table["url"])


def test_a_release_url_that_is_not_http_is_never_a_link(made: Engine) -> None:
    x = EXTRACTIONS[0]
    hostile = dataclasses.replace(x.release, url="javascript:alert(1)", content_hash="0" * 64)
    assert store.save(made, dataclasses.replace(x, release=hostile), "test").status == "updated"
    assert store.release_body(made, x.release.source_file)["url"] == "javascript:alert(1)"
    at = app("releases")
    at.query_params["release"] = x.release.source_file
    at.run()
    assert not at.exception and not at.get("link_button")
    assert "javascript:alert(1)" not in set(at.dataframe[0].value["url"])


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("https://www.example.cn/news/a.html?id=3", "https://www.example.cn/news/a.html?id=3"),
        ("javascript:alert(1)", ""),
        ('https://x.org/"><script>', ""),
        ("data:text/html,hi", ""),
        ("//x.org/a", ""),
        (None, ""),
    ],
)
def test_only_http_addresses_become_links(value: object, safe: str) -> None:
    assert web_url(value) == safe


def test_a_commitment_from_a_fetched_page_links_to_the_original_page(made: Engine) -> None:
    x = EXTRACTIONS[0]
    fetched = dataclasses.replace(x.release, url="https://www.example.cn/news/a1.html", content_hash="1" * 64)
    store.save(made, dataclasses.replace(x, release=fetched), "test")
    at = _select_row(app("commitments").run(), x.commitments[0].text)
    assert not at.exception
    (button,) = at.get("link_button")
    assert button.proto.url == "https://www.example.cn/news/a1.html"


def test_a_reviewer_stops_following_the_chosen_source(made: Engine, site: Site) -> None:
    rita = users.authenticate(made, "rita", PASSWORD)
    first = fetch.add_source(made, rita, site.url("/sitemap.xml"))
    fetch.add_source(made, rita, site.url("/feed.xml"))
    at = sources_page("rita")
    assert at.button(key="src_remove").disabled, "with every source chosen there is nothing to stop"

    at.selectbox(key="src_only").select(str(first["id"])).run()
    at.button(key="src_remove").click().run()

    assert not at.exception
    assert "No longer following" in at.success[0].value
    assert list(at.dataframe[0].value["url"]) == [site.url("/feed.xml")]
    assert at.selectbox(key="src_only").value == ""


def test_visitors_and_viewers_get_no_stop_button(made: Engine, site: Site) -> None:
    fetch.add_source(made, users.authenticate(made, "rita", PASSWORD), site.url("/sitemap.xml"))
    for at in (sources_page(), sources_page("vic")):
        assert not [b for b in at.button if b.key == "src_remove"]
