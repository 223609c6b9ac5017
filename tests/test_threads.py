"""Threads: one promise followed across releases and languages, its changes, and reported delivery."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from esgdata import store, users
from esgdata.analysis import threads
from esgdata.analysis.threads import Statement
from esgdata.cli import cli
from esgdata.errors import PermissionDenied
from esgdata.ingest import ingest

PASSWORD = "correct horse"


def st(
    sid: str,
    text: str,
    date: str = "2021-01-01",
    org: str = "CECEP",
    kind: str = "target",
    years: tuple[int, ...] = (),
    themes: tuple[str, ...] = ("climate",),
) -> Statement:
    return Statement(
        sid, org, date, text, kind, frozenset(themes), years, threads.concepts_of(text), f"{sid}.txt"
    )


def test_concepts_are_the_same_in_english_and_chinese() -> None:
    assert threads.concepts_of("CECEP will peak carbon emissions by 2028") >= {"carbon_peak"}
    assert threads.concepts_of("中国节能力争2028年实现碳达峰") >= {"carbon_peak"}
    assert threads.concepts_of("中國節能力爭實現碳中和") == {"carbon_neutrality"}  # Traditional too


def test_an_english_and_a_chinese_statement_of_one_promise_are_alike() -> None:
    en = st("a", "CECEP will reach carbon neutrality by 2060.", years=(2060,))
    zh = st("b", "中国节能将力争在2060年前实现碳中和。", years=(2060,))
    assert threads.statement_similarity(en, zh) >= threads.JOIN_THRESHOLD


def test_statements_naming_nothing_in_common_are_never_one_promise() -> None:
    a = st("a", "CECEP will peak carbon emissions by 2028.", years=(2028,))
    b = st("b", "CECEP will expand its rural revitalization projects.", themes=("rural",))
    assert threads.statement_similarity(a, b) == 0.0


def test_grouping_puts_one_organisations_same_promise_in_one_thread_and_keeps_others_apart() -> None:
    statements = [
        st("a", "CECEP will peak carbon emissions by 2030.", "2020-05-01", years=(2030,)),
        st("b", "CECEP will peak its carbon emissions by 2028.", "2022-05-01", years=(2028,)),
        st(
            "c",
            "CECEP will train 5,000 employees in safe production.",
            "2022-06-01",
            themes=("health_safety",),
        ),
        st("d", "SPIC will peak carbon emissions by 2030.", "2021-01-01", org="SPIC", years=(2030,)),
    ]
    grouped = threads.group(statements)
    members = sorted(sorted(m.id for m in t.members) for t in grouped)
    assert members == [["a", "b"], ["c"], ["d"]]


def test_grouping_is_the_same_whatever_order_the_releases_came_in() -> None:
    statements = [
        st("a", "CECEP will peak carbon emissions by 2030.", "2020-05-01", years=(2030,)),
        st("b", "CECEP will peak its carbon emissions by 2028.", "2022-05-01", years=(2028,)),
        st("c", "中国节能将力争2028年实现碳达峰。", "2023-01-01", years=(2028,)),
    ]
    one = {t.id: [m.id for m in t.members] for t in threads.group(statements)}
    other = {t.id: [m.id for m in t.members] for t in threads.group(list(reversed(statements)))}
    assert one == other
    assert list(one) == [threads.thread_id(statements[0])], "a thread is named after its first statement"


def test_a_reviewers_split_and_merge_override_the_grouping() -> None:
    a = st("a", "CECEP will peak carbon emissions by 2030.", "2020-05-01", years=(2030,))
    b = st("b", "CECEP will peak its carbon emissions by 2028.", "2022-05-01", years=(2028,))
    c = st(
        "c", "CECEP will train 5,000 employees in safe production.", "2022-06-01", themes=("health_safety",)
    )
    split = threads.group([a, b, c], {"b": None})
    assert len(split) == 3
    merged = threads.group([a, b, c], {"c": "a"})
    assert sorted(sorted(m.id for m in t.members) for t in merged) == [["a", "b", "c"]]


def test_changes_list_a_moved_year_a_raised_number_a_new_kind_and_silence() -> None:
    t = threads.group(
        [
            st(
                "a",
                "SPIC aims to raise its clean energy share to 50%.",
                "2019-01-01",
                org="SPIC",
                kind="pledge",
            ),
            st(
                "b",
                "SPIC will raise its clean energy share to 60% by 2030.",
                "2021-01-01",
                org="SPIC",
                years=(2030,),
            ),
            st(
                "c",
                "SPIC will raise its clean energy share to 70% by 2025.",
                "2023-01-01",
                org="SPIC",
                years=(2025,),
            ),
        ]
    )[0]
    found = {(c.kind, c.before, c.after) for c in threads.changes(t, organization_last_date="2025-06-01")}
    assert ("became a target", "pledge", "target") in found
    assert ("number raised", "50%", "60%") in found
    assert ("year moved", "2030", "2025") in found
    assert ("stopped appearing", "2023-01-01", "") in found


def test_a_later_reported_achievement_is_linked_as_delivery_but_not_an_earlier_one() -> None:
    grouped = threads.group(
        [st("a", "CECEP will peak carbon emissions by 2030.", "2020-05-01", years=(2030,))]
    )
    achievements = [
        {
            "id": "x1",
            "organization": "CECEP",
            "release_date": "2029-01-01",
            "source_file": "late.txt",
            "text": "CECEP has achieved its carbon peak ahead of schedule.",
            "themes": "climate",
        },
        {
            "id": "x2",
            "organization": "CECEP",
            "release_date": "2019-01-01",
            "source_file": "early.txt",
            "text": "CECEP has achieved its carbon peak ahead of schedule.",
            "themes": "climate",
        },
        {
            "id": "x3",
            "organization": "SPIC",
            "release_date": "2029-01-01",
            "source_file": "other.txt",
            "text": "SPIC has achieved its carbon peak.",
            "themes": "climate",
        },
        {
            "id": "x4",
            "organization": "CECEP",
            "release_date": "2029-01-01",
            "source_file": "late.txt",
            "text": "CECEP has completed 30 rural revitalization projects.",
            "themes": "rural",
        },
    ]
    assert [d.achievement_id for d in threads.link_deliveries(grouped, achievements)] == ["x1"]


FIRST = """CECEP Sets Its Carbon Goal

Source: CECEP     Date: 2021-03-01

CECEP will peak its carbon emissions by 2030 and reach carbon neutrality by 2060.

CECEP will train 5,000 employees in safe production every year.
"""
SECOND = """中国节能更新双碳目标

来源：中国节能　　发布时间：2023年3月1日

中国节能将力争在2028年前实现碳达峰，2060年前实现碳中和。
"""
THIRD = """CECEP Reports Its Carbon Peak

Source: CECEP     Date: 2029-03-01

CECEP has achieved its carbon peak ahead of schedule, the company said.
"""


@pytest.fixture
def followed(engine, tmp_path: Path):
    """A store with one promise made in English, restated in Chinese, and reported done."""
    folder = tmp_path / "releases"
    folder.mkdir()
    for name, text in (("first.txt", FIRST), ("second.txt", SECOND), ("third.txt", THIRD)):
        (folder / name).write_text(text, encoding="utf-8")
    report = ingest(engine, users.operator(), [folder], max_bytes=10**6)
    assert report.failed == []
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    return engine


def _thread_of(engine, opening: str) -> str:
    return next(r["thread_id"] for r in store.commitment_rows(engine) if r["text"].startswith(opening))


def test_ingest_groups_an_english_promise_and_its_chinese_restatement(followed) -> None:
    peak = _thread_of(followed, "CECEP will peak")
    assert peak and peak == _thread_of(followed, "中国节能将力争")
    assert _thread_of(followed, "CECEP will train") != peak
    row = next(t for t in store.thread_rows(followed) if t["id"] == peak)
    assert row["statements"] == 2 and row["first_date"] == "2021-03-01" and row["last_date"] == "2023-03-01"
    assert row["year_history"] == "2021-03-01: 2030/2060 -> 2023-03-01: 2028/2060"
    assert {"kind": "year moved", "before": "2030;2060", "after": "2028;2060"}.items() <= next(
        c for c in json.loads(row["changes"]) if c["kind"] == "year moved"
    ).items()
    assert row["delivery_status"] == "reported done"
    assert [d["source_file"] for d in store.delivery_rows(followed) if d["thread_id"] == peak] == [
        "third.txt"
    ]


def test_a_reviewers_split_is_audited_and_survives_a_re_ingest(followed, tmp_path: Path) -> None:
    zh = next(r["id"] for r in store.commitment_rows(followed) if r["text"].startswith("中国节能将力争"))
    threads.split(followed, users.authenticate(followed, "rita", PASSWORD), zh)
    assert _thread_of(followed, "中国节能将力争") != _thread_of(followed, "CECEP will peak")
    assert any(a["action"] == "thread_split" and a["actor"] == "rita" for a in store.audit_rows(followed, zh))
    (tmp_path / "releases" / "first.txt").write_text(FIRST + "\nCECEP attended a forum.\n", encoding="utf-8")
    ingest(followed, users.operator(), [tmp_path / "releases"], max_bytes=10**6)
    assert _thread_of(followed, "中国节能将力争") != _thread_of(followed, "CECEP will peak")


def test_a_rejected_delivery_no_longer_counts_and_a_viewer_cannot_decide(followed) -> None:
    peak = _thread_of(followed, "CECEP will peak")
    achievement = next(d["achievement_id"] for d in store.delivery_rows(followed) if d["thread_id"] == peak)
    users.add_user(followed, users.operator(), "vic", PASSWORD, "viewer")
    with pytest.raises(PermissionDenied):
        threads.decide_delivery(
            followed, users.authenticate(followed, "vic", PASSWORD), peak, achievement, confirmed=False
        )
    threads.decide_delivery(
        followed, users.authenticate(followed, "rita", PASSWORD), peak, achievement, confirmed=False
    )
    row = next(t for t in store.thread_rows(followed) if t["id"] == peak)
    assert row["delivery_status"] == "repeated"
    assert any(a["action"] == "delivery" and a["new_value"] == "rejected" for a in store.audit_rows(followed))


def test_export_writes_threads_csv_and_a_thread_column(followed, tmp_path: Path) -> None:
    url = followed.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["export", "--out-dir", str(tmp_path / "out"), "--db", url])
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "threads.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:8] == [
        "thread_id",
        "organization",
        "label",
        "first_date",
        "last_date",
        "statements",
        "target_year_history",
        "delivery_status",
    ]
    with (tmp_path / "out" / "commitments.csv").open(encoding="utf-8-sig") as f:
        assert {r["thread_id"] for r in csv.DictReader(f)} <= {r["thread_id"] for r in rows}


def test_extract_without_a_store_writes_the_same_threads(tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    folder.mkdir()
    for name, text in (("first.txt", FIRST), ("second.txt", SECOND)):
        (folder / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["extract", str(folder), "--out-dir", str(tmp_path / "out"), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "commitments.csv").open(encoding="utf-8-sig") as f:
        rows = {r["text"][:14]: r["thread_id"] for r in csv.DictReader(f)}
    assert rows["CECEP will pea"] == rows["中国节能将力争在2028年前"]


def test_a_thread_label_is_the_same_in_every_process() -> None:
    """Tied themes are named in id order: a set's order changes with the interpreter's hash seed."""
    import os
    import subprocess
    import sys

    script = (
        "from esgdata.analysis.threads import Statement, Thread\n"
        "t = Thread('T1', 'Acme')\n"
        "t.add(Statement('c1', 'Acme', '2024-01-01', 'We will do good things.', 'pledge',"
        " frozenset({'innovation', 'climate', 'rural'}), (), frozenset()))\n"
        "print(t.label)\n"
    )
    labels = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert labels == {"climate / innovation"}
