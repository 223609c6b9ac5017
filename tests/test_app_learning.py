"""Learning from reviewers in the app (AppTest): adding a missed commitment from the release reader,
the retrained models beside the shipped one on the Quality tab, and the admin's switch."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from test_app import EXTRACTIONS, _store, all_text, app
from test_app_review import PASSWORD, sign_in

from esgdata import learning, store, users
from esgdata.extraction import model

MISSED = "CECEP met in Beijing."


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    engine = _store(tmp_path, monkeypatch, EXTRACTIONS)
    for name, role in (("rita", "reviewer"), ("vic", "viewer"), ("ada", "admin")):
        users.add_user(engine, users.operator(), name, PASSWORD, role)
    return engine


def reading(name: str, release: str = "cecep-2021.txt") -> AppTest:
    at = app("releases")
    at.query_params["release"] = release
    return sign_in(at.run(), name)


def labelled(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_reviewer_adds_a_sentence_the_extraction_missed_from_the_release_reader(made: Engine) -> None:
    at = reading("rita")
    assert not at.exception
    sentence = at.selectbox(key="lr_add_sentence")
    assert sentence.options == [MISSED]
    prefix = next(str(s.key) for s in at.selectbox if str(s.key).endswith("_kind")).removesuffix("_kind")
    at.selectbox(key=f"{prefix}_kind").set_value("practice")
    at.multiselect(key=f"{prefix}_themes").set_value(["governance"])
    at.text_input(key=f"{prefix}_comment").input("a standing meeting")
    at = labelled(at, "Add as a commitment").click().run()
    assert not at.exception
    assert any("Added as a commitment" in s.value for s in at.success)
    added = [r for r in store.commitment_rows(made) if r["source"] == "reviewer"]
    assert [(r["text"], r["kind"], r["themes"]) for r in added] == [(MISSED, "practice", "governance")]
    audit = [r for r in store.audit_rows(made) if r["action"] == "add commitment"]
    assert audit and audit[0]["actor"] == "rita"


def test_a_viewer_is_told_who_may_add_and_sees_no_form(made: Engine) -> None:
    at = reading("vic")
    assert "Sign in as a reviewer to add a commitment the extraction missed." in all_text(at)
    assert not [s for s in at.selectbox if s.key == "lr_add_sentence"]


def _kept_model(engine: Engine, name: str = "en-review-1") -> None:
    weights = model.shipped("en").to_json()
    figures = {
        "cross_validation": {"commitment_f1": 0.75},
        "held_out": {"commitment_f1": 0.71, "commitment_precision": 0.7, "commitment_recall": 0.72},
        "held_out_shipped": {"commitment_f1": 0.69, "commitment_precision": 0.71, "commitment_recall": 0.67},
        "reviews": {"releases": 1, "commitments": 1, "rejected": 0},
    }
    store.insert_model(
        engine,
        {
            "name": name,
            "language": "en",
            "weights": json.dumps(weights),
            "figures": json.dumps(figures),
            "created_by": "rita",
            "created_at": dt.datetime.now(dt.UTC),
        },
        "rita",
    )


def _quality(name: str) -> AppTest:
    at = app("review")
    at = sign_in(at.run(), name)
    at.session_state["rv_tab" if name != "vic" else "rv_tab_viewer"] = "Quality"
    return at.run()


def test_the_quality_tab_shows_the_retrained_model_beside_the_shipped_one(made: Engine) -> None:
    _kept_model(made)
    at = _quality("rita")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "model" in d.value.columns)
    assert list(table["model"]) == ["shipped", "en-review-1"]
    assert list(table["commitment_f1"]) == [0.69, 0.71]
    assert "lr_retrain_en" in {str(b.key) for b in at.button}
    assert not [s for s in at.selectbox if s.key == "lr_use_en"], "only admins switch"


def test_an_admin_switches_the_store_to_the_retrained_model_and_back(made: Engine) -> None:
    _kept_model(made)
    at = _quality("ada")
    at.selectbox(key="lr_use_en").set_value("en-review-1")
    at = labelled(at, "Switch and extract again").click().run()
    assert not at.exception
    assert any("now uses" in s.value and "extracted again" in s.value for s in at.success)
    assert learning.models(made)[0]["active"]
    assert [r["new_value"] for r in store.audit_rows(made) if r["action"] == "switch model"] == [
        "en-review-1"
    ]
