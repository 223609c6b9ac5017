"""The Threads page through AppTest: the list, one thread, its changes and delivery, review, escaping."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from app import auth, tables
from app import threads as page
from esgdata import ingest, store, users
from esgdata.analysis import query, threads
from esgdata.extraction.pipeline import extractor_version
from esgdata.models import Commitment, Extraction, Release, Span

ROOT = Path(__file__).resolve().parent.parent
# The real dashboard, with the Threads page registered for the run if app/nav.py does not list it yet.
SCRIPT = """
import sys
sys.path.insert(0, {root!r})
import dashboard
from app import nav
from app.threads import render_threads

real = nav.specs
if not any(s.url_path == "threads" for s in real()):
    nav.specs = lambda: (
        *real(), nav.PageSpec("threads", "Threads", ":material/conversion_path:", render_threads)
    )
try:
    dashboard.main(start="threads")
finally:
    nav.specs = real
"""
PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"

PROMISE = "CECEP will peak its carbon emissions by 2030."
TRAINING = "CECEP will train 5,000 employees in safe production every year."
RESTATED = "中国节能将力争在2028年前实现碳达峰。"
ACHIEVED = "CECEP has achieved its carbon peak ahead of schedule, the company said."
RELEASES = {
    "first.txt": f"""CECEP Sets Its Carbon Goal

Source: CECEP     Date: 2021-03-01

{PROMISE}

{TRAINING}
""",
    "second.txt": f"""中国节能更新双碳目标

来源：中国节能　　发布时间：2023年3月1日

{RESTATED}
""",
    "third.txt": f"""CECEP Reports Its Carbon Peak

Source: CECEP     Date: 2029-03-01

{ACHIEVED}
""",
}
HOSTILE_RELEASES = {
    "evil-1.txt": f"""{HOSTILE} CECEP Sets a Goal

Source: CECEP     Date: 2021-03-01

CECEP will peak its carbon emissions by 2030 {HOSTILE} now.
""",
    "evil-2.txt": f"""CECEP restates {HOSTILE_IMG}

Source: CECEP     Date: 2022-03-01

CECEP will peak its carbon emissions by 2028 {HOSTILE_IMG}.
""",
    "evil-3.txt": f"""CECEP Reports {HOSTILE_IMG}

Source: CECEP     Date: 2024-03-01

CECEP has achieved its carbon peak ahead of schedule {HOSTILE_IMG}.
""",
}


def app() -> AppTest:
    return AppTest.from_string(SCRIPT.format(root=str(ROOT)), default_timeout=60)


def _ingested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, releases: dict[str, str]) -> Engine:
    folder = tmp_path / "releases"
    folder.mkdir()
    for name, text in releases.items():
        (folder / name).write_text(text, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'threads.db'}"
    monkeypatch.setenv("ESGDATA_DB_URL", url)
    engine = store.connect(url)
    report = ingest.ingest(engine, users.operator(), [folder], max_bytes=10**6)
    assert report.failed == []
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    users.add_user(engine, users.operator(), "vic", PASSWORD, "viewer")
    return engine


@pytest.fixture
def followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """An English promise, its Chinese restatement with an earlier year, and a release reporting it done."""
    return _ingested(tmp_path, monkeypatch, RELEASES)


def _commitment(engine: Engine, text: str) -> dict[str, str]:
    return next(r for r in store.commitment_rows(engine) if r["text"] == text)


def _thread(engine: Engine, thread_id: str) -> dict[str, object]:
    return next(t for t in store.thread_rows(engine) if t["id"] == thread_id)


def _open(engine: Engine, text: str, user: users.User | None = None) -> AppTest:
    """The page with the thread of the commitment ``text`` open (by its link), as ``user``."""
    at = app()
    at.query_params["thread"] = _commitment(engine, text)["thread_id"]
    at.session_state[auth.USER_KEY] = user
    return at.run()


RITA = users.User("rita", "reviewer")
VIC = users.User("vic", "viewer")


def texts(at: AppTest) -> str:
    """Every markdown, caption, heading and alert of the page, Markdown escapes removed."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in (*at.title, *at.header, *at.subheader)]
    parts += [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _unwrapped(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's cells as text, without the line breaks that fit them to their column."""
    return frame.apply(lambda c: c.map(tables.unwrap) if pd.api.types.is_string_dtype(c) else c)


def statement_table(at: AppTest) -> pd.DataFrame:
    return _unwrapped(next(d.value for d in at.dataframe if "statement" in d.value.columns))


def thread_table(at: AppTest) -> pd.DataFrame:
    return _unwrapped(next(d.value for d in at.dataframe if "delivery_status" in d.value.columns))


def timeline_spec(at: AppTest) -> dict[str, object]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if any("statement" in str(t.get("name")) for t in s["data"]))


# ---------------------------------------------------------------- the list


def test_the_list_shows_each_thread_with_its_history_and_delivery_status(followed: Engine) -> None:
    at = app().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Threads"]
    table = thread_table(at)
    peak = _commitment(followed, PROMISE)["thread_id"]
    assert table["id"].tolist()[0] == peak  # latest statement first
    first = table.iloc[0]
    assert (first["organization"], first["label"], int(first["statements"])) == (
        "CECEP",
        "carbon peak · 2028",
        2,
    )
    assert (first["first_date"], first["last_date"]) == ("2021-03-01", "2023-03-01")
    assert first["year_history"] == "2021-03-01: 2030 → 2023-03-01: 2028"
    assert first["delivery_status"] == "reported done"
    assert table.iloc[1]["delivery_status"] == "promised"
    assert [m.value for m in at.metric] == ["2", "1", "0", "1"]  # threads, reported done, repeated, promised
    assert "Select a thread" in texts(at)


def test_selecting_a_row_opens_its_thread_and_puts_it_in_the_link(followed: Engine) -> None:
    at = app().run()
    key = page.table_key(query.Filters(), "Latest statement first", (), 1)
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    peak = _commitment(followed, PROMISE)["thread_id"]
    assert at.query_params["thread"] == peak
    assert at.subheader[0].value == "CECEP · carbon peak · 2028"


def test_the_sidebar_filters_decide_which_threads_are_listed(followed: Engine) -> None:
    at = app().run()
    at.multiselect(key="f_lang").set_value(["zh"]).run()
    assert thread_table(at)["label"].tolist() == ["carbon peak · 2028"]
    at.multiselect(key="f_lang").set_value([]).run()
    at.multiselect(key="f_theme").set_value(["health_safety"]).run()
    assert thread_table(at)["statements"].tolist() == [1]
    at.multiselect(key="f_theme").set_value([]).run()
    at.text_input(key="f_q").set_value("nothing like this anywhere").run()
    assert not at.exception
    assert not at.dataframe
    assert any("No commitments match these filters" in i.value for i in at.info)


def test_the_list_sorts_and_narrows_by_delivery_status(followed: Engine) -> None:
    at = app().run()
    at.selectbox(key="th_sort").set_value("Oldest promise first").run()
    at.selectbox(key="th_sort").set_value("Most statements").run()
    assert thread_table(at)["statements"].tolist() == [2, 1]
    at.selectbox(key="th_sort").set_value("Organisation").run()
    assert not at.exception
    at.multiselect(key="th_status").set_value(["promised"]).run()
    assert thread_table(at)["delivery_status"].tolist() == ["promised"]
    assert "**1** of 2 threads" in texts(at)


def test_the_status_chart_counts_threads_per_organisation(followed: Engine) -> None:
    at = app().run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = {t["name"]: t for t in spec["data"]}
    assert set(bars) == {"promised", "reported done"}
    assert bars["reported done"]["customdata"] == [["CECEP", "reported done"]]


# ---------------------------------------------------------------- one thread


def test_a_thread_shows_its_english_and_chinese_statements_and_the_year_that_moved(followed: Engine) -> None:
    at = _open(followed, PROMISE)
    assert not at.exception
    table = statement_table(at)
    assert table["statement"].tolist() == [PROMISE, RESTATED]
    assert table["date"].tolist() == ["2021-03-01", "2023-03-01"]
    assert table["language"].tolist() == ["en", "zh"]
    assert table["target years"].tolist() == ["2030", "2028"]
    shown = texts(at)
    assert "**year moved**: 2030 → 2028 (statement #2)" in shown
    assert "Target years:** 2021-03-01: 2030 → 2023-03-01: 2028" in shown
    spec = timeline_spec(at)
    names = [t["name"] for t in spec["data"]]
    assert "target statement" in names and "target year" in names and "reported done (proposed)" in names
    target = next(t for t in spec["data"] if t["name"] == "target statement")
    assert [c[0] for c in target["customdata"]] == [
        _commitment(followed, PROMISE)["id"],
        _commitment(followed, RESTATED)["id"],
    ]
    assert "中国节能将力争在2028年前" in target["hovertext"][1]


def test_a_thread_shows_the_release_that_reports_it_done(followed: Engine) -> None:
    at = _open(followed, RESTATED)
    shown = texts(at)
    assert f"“{ACHIEVED}”" in shown
    assert "third.txt · 2029-03-01 · score 1.00 · status **proposed**" in shown


def test_a_single_statement_thread_says_there_is_nothing_to_compare_or_deliver_yet(followed: Engine) -> None:
    at = _open(followed, TRAINING, RITA)
    shown = texts(at)
    assert "One statement so far" in shown
    assert "No later release of this organisation reports this promise done yet" in shown
    assert "A thread of one statement has nothing to split." in shown


def test_a_link_to_a_thread_that_is_gone_says_so(followed: Engine) -> None:
    at = app()
    at.query_params["thread"] = "Tgone0000000"
    at.run()
    assert not at.exception
    assert any("Tgone0000000" in w.value and "not in the store any more" in w.value for w in at.warning)


# ---------------------------------------------------------------- review


@pytest.mark.parametrize("user", [None, VIC], ids=["signed out", "viewer"])
def test_without_the_reviewer_role_there_are_no_controls_only_a_sentence(
    followed: Engine, user: users.User | None
) -> None:
    at = _open(followed, PROMISE, user)
    assert not at.exception
    assert not [b.key for b in at.button if str(b.key).startswith("th_")]
    assert [s.key for s in at.selectbox] == ["th_sort"]
    assert any("Reviewers can change threads" in i.value for i in at.info)


def test_a_reviewer_signed_in_through_the_sidebar_form_gets_the_controls(followed: Engine) -> None:
    at = app()
    at.query_params["thread"] = _commitment(followed, PROMISE)["thread_id"]
    at.run()
    assert not [b for b in at.button if str(b.key).startswith("th_")]
    at.text_input(key=auth.NAME_KEY).set_value("rita")
    at.text_input(key=auth.PASSWORD_KEY).set_value(PASSWORD)
    at.button(key=auth.SUBMIT_KEY).click().run()
    assert not at.exception
    assert [b for b in at.button if str(b.key).startswith("th_reject_")]
    assert not any("Reviewers can change threads" in i.value for i in at.info)


def test_a_reviewer_rejects_a_delivery_and_the_store_and_page_show_it(followed: Engine) -> None:
    peak = _commitment(followed, PROMISE)["thread_id"]
    (link,) = [d for d in store.delivery_rows(followed) if d["thread_id"] == peak]
    at = _open(followed, PROMISE, RITA)
    assert not any("Reviewers can change threads" in i.value for i in at.info)
    at.button(key=f"th_reject_{peak}_{link['achievement_id']}").click().run()
    assert not at.exception
    assert not at.error
    assert [d["status"] for d in store.delivery_rows(followed) if d["thread_id"] == peak] == ["rejected"]
    assert _thread(followed, peak)["delivery_status"] == "repeated"
    assert any(a["action"] == "delivery" and a["actor"] == "rita" for a in store.audit_rows(followed))
    shown = texts(at)
    assert "Delivery link rejected." in shown
    assert "status **rejected**" in shown
    assert "· **repeated** ·" in shown
    assert at.button(key=f"th_reject_{peak}_{link['achievement_id']}").disabled
    assert thread_table(at).set_index("id").loc[peak, "delivery_status"] == "repeated"
    at.button(key=f"th_confirm_{peak}_{link['achievement_id']}").click().run()
    assert _thread(followed, peak)["delivery_status"] == "reported done"
    assert "status **confirmed**" in texts(at)


def test_a_reviewer_splits_a_statement_out_of_its_thread(followed: Engine) -> None:
    peak = _commitment(followed, PROMISE)["thread_id"]
    zh = _commitment(followed, RESTATED)["id"]
    at = _open(followed, PROMISE, RITA)
    at.selectbox(key=f"th_pick_split_{peak}").set_value(zh)
    at.button(key=f"th_split_go_{peak}").click().run()
    assert not at.exception
    assert not at.error
    assert _commitment(followed, RESTATED)["thread_id"] != _commitment(followed, PROMISE)["thread_id"]
    assert any(a["action"] == "thread_split" for a in store.audit_rows(followed, zh))
    assert "The statement now has a thread of its own" in texts(at)
    assert at.query_params["thread"] == _commitment(followed, PROMISE)["thread_id"]
    assert statement_table(at)["statement"].tolist() == [PROMISE]
    assert len(thread_table(at)) == 3


def test_a_reviewer_merges_a_statement_into_another_thread_of_the_organisation(followed: Engine) -> None:
    training = _commitment(followed, TRAINING)
    promise = _commitment(followed, PROMISE)
    at = _open(followed, TRAINING, RITA)
    assert at.selectbox(key=f"th_pick_into_{training['thread_id']}").options == [
        f"carbon peak · 2028 · 2021-03-01 · {PROMISE}",
        f"carbon peak · 2028 · 2023-03-01 · {RESTATED}",
    ]
    at.selectbox(key=f"th_pick_into_{training['thread_id']}").set_value(promise["id"])
    at.button(key=f"th_merge_go_{training['thread_id']}").click().run()
    assert not at.exception
    assert not at.error
    assert _commitment(followed, TRAINING)["thread_id"] == _commitment(followed, PROMISE)["thread_id"]
    assert at.query_params["thread"] == _commitment(followed, PROMISE)["thread_id"]
    assert statement_table(at)["statement"].tolist() == [PROMISE, TRAINING, RESTATED]
    assert len(thread_table(at)) == 1


def test_a_split_statement_can_be_merged_back(followed: Engine) -> None:
    zh = _commitment(followed, RESTATED)
    promise = _commitment(followed, PROMISE)
    threads.split(followed, users.authenticate(followed, "rita", PASSWORD), zh["id"])
    at = _open(followed, RESTATED, RITA)
    alone = _commitment(followed, RESTATED)["thread_id"]
    at.selectbox(key=f"th_pick_into_{alone}").set_value(promise["id"])
    at.button(key=f"th_merge_go_{alone}").click().run()
    assert _commitment(followed, RESTATED)["thread_id"] == _commitment(followed, PROMISE)["thread_id"]
    assert "**year moved**: 2030 → 2028" in texts(at)


def test_a_reviewer_demoted_meanwhile_is_refused_with_an_error_and_nothing_changes(followed: Engine) -> None:
    peak = _commitment(followed, PROMISE)["thread_id"]
    (link,) = [d for d in store.delivery_rows(followed) if d["thread_id"] == peak]
    at = _open(followed, PROMISE, RITA)  # the session still says reviewer
    users.set_role(followed, users.operator(), "rita", "viewer")
    at.button(key=f"th_reject_{peak}_{link['achievement_id']}").click().run()
    assert not at.exception
    assert any("this needs a reviewer" in e.value.replace("\\", "") for e in at.error)
    assert [d["status"] for d in store.delivery_rows(followed) if d["thread_id"] == peak] == ["proposed"]


# ---------------------------------------------------------------- empty states and hostile text


def test_the_page_renders_on_the_seeds_the_app_loads_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESGDATA_DB_URL", f"sqlite:///{tmp_path / 'seeded.db'}")
    at = app().run()
    assert not at.exception
    engine = store.connect(f"sqlite:///{tmp_path / 'seeded.db'}")
    assert len(thread_table(at)) == min(len(store.thread_rows(engine)), page.PAGE_SIZE) > 0
    at.query_params["thread"] = str(thread_table(at)["id"][0])
    at.run()
    assert not at.exception
    assert len(statement_table(at)) >= 1


def test_an_empty_store_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESGDATA_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    (tmp_path / "no-seeds").mkdir()
    monkeypatch.setenv("ESGDATA_SEEDS_DIR", str(tmp_path / "no-seeds"))
    at = app().run()
    assert not at.exception
    assert any("Sources" in i.value for i in at.info)
    assert not at.dataframe


def test_commitments_stored_without_threads_point_to_the_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "first.txt").write_text(RELEASES["first.txt"], encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    monkeypatch.setenv("ESGDATA_DB_URL", url)
    engine = store.connect(url)
    extraction = ingest.process_file(tmp_path / "first.txt", 10**6)
    assert isinstance(extraction, Extraction)
    store.save(engine, extraction, "test")  # saved, never grouped
    at = app().run()
    assert not at.exception
    assert any("esgdata threads rebuild" in i.value for i in at.info)


def _hostile_organisation(engine: Engine) -> None:
    """A hand-made release whose organisation name is hostile, grouped like any other."""
    text = "They will peak their carbon emissions by 2030."
    release = Release(
        source_file="evil-org.txt",
        content_hash=hashlib.sha256(b"evil-org").hexdigest(),
        title="Evil",
        date="2022-01-01",
        source="Test wire",
        language="en",
        organization=HOSTILE,
        paragraphs=(text,),
    )
    commitment = Commitment(
        id="e" * 16,
        source_file="evil-org.txt",
        start=0,
        end=len(text),
        text=text,
        kind="target",
        themes=("climate",),
        pillars=("E",),
        target_years=(2030,),
        speaker="",
        organization=HOSTILE,
        confidence=0.9,
        cue=Span("target: test cue", 5, 9, "will"),
        extractor_version=extractor_version(),
    )
    store.save(engine, Extraction(release, (commitment,)), "test")
    threads.rebuild(engine, [HOSTILE])


def test_hostile_release_text_is_shown_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _ingested(tmp_path, monkeypatch, HOSTILE_RELEASES)
    _hostile_organisation(engine)
    cecep = next(t["id"] for t in store.thread_rows(engine) if t["organization"] == "CECEP")
    evil = next(t["id"] for t in store.thread_rows(engine) if t["organization"] == HOSTILE)
    for thread_id in (cecep, evil):
        at = app()
        at.query_params["thread"] = thread_id
        at.session_state[auth.USER_KEY] = RITA
        at.run()
        assert not at.exception
        for m in at.markdown:
            if m.proto.allow_html:
                assert "<script" not in m.value and "<img" not in m.value
            else:
                assert "<script" not in m.value.replace("\\<script", "")
                assert "<img" not in m.value.replace("\\<img", "")
        for element in (*at.subheader, *at.caption, *at.info, *at.success, *at.error):
            assert "<script" not in element.value.replace("\\<script", "")
            assert "<img" not in element.value.replace("\\<img", "")
        for chart in at.get("plotly_chart"):
            assert "<script" not in chart.proto.spec and "<img" not in chart.proto.spec
    assert HOSTILE in set(thread_table(at)["organization"])  # table cells are plain text
    assert at.subheader[0].value.startswith("\\<script\\>")
    at = app()
    at.query_params["thread"] = cecep
    at.run()
    shown = texts(at)
    assert f"CECEP has achieved its carbon peak ahead of schedule {HOSTILE_IMG}." in shown  # as text
    hover = timeline_spec(at)["data"][-1]["hovertext"][0]
    assert "schedule &lt;img src=x" in hover and "onerror=alert(1)&gt;." in hover  # escaped, then wrapped


# ---------------------------------------------------------------- the page's pure helpers


def test_changes_read_as_sentences_and_a_broken_cell_is_no_change() -> None:
    cell = json.dumps(
        [
            {"date": "2023-03-01", "kind": "year moved", "before": "2030;2060", "after": "2028;2060",
             "commitment_id": "b"},
            {"date": "2024-01-01", "kind": "number raised", "before": "50%", "after": "60%",
             "commitment_id": "c"},
            {"date": "2025-06-01", "kind": "stopped appearing", "before": "2024-01-01", "after": "",
             "commitment_id": "c"},
        ]
    )  # fmt: skip
    found = page.parse_changes(cell)
    numbers = {"a": 1, "b": 2, "c": 3}
    sentences = [page.change_sentence(c, numbers).replace("\\", "") for c in found]
    assert sentences[0] == "2023-03-01 · **year moved**: 2030, 2060 → 2028, 2060 (statement #2)"
    assert sentences[1] == "2024-01-01 · **number raised**: 50% → 60% (statement #3)"
    assert sentences[2].startswith("2025-06-01 · **stopped appearing**: last said on 2024-01-01")
    assert page.parse_changes("not json") == [] and page.parse_changes("") == []
    assert page.parse_changes('{"kind": "x"}') == []


def test_sorting_puts_undated_threads_last_and_delivered_first() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "organization": ["X", "Y", "Z"],
            "label": ["l", "l", "l"],
            "first_date": ["2020-01-01", "", "2021-01-01"],
            "last_date": ["2022-01-01", "", "2021-06-01"],
            "statements": [2, 1, 3],
            "delivery_status": ["repeated", "promised", "reported done"],
        }
    )
    assert page.sort_threads(frame, "Latest statement first")["id"].tolist() == ["a", "c", "b"]
    assert page.sort_threads(frame, "Oldest promise first")["id"].tolist() == ["a", "c", "b"]
    assert page.sort_threads(frame, "Delivery status")["id"].tolist() == ["c", "a", "b"]
    assert page.sort_threads(frame, "Most statements")["id"].tolist() == ["c", "a", "b"]
    assert page.with_status(frame, ("promised",))["id"].tolist() == ["b"]
    view = pd.DataFrame({"thread_id": pd.Categorical(["c", "", "a", "c"])})
    assert page.threads_in_view(frame, view)["id"].tolist() == ["a", "c"]
