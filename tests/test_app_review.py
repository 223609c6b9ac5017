"""Sign-in and the Review page through Streamlit's AppTest: who may review, every action's effect on
the store and on the downloaded CSV, the queue order, bulk accept, conflicts, escaping."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from test_app import (
    CTG_PEAK,
    EXTRACTIONS,
    HOSTILE,
    HOSTILE_IMG,
    PEAK,
    SAFETY,
    SASAC_ESG,
    SG_PEAK,
    SG_RURAL,
    _assert_escaped,
    _release,
    _store,
    all_text,
    app,
)

from app import download, tables
from app import review as review_page
from app.charts import theme_label
from esgdata import export, review, store, users
from esgdata.analysis import query
from esgdata.cli import cli
from esgdata.errors import PermissionDenied
from esgdata.extraction import lexicon

PASSWORD = "a long enough password"
ID = {c.text: c.id for x in EXTRACTIONS for c in x.commitments}
PEAK_REWORDED = "CECEP will peak its carbon emissions by 2025."
STALE_ID = "0000000000stale0"


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The hand-made store of test_app (six commitments) with two reviewers and a viewer."""
    engine = _store(tmp_path, monkeypatch, EXTRACTIONS)
    for name, role in (("rita", "reviewer"), ("tom", "reviewer"), ("vic", "viewer")):
        users.add_user(engine, users.operator(), name, PASSWORD, role)
    return engine


def person(engine: Engine, name: str) -> users.User:
    return users.authenticate(engine, name, PASSWORD)


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill the sidebar's sign-in form and submit it."""
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    return at.button(key="auth_submit").click().run()


def signed_in(name: str, page: str = "review", **params: str) -> AppTest:
    at = app(page)
    at.query_params.update(params)
    return sign_in(at.run(), name)


def shown_id(at: AppTest) -> str:
    """The id of the commitment the queue shows."""
    return next(c.value for c in at.caption if c.value.startswith("Commitment id ")).split()[-1]


def button_keys(at: AppTest) -> set[str]:
    return {str(b.key) for b in at.button}


def downloaded(engine: Engine, tmp_path: Path) -> dict[str, dict[str, str]]:
    """The Download page's commitments.csv, checked byte for byte against `esgdata export`; by id."""
    data = download.commitments_bytes(engine, query.Filters())
    out = tmp_path / "cli-export"
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["export", "--out-dir", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert data == (out / "commitments.csv").read_bytes()
    return {r["id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}


# ---------------------------------------------------------------- signing in


def test_signing_in_with_the_right_password_shows_who_is_signed_in_and_the_queue(made: Engine) -> None:
    at = app("review").run()
    assert "rv_accept" not in button_keys(at)
    at = sign_in(at, "rita")
    assert not at.exception
    assert any(c.value == "Signed in as **rita** (reviewer)" for c in at.sidebar.caption)
    assert "auth_sign_out" in button_keys(at)
    assert not {t.key for t in at.text_input} & {"auth_name", "auth_password"}  # the form is gone
    assert [t.label for t in at.tabs] == list(review_page.REVIEWER_TABS)
    assert at.subheader[0].value == "1 of 6 in the queue"
    assert {"rv_accept", "rv_reject", "rv_follow_up", "rv_skip", "rv_fix_submit"} <= button_keys(at)


def test_a_wrong_password_is_refused_and_nobody_is_signed_in(made: Engine) -> None:
    at = sign_in(app("review").run(), "rita", "not the password")
    assert not at.exception
    assert [e.value for e in at.sidebar.error] == ["wrong user name or password"]
    assert "auth_sign_out" not in button_keys(at) and "rv_accept" not in button_keys(at)
    assert "_auth_user" not in at.session_state


def test_signing_out_takes_the_review_controls_away(made: Engine) -> None:
    at = signed_in("rita")
    at = at.button(key="auth_sign_out").click().run()
    assert "rv_accept" not in button_keys(at) and "auth_submit" in button_keys(at)
    assert any("Sign in as a reviewer" in i.value for i in at.info)


def test_require_login_hides_everything_until_someone_signs_in(
    made: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESGDATA_REQUIRE_LOGIN", "1")
    at = app("commitments").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["ESG commitments"]
    assert not at.dataframe and not at.multiselect and not at.metric  # no table, no filters, no figures
    assert PEAK not in all_text(at) and "CECEP" not in all_text(at)
    assert {str(t.key) for t in at.text_input} == {"auth_name", "auth_password"}
    at = sign_in(at, "rita", "wrong password")
    assert not at.dataframe and [e.value for e in at.error] == ["wrong user name or password"]
    at = sign_in(at, "vic")  # any role may look once signed in
    assert [t.value for t in at.title] == ["Commitments"]
    assert len(at.dataframe[0].value) == 6


def test_without_the_setting_the_dashboard_shows_everything_to_visitors(made: Engine) -> None:
    at = app("commitments").run()
    assert [t.value for t in at.title] == ["Commitments"] and len(at.dataframe[0].value) == 6


# ---------------------------------------------------------------- who may review


def test_nobody_signed_in_sees_progress_quality_and_audit_and_is_told_to_sign_in(made: Engine) -> None:
    at = app("review").run()
    assert not at.exception
    assert any("Sign in as a reviewer (in the sidebar) to review" in i.value for i in at.info)
    assert [t.label for t in at.tabs] == list(review_page.VIEWER_TABS)
    assert not {k for k in button_keys(at) if k.startswith("rv_")}


def test_a_viewer_cannot_review_no_controls_and_the_data_layer_refuses_anyway(made: Engine) -> None:
    at = signed_in("vic")
    assert not at.exception
    assert [t.label for t in at.tabs] == list(review_page.VIEWER_TABS)
    assert not {k for k in button_keys(at) if k.startswith("rv_")}
    assert any("vic" in i.value and "may not review" in i.value for i in at.info)
    with pytest.raises(PermissionDenied):
        review.review(made, person(made, "vic"), ID[PEAK], status="accepted", expected_version=0)
    assert store.review_rows(made) == []


def test_a_reviewer_demoted_mid_session_is_refused_by_the_data_layer(made: Engine) -> None:
    at = signed_in("rita")
    cid = shown_id(at)
    users.set_role(made, users.operator(), "rita", "viewer")
    at = at.button(key="rv_accept").click().run()  # the button drawn while rita was a reviewer
    assert "may not review" in " ".join(i.value for i in at.info)
    assert "this needs a reviewer" in at.error[0].value
    assert store.get_review(made, cid) is None
    assert "rv_accept" not in button_keys(at)


# ---------------------------------------------------------------- reviewing


@pytest.mark.parametrize(
    ("key", "status"),
    [("rv_accept", "accepted"), ("rv_reject", "rejected"), ("rv_follow_up", "needs follow-up")],
)
def test_each_button_saves_its_status_and_the_download_shows_it(
    made: Engine, tmp_path: Path, key: str, status: str
) -> None:
    at = signed_in("rita")
    cid = shown_id(at)
    assert cid == ID[SG_RURAL]  # the lowest confidence comes first
    at.text_input(key="rv_comment").input(f"{status} by the test")
    at = at.button(key=key).click().run()
    assert not at.exception
    assert at.success[0].value == f"Saved as {review_page.md(status)} \\(review version 1\\)\\."
    saved = store.get_review(made, cid)
    assert saved is not None
    assert (saved["status"], saved["reviewed_by"], saved["comment"]) == (
        status,
        "rita",
        f"{status} by the test",
    )
    assert shown_id(at) != cid  # the queue moved on
    row = downloaded(made, tmp_path)[cid]
    assert (row["review_status"], row["reviewed_by"]) == (status, "rita")
    assert row["reviewed_at"].startswith(saved["reviewed_at"].strftime("%Y-%m-%dT%H:%M"))
    assert row["themes"] == "rural" and row["kind"] == "practice"  # nothing corrected
    assert [a["new_value"] for a in store.audit_rows(made, cid) if a["field"] == "status"] == [status]


def test_correcting_kind_and_themes_changes_the_store_and_the_download_keeps_the_original(
    made: Engine, tmp_path: Path
) -> None:
    at = signed_in("rita")
    cid = shown_id(at)  # SG_RURAL: practice, rural
    themes = at.multiselect(key="rv_themes")
    assert themes.value == ["rural"] and theme_label("esg") in themes.options  # readable labels
    assert at.selectbox(key="rv_kind").value == "practice"
    at.selectbox(key="rv_kind").set_value("pledge")
    at.multiselect(key="rv_themes").set_value(["rural", "esg"])
    at.text_area(key="rv_fix_comment").input("a pledge about ESG too")
    at = at.button(key="rv_fix_submit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Saved as corrected")
    saved = store.get_review(made, cid)
    assert saved is not None
    expected = ";".join(t for t in lexicon.THEME_IDS if t in {"rural", "esg"})
    assert (saved["status"], saved["kind"], saved["themes"]) == ("corrected", "pledge", expected)
    assert saved["speaker"] is None and saved["comment"] == "a pledge about ESG too"
    assert store.get_commitment(made, cid)["themes"] == "rural", "the extraction itself is kept"
    row = downloaded(made, tmp_path)[cid]
    assert (row["kind"], row["themes"], row["pillars"], row["review_status"]) == (
        "pledge",
        expected,
        "S;G",
        "corrected",
    )
    assert (row["original_kind"], row["original_themes"]) == ("practice", "rural")


def test_target_years_are_corrected_from_what_people_type_and_a_bad_year_is_refused(
    made: Engine,
) -> None:
    at = signed_in("rita")
    cid = shown_id(at)
    at.selectbox(key="rv_kind").set_value("target")
    at.text_input(key="rv_years").input("2035, 2030;2060")
    at = at.button(key="rv_fix_submit").click().run()
    assert store.get_review(made, cid)["target_years"] == "2030;2035;2060"
    at = signed_in("tom")
    cid = shown_id(at)
    at.text_input(key="rv_years").input("soon")
    at = at.button(key="rv_fix_submit").click().run()
    assert "target years must be years" in at.error[0].value
    assert store.get_review(made, cid) is None  # nothing written


def test_accept_keeps_an_earlier_correction_instead_of_dropping_it(made: Engine) -> None:
    review.review(
        made, person(made, "tom"), ID[SG_RURAL], status="needs follow-up", expected_version=0, themes=["esg"]
    )
    at = signed_in("rita", status="needs follow-up")
    assert shown_id(at) == ID[SG_RURAL]
    assert at.multiselect(key="rv_themes").value == ["esg"]  # the reviewed value, not the extracted one
    at = at.button(key="rv_accept").click().run()
    saved = store.get_review(made, ID[SG_RURAL])
    assert (saved["status"], saved["themes"], saved["version"]) == ("corrected", "esg", 2)


def test_accepting_what_is_shown_is_no_correction_whatever_order_the_themes_came_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Order Co will save water and cut carbon emissions by 2030."
    unordered = _release(
        "order.txt", "Order Co's plan", "2024-03-03", "en", "Order Co", [text],
        [{"text": text, "kind": "target", "themes": ["water", "climate"], "pillars": ["E"],
          "years": [2030], "confidence": 0.1, "cue": "will"}],
    )  # fmt: skip
    engine = _store(tmp_path, monkeypatch, [*EXTRACTIONS, unordered])
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    at = signed_in("rita")
    cid = unordered.commitments[0].id
    assert shown_id(at) == cid and store.get_commitment(engine, cid)["themes"] == "water;climate"
    at = at.button(key="rv_accept").click().run()
    saved = store.get_review(engine, cid)
    assert (saved["status"], saved["themes"], saved["target_years"]) == ("accepted", None, None)


def test_the_queue_puts_stale_then_unreviewed_lowest_confidence_first_then_follow_ups(made: Engine) -> None:
    rita = person(made, "rita")
    review.review(made, rita, ID[PEAK], status="accepted", expected_version=0)
    review.review(made, rita, ID[SG_RURAL], status="needs follow-up", expected_version=0)
    # The release is re-read with the reviewed commitment reworded: its review moves, marked stale.
    items = [
        {"text": PEAK_REWORDED, "kind": "target", "themes": ["climate"], "pillars": ["E"],
         "years": [2025], "confidence": 0.9, "cue": "will"},
        {"text": SAFETY, "kind": "practice", "themes": ["health_safety"], "pillars": ["S"],
         "confidence": 0.6, "cue": "has always"},
    ]  # fmt: skip
    again = _release(
        "cecep-2021.txt",
        "CECEP sets its carbon plan",
        "2021-03-01",
        "en",
        "CECEP",
        ["CECEP met in Beijing.", f"{PEAK_REWORDED} {SAFETY}"],
        items,
    )
    store.save(
        made,
        dataclasses.replace(
            again,
            release=dataclasses.replace(again.release, content_hash="reworded"),
            commitments=(dataclasses.replace(again.commitments[0], id=STALE_ID), again.commitments[1]),
        ),
        "test",
    )
    assert store.get_review(made, STALE_ID)["stale"]
    at = signed_in("rita")
    assert "1 stale, 4 unreviewed, 1 needing follow-up" in " ".join(c.value for c in at.caption)
    seen = []
    for _ in range(6):
        seen.append(shown_id(at))
        at = at.button(key="rv_skip").click().run()
    assert seen == [STALE_ID, ID[SAFETY], ID[SASAC_ESG], ID[CTG_PEAK], ID[SG_PEAK], ID[SG_RURAL]]
    assert any("went through all 6" in i.value for i in at.info)
    at = at.button(key="rv_restart").click().run()
    assert shown_id(at) == STALE_ID
    assert "stale" in " ".join(m.value for m in at.markdown)


def test_the_queue_follows_the_sidebar_filters(made: Engine) -> None:
    at = signed_in("rita", org="CECEP")
    assert at.subheader[0].value == "1 of 2 in the queue" and shown_id(at) == ID[SAFETY]


def test_bulk_accept_takes_the_unreviewed_commitments_in_view_once_confirmed(made: Engine) -> None:
    review.review(made, person(made, "tom"), ID[SAFETY], status="rejected", expected_version=0)
    at = signed_in("rita", lang="zh")  # three Chinese commitments
    bulk = at.button(key="rv_bulk")
    assert bulk.label == "Accept 3 commitments" and bulk.proto.disabled  # not before the confirmation
    at = at.checkbox(key="rv_bulk_confirm").check().run()
    assert not at.button(key="rv_bulk").proto.disabled
    at = at.button(key="rv_bulk").click().run()
    assert not at.exception
    assert at.success[0].value == "Accepted 3 commitments\\."
    statuses = {r["commitment_id"]: (r["status"], r["reviewed_by"]) for r in store.review_rows(made)}
    assert statuses == {
        ID[SAFETY]: ("rejected", "tom"),
        ID[SG_PEAK]: ("accepted", "rita"),
        ID[SG_RURAL]: ("accepted", "rita"),
        ID[CTG_PEAK]: ("accepted", "rita"),
    }
    assert at.checkbox(key="rv_bulk_confirm").value is False
    assert any("Nothing in view is waiting for review" in s.value for s in at.success)


def test_a_conflict_shows_what_the_other_reviewer_saved_and_overwrites_nothing(made: Engine) -> None:
    at = signed_in("rita")
    cid = shown_id(at)  # rita sees it unreviewed (version 0)...
    review.review(  # ...while tom saves it
        made, person(made, "tom"), cid, status="rejected", expected_version=0, comment="a past event"
    )
    at.text_input(key="rv_comment").input("fine by me")
    at = at.button(key="rv_accept").click().run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")
    assert message.startswith("Not saved, nothing was overwritten: tom saved this commitment at")
    assert "UTC as 'rejected'" in message and "the comment 'a past event'" in message
    saved = store.get_review(made, cid)
    assert (saved["status"], saved["reviewed_by"], saved["comment"], saved["version"]) == (
        "rejected",
        "tom",
        "a past event",
        1,
    )
    assert [a["actor"] for a in store.audit_rows(made, cid)] == ["tom", "tom"]  # status and comment
    # The page stays on that commitment and shows what is stored now, and rita's unsaved comment
    # stays where she typed it, beside what tom saved.
    assert shown_id(at) == cid
    text = all_text(at).replace("\\", "")
    assert "Review status **rejected**" in text and "last saved by tom" in text
    assert "Saved meanwhile by tom" in text and "Comment: a past event" in text
    assert "Your values, not saved" in text
    assert at.text_input(key="rv_comment").value == "fine by me"
    at = at.button(key="rv_accept").click().run()  # having seen it, rita may decide again
    saved = store.get_review(made, cid)
    assert (saved["status"], saved["comment"]) == ("accepted", "fine by me")
    assert "Saved meanwhile by tom" not in all_text(at).replace("\\", "")


def test_a_conflict_keeps_the_unsaved_correction_in_the_form_with_theme_names(made: Engine) -> None:
    at = signed_in("rita")
    cid = shown_id(at)
    tom_themes = ["governance", "risk_compliance"]
    review.review(made, person(made, "tom"), cid, status="accepted", expected_version=0, themes=tom_themes)
    extracted = store.get_commitment(made, cid)["themes"].split(";")
    mine = next(t for t in ("water", "party", "rural") if t not in extracted)
    at.multiselect(key="rv_themes").set_value([mine])
    at.text_input(key="rv_years").input("2045")
    at.text_area(key="rv_fix_comment").input("another theme")
    at = at.button(key="rv_fix_submit").click().run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")
    assert "themes Governance, Risk" in message and "governance;" not in message  # names, not ids
    # Her edits are still in the form; tom's values (theme names) are beside it.
    assert at.multiselect(key="rv_themes").value == [mine]
    assert at.text_input(key="rv_years").value == "2045"
    assert at.text_area(key="rv_fix_comment").value == "another theme"
    theirs = next(m.value for m in at.markdown if m.value.startswith("kind:") and "Governance" in m.value)
    assert "risk_compliance" not in theirs
    assert store.get_review(made, cid)["themes"] == "governance;risk_compliance"
    at = at.button(key="rv_fix_submit").click().run()  # she saves hers, knowingly
    saved = store.get_review(made, cid)
    assert (saved["themes"], saved["target_years"], saved["reviewed_by"]) == (mine, "2045", "rita")


def test_a_hostile_comment_is_stored_as_typed_and_always_shown_escaped(made: Engine) -> None:
    hostile = f"{HOSTILE} and {HOSTILE_IMG}"
    at = signed_in("rita")
    cid = shown_id(at)
    at.text_input(key="rv_comment").input(hostile)
    at = at.button(key="rv_follow_up").click().run()
    assert store.get_review(made, cid)["comment"] == hostile
    at = signed_in("tom", status="needs follow-up")
    assert shown_id(at) == cid
    _assert_escaped(at)
    assert any(m.value.startswith("**Comment:** \\<script\\>") for m in at.markdown)
    # A conflict message repeats the comment: escaped too.
    review.review(made, person(made, "rita"), cid, status="rejected", expected_version=1, comment=hostile)
    at = at.button(key="rv_accept").click().run()
    _assert_escaped(at)
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in at.error[0].value
    at.session_state[review_page.TAB_KEY] = "Audit log"
    at = at.run()
    _assert_escaped(at)
    table = at.dataframe[0].value
    assert hostile in {tables.unwrap(v) for v in table["new_value"]}  # a table cell shows it as text


# ---------------------------------------------------------------- progress, quality, audit


def _tab(at: AppTest, key: str, tab: str) -> AppTest:
    at.session_state[key] = tab
    return at.run()


def test_progress_shows_the_share_reviewed_per_organisation_and_theme(made: Engine) -> None:
    rita = person(made, "rita")
    review.review(made, rita, ID[PEAK], status="accepted", expected_version=0)
    review.review(made, rita, ID[SG_RURAL], status="rejected", expected_version=0)
    at = _tab(app("review").run(), review_page.VIEWER_TAB_KEY, "Progress")
    assert not at.exception
    assert at.metric[0].value == "2 of 6" and at.metric[1].value == "33%"
    by_org, by_theme = (d.value for d in at.dataframe[:2])
    shares = dict(zip(by_org["organization"], by_org["share"], strict=True))
    assert shares == {"CECEP": 0.5, "State Grid": 0.5, "SASAC": 0.0, "China Three Gorges": 0.0}
    themes = dict(zip(by_theme["themes"], by_theme["reviewed"], strict=True))
    assert themes[theme_label("climate")] == 1 and themes[theme_label("rural")] == 1


def test_quality_measures_precision_and_lists_the_corrections(made: Engine) -> None:
    rita = person(made, "rita")
    review.review(made, rita, ID[PEAK], status="accepted", expected_version=0)
    review.review(made, rita, ID[SAFETY], status="rejected", expected_version=0)
    review.review(made, rita, ID[SASAC_ESG], status="accepted", expected_version=0, themes=["governance"])
    at = _tab(signed_in("vic"), review_page.VIEWER_TAB_KEY, "Quality")
    assert not at.exception
    assert at.metric[0].value == "67%" and at.metric[1].value == "3"
    by_kind, by_theme, by_org, fixes = (d.value for d in at.dataframe)
    assert dict(zip(by_kind["kind"], by_kind["precision"], strict=True)) == {
        "practice": 0.0,
        "pledge": 1.0,
        "target": 1.0,
    }
    assert dict(zip(by_org["organization"], by_org["precision"], strict=True))["CECEP"] == 0.5
    assert theme_label("health_safety") in set(by_theme["themes"])
    assert fixes.to_dict("records") == [
        {
            "field": "themes",
            "extracted": theme_label("esg"),
            "corrected": theme_label("governance"),
            "times": 1,
        }
    ]


def test_quality_before_any_review_says_what_it_measures(made: Engine) -> None:
    at = _tab(app("review").run(), review_page.VIEWER_TAB_KEY, "Quality")
    assert any("precision is measured" in i.value for i in at.info) and not at.dataframe


def test_the_audit_log_is_listed_filtered_by_commitment_or_user_and_downloaded(made: Engine) -> None:
    rita, tom = person(made, "rita"), person(made, "tom")
    review.review(made, rita, ID[PEAK], status="accepted", expected_version=0)
    review.review(made, tom, ID[SAFETY], status="rejected", expected_version=0, comment="past")
    at = _tab(app("review").run(), review_page.VIEWER_TAB_KEY, "Audit log")
    assert not at.exception
    everything = store.audit_rows(made)
    table = at.dataframe[0].value
    assert len(table) == len(everything) and table["action"].iloc[0] == "review"  # newest first
    assert not {k for k in button_keys(at) if k.startswith("rv_")}  # nothing to edit or delete with
    at.text_input(key="rv_audit_commitment").input(ID[SAFETY][:6]).run()
    table = at.dataframe[0].value
    assert set(table["target"]) == {ID[SAFETY]} and set(table["field"]) == {"status", "comment"}
    at.text_input(key="rv_audit_commitment").input("").run()
    at.selectbox(key="rv_audit_user").set_value("rita").run()
    table = at.dataframe[0].value
    about_rita = [r for r in store.audit_rows(made) if "rita" in (r["actor"], r["target"])]
    assert len(table) == len(about_rita) == 2  # her account being made, and her review
    assert set(zip(table["actor"], table["action"], strict=True)) == {
        (users.operator().name, "user_add"),
        ("rita", "review"),
    }
    assert at.download_button(key="rv_audit_csv").label == "Download audit_log.csv"
    rows = query.audit_view(store.audit_rows(made), user="rita")
    assert review_page._audit_bytes(rows) == export.audit_csv(about_rita).encode("utf-8")


def test_filters_matching_nothing_say_so_and_still_show_the_audit_log(made: Engine) -> None:
    review.review(made, person(made, "rita"), ID[PEAK], status="accepted", expected_version=0)
    at = signed_in("rita", org="Nobody Inc")
    assert not at.exception
    assert any("No commitments match these filters" in i.value for i in at.info)
    assert any("Nothing in view is waiting for review" in s.value for s in at.success)
    at = _tab(at, review_page.TAB_KEY, "Audit log")
    table = at.dataframe[0].value
    assert (table["action"][0], table["actor"][0]) == ("sign in", "rita")  # newest first
    reviewed = table[table["action"] == "review"].iloc[0]
    assert (reviewed["target"], reviewed["field"], reviewed["new_value"]) == (ID[PEAK], "status", "accepted")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", reviewed["at"])  # to the second, zone shown


# ---------------------------------------------------------------- the rest of the dashboard


def test_the_commitments_table_shows_review_status_reviewer_and_time_once_something_is_reviewed(
    made: Engine,
) -> None:
    at = app("commitments").run()
    assert "review_status" not in at.dataframe[0].value.columns  # nothing reviewed: no noise
    review.review(made, person(made, "rita"), ID[PEAK], status="rejected", expected_version=0)
    at = app("commitments").run()
    table = at.dataframe[0].value
    table = table.set_index(table["text"].map(tables.unwrap))
    assert table.loc[PEAK, "review_status"] == "rejected" and table.loc[PEAK, "reviewed_by"] == "rita"
    assert table.loc[PEAK, "reviewed_at"].startswith(
        store.get_review(made, ID[PEAK])["reviewed_at"].strftime("%Y")
    )
    assert table.loc[SAFETY, "review_status"] == "unreviewed" and table.loc[SAFETY, "reviewed_by"] == ""


def test_the_review_page_renders_on_an_empty_store_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "no-seeds"
    folder.mkdir()
    monkeypatch.setenv("ESGDATA_SEEDS_DIR", str(folder))
    monkeypatch.setenv("ESGDATA_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    at = app("review").run()
    assert not at.exception and [t.value for t in at.title] == ["Review"]
    assert any("Sources" in i.value for i in at.info)


# ---------------------------------------------------------------- data-layer helpers the page reads


def test_the_dashboard_frame_carries_stale_reviewer_and_time_beside_the_status(made: Engine) -> None:
    saved = review.review(made, person(made, "rita"), ID[PEAK], status="accepted", expected_version=0)
    frame = query.load_commitments(made).set_index("id")
    assert list(query.REVIEW_COLUMNS) == ["review_status", "review_stale", "reviewed_by", "reviewed_at"]
    assert frame.loc[ID[PEAK], list(query.REVIEW_COLUMNS)].tolist() == [
        "accepted",
        "",
        "rita",
        saved["reviewed_at"].isoformat(timespec="seconds"),
    ]
    assert frame.loc[ID[SAFETY], list(query.REVIEW_COLUMNS)].tolist() == ["unreviewed", "", "", ""]
    rows: list[dict[str, Any]] = review.reviewed_rows(made)
    assert query.frame_from_rows(rows).set_index("id").loc[ID[PEAK], "reviewed_by"] == "rita"


def test_judged_rows_are_the_reviewed_rows_with_originals_and_nothing_else(made: Engine) -> None:
    assert review.judged_rows(made) == []
    rita = person(made, "rita")
    review.review(made, rita, ID[PEAK], status="accepted", expected_version=0, kind="pledge")
    review.review(made, rita, ID[SAFETY], status="unreviewed", expected_version=0)
    judged = review.judged_rows(made)
    assert [r["id"] for r in judged] == [ID[PEAK]]
    full = next(r for r in review.reviewed_rows(made) if r["id"] == ID[PEAK])
    assert {k: full[k] for k in judged[0]} == judged[0]
    assert (judged[0]["kind"], judged[0]["original_kind"]) == ("pledge", "target")
    assert review.quality(judged) == review.quality(review.reviewed_rows(made))


def test_audit_view_narrows_by_commitment_prefix_or_user_and_keeps_the_log_order() -> None:
    rows = [
        {"id": 1, "actor": "admin", "action": "user_add", "target": "rita", "field": "role"},
        {"id": 2, "actor": "rita", "action": "review", "target": "abc123", "field": "status"},
        {"id": 3, "actor": "tom", "action": "review", "target": "abd999", "field": "status"},
    ]
    assert [r["id"] for r in query.audit_view(rows)] == [1, 2, 3]
    assert [r["id"] for r in query.audit_view(rows, commitment="abc")] == [2]
    assert [r["id"] for r in query.audit_view(rows, commitment=" ab ")] == [2, 3]
    assert [r["id"] for r in query.audit_view(rows, user="rita")] == [1, 2]  # by her, and about her
    assert [r["id"] for r in query.audit_view(rows, commitment="ab", user="tom")] == [3]


# ---------------------------------------------------------------- stale and orphaned reviews, the chain


def _reread_peak_reworded_without_safety(engine: Engine) -> None:
    """The CECEP release read again: the peak commitment reworded, the safety sentence gone."""
    items = [
        {"text": PEAK_REWORDED, "kind": "target", "themes": ["climate"], "pillars": ["E"],
         "years": [2025], "confidence": 0.9, "cue": "will"},
    ]  # fmt: skip
    again = _release(
        "cecep-2021.txt", "CECEP sets its carbon plan", "2021-03-01", "en", "CECEP",
        ["CECEP met in Beijing.", PEAK_REWORDED], items,
    )  # fmt: skip
    release = dataclasses.replace(again.release, content_hash="reworded")
    commitments = (dataclasses.replace(again.commitments[0], id=STALE_ID),)
    assert store.save(engine, dataclasses.replace(again, release=release, commitments=commitments), "test")


def test_a_stale_item_shows_both_wordings_with_the_difference_marked_and_the_approved_values(
    made: Engine,
) -> None:
    rita = person(made, "rita")
    review.review(made, rita, ID[PEAK], status="accepted", expected_version=0, themes=["climate", "energy"])
    review.review(made, rita, ID[SAFETY], status="rejected", expected_version=0)
    _reread_peak_reworded_without_safety(made)
    at = signed_in("rita")
    assert not at.exception
    assert shown_id(at) == STALE_ID
    marked = [m.value for m in at.markdown if m.proto.allow_html and "esg-diff" in m.value]
    old, new = (next(v for v in marked if f"esg-diff-{side}" in v) for side in ("old", "new"))
    assert "carbon emissions by 2025." in old and "<del" not in old and "<ins" not in old  # nothing removed
    assert '<ins class="esg-added"' in new and "> its</ins>" in new
    text = all_text(at).replace("\\", "")
    assert "Reviewed wording" in text and "Current wording" in text
    approved = next(m.value for m in at.markdown if m.value.startswith("**Values approved"))
    assert "Climate" in approved and "Energy" in approved and "target years: 2025" in approved
    # Counted where people look, with the orphaned review listed.
    warning = " ".join(w.value for w in at.warning)
    assert "**1** stale reviews" in warning and "**1** orphaned reviews" in warning
    orphans = next(d for d in at.dataframe if d.key == "rv_orphaned" or "reviewed wording" in d.value.columns)
    assert list(orphans.value["reviewed wording"]) == [SAFETY]
    assert list(orphans.value["status"]) == ["rejected"] and orphans.value["at"][0].endswith("UTC")


def test_the_audit_tab_says_verified_or_names_the_break(made: Engine) -> None:
    review.review(made, person(made, "rita"), ID[PEAK], status="accepted", expected_version=0)
    at = _tab(app("review").run(), review_page.VIEWER_TAB_KEY, "Audit log")
    entries = len(store.audit_rows(made))
    assert any(f"Verified: the hash chain of all {entries} entries is whole" in s.value for s in at.success)
    victim = store.audit_rows(made)[1]["id"]
    with sqlite3.connect(str(made.url.database)) as raw:  # the file's owner, behind the app's back
        raw.execute("DROP TRIGGER audit_log_no_delete")
        raw.execute(f"DELETE FROM audit_log WHERE id = {victim}")
    at = _tab(app("review").run(), review_page.VIEWER_TAB_KEY, "Audit log")
    (error,) = [e.value for e in at.error]
    assert f"broken at entry {victim + 1}" in error and "deleted or changed" in error
