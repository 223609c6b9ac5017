"""esgdata sources add, sources list and fetch: a newsroom in two commands; failures set the exit code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsroom import Site, serve

from esgdata import store
from esgdata.cli import cli


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
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_two_commands_follow_a_sitemap_and_fetch_it(site: Site, db: str) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["sources", "add", site.url("/sitemap.xml"), "--language", "en", "--db", db])
    assert added.exit_code == 0, added.output
    fetched = runner.invoke(cli, ["fetch", "--db", db])
    assert fetched.exit_code == 0, fetched.output
    assert "3 new, 0 updated" in fetched.output
    assert len(store.release_rows(store.connect(db))) == 3
    listed = runner.invoke(cli, ["sources", "list", "--db", db])
    assert (
        site.url("/sitemap.xml") in listed.output
        and "sitemap" in listed.output
        and "3 releases" in listed.output
    )
    again = runner.invoke(cli, ["fetch", "--db", db])
    assert "0 new, 0 updated, 3 unchanged" in again.output and "answered 304 Not Modified" in again.output


def test_a_fetch_with_failures_names_each_url_and_exits_1(site: Site, db: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["sources", "add", site.url("/news/"), "--organization", "Example Group", "--db", db])
    result = runner.invoke(cli, ["fetch", "--db", db, "--max-pages", "50", "--time-limit", "60"])
    assert result.exit_code == 1
    assert f"error: {site.url('/news/flaky.html')}: HTTP 404 Not Found" in result.output
    assert f"error: {site.url('/news/slow.html')}: timed out" in result.output


def test_bad_input_gets_a_clear_message(db: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["sources", "add", "www.example.com/news", "--db", db])
    assert result.exit_code == 1 and "not a web address" in result.output
    result = runner.invoke(cli, ["fetch", "--source", "7", "--db", db])
    assert result.exit_code == 1 and "no source with id 7" in result.output


def test_sources_remove_stops_following_and_keeps_the_releases(site: Site, db: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["sources", "add", site.url("/sitemap.xml"), "--language", "en", "--db", db])
    runner.invoke(cli, ["fetch", "--db", db])

    removed = runner.invoke(cli, ["sources", "remove", "1", "--db", db])

    assert removed.exit_code == 0, removed.output
    assert f"removed source 1: {site.url('/sitemap.xml')} (its releases stay)" in removed.output
    assert runner.invoke(cli, ["sources", "list", "--db", db]).output.strip() == ""
    assert len(store.release_rows(store.connect(db))) == 3
    again = runner.invoke(cli, ["sources", "remove", "1", "--db", db])
    assert again.exit_code == 1 and "no source with id 1" in again.output
