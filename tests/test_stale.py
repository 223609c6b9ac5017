"""Reviews that stay true across re-ingest: a stale review never reaches gold with values nobody
approved, wording back to what was reviewed is no longer stale, and stale and orphaned reviews
are counted where people look (the ingest summary, `esgdata info`)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from esgdata import review, store, users
from esgdata.cli import cli
from esgdata.extraction.pipeline import extract
from esgdata.ingest import ingest

PASSWORD = "long enough password"
NEUTRAL = "Tarnwick Power will reach carbon neutrality across its fleet by 2060."
WIND = "Tarnwick Power will build 300 MW of offshore wind capacity by 2030."
RELEASE = f"""Tarnwick Power Sets Out Its Plan

Source: Tarnwick Power     Date: 2024-03-01

{NEUTRAL} {WIND}
"""


@pytest.fixture
def reviewed(engine: Engine, tmp_path: Path) -> tuple[Engine, Path, users.User]:
    """The release stored, both commitments accepted by rita as extracted (2060 and 2030)."""
    path = tmp_path / "in" / "tarnwick.txt"
    path.parent.mkdir()
    path.write_text(RELEASE, encoding="utf-8")
    ingest(engine, users.operator(), [path], max_bytes=10**6)
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    rita = users.authenticate(engine, "rita", PASSWORD)
    rows = store.commitment_rows(engine)
    assert {r["text"] for r in rows} == {NEUTRAL, WIND}
    for row in rows:
        review.review(engine, rita, row["id"], status="accepted", expected_version=0)
    return engine, path, rita


def _gold(engine: Engine) -> dict[str, dict[str, object]]:
    return {c["text"]: c for r in review.gold_records(engine) for c in r["commitments"]}


def _reword(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_stale_accepted_review_never_reaches_gold_with_the_new_wordings_values(reviewed) -> None:
    engine, path, _ = reviewed
    assert _gold(engine)[NEUTRAL]["target_years"] == [2060]
    _reword(path, "by 2060", "by 2055")
    report = ingest(engine, users.operator(), [path], max_bytes=10**6)
    assert (report.stale, report.orphaned) == (1, 0)
    current = next(r for r in review.reviewed_rows(engine) if "2055" in r["text"])
    assert current["review_status"] == "accepted" and current["review_stale"] == "yes"
    assert current["target_years"] == "2055"  # what the extraction says now; nobody approved it
    gold = _gold(engine)
    assert set(gold) == {WIND}, "the stale review is left out of gold"
    assert all(2055 not in c["target_years"] for c in gold.values())


def test_gold_holds_the_approved_values_even_when_a_new_extraction_of_the_same_words_differs(
    reviewed,
) -> None:
    engine, _, _ = reviewed
    (release,) = store.reviewed_releases(engine)
    x = extract(store.stored_release(release))
    changed = dataclasses.replace(
        x,
        commitments=tuple(
            dataclasses.replace(c, target_years=(2055,), extractor_version="other-model")
            if c.text == NEUTRAL
            else dataclasses.replace(c, extractor_version="other-model")
            for c in x.commitments
        ),
        extractor_version="other-model",
    )
    store.save(engine, changed, "os:test")  # same words, other values (a model switch)
    assert next(r for r in store.commitment_rows(engine) if r["text"] == NEUTRAL)["target_years"] == "2055"
    assert _gold(engine)[NEUTRAL]["target_years"] == [2060]  # what rita approved


def test_wording_back_to_the_reviewed_one_is_no_longer_stale(reviewed) -> None:
    engine, path, _ = reviewed
    _reword(path, "by 2060", "by 2055")
    ingest(engine, users.operator(), [path], max_bytes=10**6)
    assert store.review_counts(engine)["stale"] == 1
    _reword(path, "by 2055", "by 2060")
    report = ingest(engine, users.operator(), [path], max_bytes=10**6)
    assert (report.stale, report.orphaned, report.restored) == (0, 0, 1)
    assert store.review_counts(engine) == {"reviews": 2, "stale": 0, "orphaned": 0}
    row = next(r for r in review.reviewed_rows(engine) if r["text"] == NEUTRAL)
    assert (row["review_status"], row["review_stale"]) == ("accepted", "")
    assert _gold(engine)[NEUTRAL]["target_years"] == [2060]
    assert any(a["action"] == "restored" for a in store.audit_rows(engine, row["id"]))


def test_an_orphaned_review_whose_words_come_back_is_attached_again(reviewed) -> None:
    engine, path, _ = reviewed
    _reword(path, f" {WIND}", "")
    assert ingest(engine, users.operator(), [path], max_bytes=10**6).orphaned == 1
    assert [r["reviewed_text"] for r in store.orphaned_reviews(engine)] == [WIND]
    path.write_text(RELEASE, encoding="utf-8")
    assert ingest(engine, users.operator(), [path], max_bytes=10**6).restored == 1
    assert store.review_counts(engine) == {"reviews": 2, "stale": 0, "orphaned": 0}


def test_the_ingest_summary_and_info_count_stale_and_orphaned_reviews(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    path = tmp_path / "in" / "tarnwick.txt"
    path.parent.mkdir()
    path.write_text(RELEASE, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(path), "--db", url]).exit_code == 0
    engine = store.connect(url)
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    rita = users.authenticate(engine, "rita", PASSWORD)
    for row in store.commitment_rows(engine):
        review.review(engine, rita, row["id"], status="accepted", expected_version=0)
    path.write_text(RELEASE.replace("by 2060", "by 2055").replace(f" {WIND}", ""), encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(path), "--db", url])
    assert result.exit_code == 0, result.output
    assert "1 review now stale, 1 orphaned" in result.output
    info = runner.invoke(cli, ["info", "--db", url])
    assert "reviews: 2 (1 stale, 1 orphaned)" in info.output
    listed = runner.invoke(cli, ["review", "orphaned", "--db", url])
    assert WIND in listed.output and "tarnwick.txt" in listed.output and "UTC" in listed.output
    out = tmp_path / "gold.jsonl"
    exported = runner.invoke(cli, ["review", "export", "--out", str(out), "--db", url])
    assert "1 stale reviews left out" in exported.output
    assert out.read_text(encoding="utf-8") == ""  # the stale one out, the orphaned one has no commitment


def test_a_reviewer_added_commitment_whose_words_come_back_is_no_longer_stale(reviewed) -> None:
    engine, path, rita = reviewed
    extra = "The board met in Leeds on Monday to plan new offshore wind farms."
    _reword(path, WIND, f"{WIND} {extra}")
    ingest(engine, users.operator(), [path], max_bytes=10**6)
    cid = review.add_commitment(engine, rita, "tarnwick.txt", extra, kind="practice", themes=["energy"])
    _reword(path, f" {extra}", "")
    assert ingest(engine, users.operator(), [path], max_bytes=10**6).stale == 1
    assert store.get_review(engine, cid)["stale"]
    _reword(path, WIND, f"{WIND} {extra}")
    assert ingest(engine, users.operator(), [path], max_bytes=10**6).restored == 1
    assert not store.get_review(engine, cid)["stale"]


def test_the_wording_difference_marks_words_in_english_and_characters_in_chinese() -> None:
    assert review.wording_diff(NEUTRAL, NEUTRAL.replace("2060", "2055")) == [
        ("same", "Tarnwick Power will reach carbon neutrality across its fleet by "),
        ("removed", "2060"),
        ("added", "2055"),
        ("same", "."),
    ]
    pieces = review.wording_diff("国家电网将力争2025年前实现碳达峰。", "国家电网将力争2028年前实现碳达峰。")
    assert ("removed", "2025") in pieces and ("added", "2028") in pieces
    assert "".join(t for op, t in pieces if op != "added") == "国家电网将力争2025年前实现碳达峰。"
    assert "".join(t for op, t in pieces if op != "removed") == "国家电网将力争2028年前实现碳达峰。"


def test_the_approved_values_are_kept_with_every_review(reviewed) -> None:
    engine, _, rita = reviewed
    cid = next(r["id"] for r in store.commitment_rows(engine) if r["text"] == WIND)
    saved = review.review(
        engine, rita, cid, status="accepted", expected_version=1, themes=["energy", "ecology"]
    )
    assert json.loads(saved["reviewed_values"]) == {
        "kind": "target",
        "themes": "energy;ecology",
        "target_years": "2030",
        "speaker": "",
        "organization": "Tarnwick Power",
    }
