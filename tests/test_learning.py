"""Learning from reviewers: commitments they add, their verdicts as labels, a retrained model kept
beside the shipped one, and the admin's switch. SQLite and PostgreSQL.

The releases here are written for the test (fictional organisations).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from esgdata import export, learning, review, store, users
from esgdata.errors import ConflictError, EsgDataError, PermissionDenied
from esgdata.extraction import training
from esgdata.ingest import ingest

PASSWORD = "correct horse battery"
RELEASE = """Tarnwick Power Sets Out Its Plan

Source: Tarnwick Power     Date: 2024-03-01

Tarnwick Power will reach net zero across its fleet by 2040.

The board met in Leeds on Monday. Water from every river near its plants is tested each month.

The mayor thanked the company for the new park.
"""
MISSED = "Water from every river near its plants is tested each month."
RITA = users.User("rita", "reviewer")
ADA = users.User("ada", "admin")
VIC = users.User("vic", "viewer")


@pytest.fixture(autouse=True)
def _no_shipped_training_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Train on the test's own releases only: the shipped ones make a test slow, not truer."""
    monkeypatch.setattr(training, "TRAINING_DATA", tmp_path / "no-training-data")


@pytest.fixture
def seeded(engine, tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tarnwick-plan.txt").write_text(RELEASE, encoding="utf-8")
    ingest(engine, users.operator(), [tmp_path / "in"], max_bytes=10**6)
    for person in (RITA, ADA, VIC):
        users.add_user(engine, users.operator(), person.name, PASSWORD, person.role)
    return engine


def _add(engine, user=RITA, words=MISSED):
    return review.add_commitment(
        engine, user, "tarnwick-plan.txt", words, kind="practice", themes=["water"], comment="missed"
    )


def _rows(engine) -> dict[str, dict]:
    return {r["id"]: r for r in store.commitment_rows(engine)}


def test_a_reviewer_adds_a_missed_commitment_and_it_is_exported_as_theirs(seeded, tmp_path: Path) -> None:
    cid = _add(seeded)
    row = _rows(seeded)[cid]
    assert row["text"] == MISSED and row["kind"] == "practice" and row["themes"] == "water"
    assert row["source"] == "reviewer"
    body = store.release_body(seeded, "tarnwick-plan.txt")["body"]
    assert body[row["start"] : row["end"]] == MISSED
    assert store.get_review(seeded, cid)["status"] == "accepted"
    path, _ = export.write(tmp_path / "out", *_export(seeded))
    with path.open(encoding="utf-8-sig", newline="") as f:
        exported = {r["id"]: r for r in csv.DictReader(f)}
    assert exported[cid]["source"] == "reviewer"
    assert {r["source"] for k, r in exported.items() if k != cid} == {"extracted"}


def _export(engine):
    return store.commitment_rows(engine), store.release_rows(engine)


def test_adding_is_audited_with_the_person(seeded) -> None:
    cid = _add(seeded)
    rows = [r for r in store.audit_rows(seeded) if r["target"] == cid]
    assert rows and {r["actor"] for r in rows} == {"rita"}
    assert {r["action"] for r in rows} == {"add commitment"}


@pytest.mark.parametrize("user", [None, VIC], ids=["anonymous", "viewer"])
def test_only_reviewers_and_admins_add_commitments(seeded, user) -> None:
    with pytest.raises(PermissionDenied):
        _add(seeded, user)
    assert "reviewer" not in {r["source"] for r in store.commitment_rows(seeded)}


def test_words_that_are_not_in_the_release_are_refused(seeded) -> None:
    with pytest.raises(EsgDataError, match="must be copied from the release"):
        _add(seeded, words="Tarnwick Power will plant a million trees.")


def test_the_same_words_cannot_be_added_twice(seeded) -> None:
    _add(seeded)
    with pytest.raises(ConflictError, match="already"):
        _add(seeded)


def test_an_added_commitment_survives_a_re_ingest_and_follows_its_words(seeded, tmp_path: Path) -> None:
    cid = _add(seeded)
    changed = RELEASE.replace(
        "The board met in Leeds on Monday.", "The board met in York on Tuesday morning."
    )
    (tmp_path / "in" / "tarnwick-plan.txt").write_text(changed, encoding="utf-8")
    ingest(seeded, users.operator(), [tmp_path / "in"], max_bytes=10**6)
    row = _rows(seeded)[cid]
    body = store.release_body(seeded, "tarnwick-plan.txt")["body"]
    assert row["source"] == "reviewer" and body[row["start"] : row["end"]] == MISSED
    assert not store.get_review(seeded, cid)["stale"]


def test_an_added_commitment_whose_words_are_gone_stays_and_its_review_goes_stale(seeded, tmp_path) -> None:
    cid = _add(seeded)
    (tmp_path / "in" / "tarnwick-plan.txt").write_text(RELEASE.replace(MISSED, ""), encoding="utf-8")
    ingest(seeded, users.operator(), [tmp_path / "in"], max_bytes=10**6)
    assert cid in _rows(seeded)
    assert store.get_review(seeded, cid)["stale"]


def test_reviews_become_labels_and_stale_ones_are_left_out(seeded) -> None:
    added = _add(seeded)
    extracted = [r for r in store.commitment_rows(seeded) if r["source"] == "extracted"]
    assert extracted, "the extraction finds the net-zero target"
    review.review(seeded, RITA, extracted[0]["id"], status="rejected", expected_version=0)
    (labelled,) = learning.review_releases(seeded)
    assert labelled.partial and labelled.source == "reviews"
    assert [c["text"] for c in labelled.commitments] == [MISSED]
    assert labelled.rejected == (extracted[0]["text"],)
    ex = training.examples([labelled])
    assert sorted(ex.labels) == [0, 1], "only the two reviewed sentences are labelled"
    store_review = store.get_review(seeded, added)
    assert store_review is not None


def _training_folder(tmp_path: Path) -> Path:
    """A small labelled folder in the layout of eval/ and corpus/ (three organisations)."""
    from test_training import _shared

    return _shared(tmp_path)


def test_retraining_with_reviews_keeps_a_model_with_figures_and_the_admin_switches_to_it(
    seeded, tmp_path: Path
) -> None:
    _add(seeded)
    folder = _training_folder(tmp_path)
    result = learning.retrain(seeded, RITA, "en", folder, name="en-test")
    assert result["reviews"] == {"releases": 1, "commitments": 1, "rejected": 0}
    assert set(result["held_out"]) == set(result["held_out_shipped"])
    (kept,) = learning.models(seeded)
    assert kept["name"] == "en-test" and not kept["active"] and kept["created_by"] == "rita"
    with pytest.raises(PermissionDenied):
        learning.switch(seeded, RITA, "en", "en-test")
    before = {r["extractor_version"] for r in store.commitment_rows(seeded) if r["source"] == "extracted"}
    assert learning.switch(seeded, ADA, "en", "en-test") == 1
    assert learning.models(seeded)[0]["active"]
    after = {r["extractor_version"] for r in store.commitment_rows(seeded) if r["source"] == "extracted"}
    assert after and after != before
    assert "reviewer" in {r["source"] for r in store.commitment_rows(seeded)}
    switches = [r for r in store.audit_rows(seeded) if r["action"] == "switch model"]
    assert switches and switches[-1]["actor"] == "ada" and switches[-1]["new_value"] == "en-test"
    learning.switch(seeded, ADA, "en", None)
    assert not any(m["active"] for m in learning.models(seeded))


def test_retraining_needs_reviews(engine, tmp_path: Path) -> None:
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    with pytest.raises(EsgDataError, match="nothing to learn from yet"):
        learning.retrain(engine, RITA, "en", _training_folder(tmp_path))


def test_the_stored_weights_are_plain_json(seeded, tmp_path: Path) -> None:
    _add(seeded)
    learning.retrain(seeded, RITA, "en", _training_folder(tmp_path), name="en-json")
    (row,) = store.model_rows(seeded)
    assert json.loads(row["weights"])["format"] == "esgdata-linear-1"
