"""Review in the data layer: roles, statuses, corrections, conflicts, the audit log, stale reviews."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import SEED, SHARED
from sqlalchemy import text

from esgdata import export, review, store, users
from esgdata.errors import ConflictError, EsgDataError, PermissionDenied
from esgdata.ingest import ingest

PASSWORD = "correct horse"


@pytest.fixture
def seeded(engine, tmp_path: Path):
    """A store holding the seed release, a reviewer, a viewer and an admin."""
    ingest(engine, users.operator(), [SEED], max_bytes=10**7)
    for name, role in (("rita", "reviewer"), ("vic", "viewer"), ("ada", "admin")):
        users.add_user(engine, users.operator(), name, PASSWORD, role)
    return engine


def sign_in(engine, name: str) -> users.User:
    return users.authenticate(engine, name, PASSWORD)


def first_id(engine) -> str:
    return store.commitment_rows(engine)[0]["id"]


def test_passwords_are_stored_only_as_salted_hashes(seeded) -> None:
    row = store.get_user(seeded, "rita")
    assert PASSWORD not in row["password_hash"] and row["password_hash"].startswith("$argon2")
    assert row["password_hash"] != store.get_user(seeded, "vic")["password_hash"]  # salted


@pytest.mark.parametrize("password", ["wrong password", ""])
def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(seeded, password) -> None:
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        users.authenticate(seeded, "rita", password)
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        users.authenticate(seeded, "nobody", PASSWORD)


@pytest.mark.parametrize("who", ["vic", None, "disabled"])
def test_a_viewer_a_disabled_account_or_nobody_cannot_review(seeded, who) -> None:
    if who == "disabled":
        user = sign_in(seeded, "rita")
        users.set_disabled(seeded, users.operator(), "rita", True)
    else:
        user = sign_in(seeded, who) if who else None
    with pytest.raises(PermissionDenied):
        review.review(seeded, user, first_id(seeded), status="accepted", expected_version=0)
    assert store.review_rows(seeded) == []


def test_a_disabled_account_cannot_sign_in(seeded) -> None:
    users.set_disabled(seeded, users.operator(), "vic", True)
    with pytest.raises(PermissionDenied, match="disabled"):
        sign_in(seeded, "vic")


def test_a_role_taken_away_mid_session_takes_effect_at_once(seeded) -> None:
    user = sign_in(seeded, "rita")
    users.set_role(seeded, users.operator(), "rita", "viewer")
    with pytest.raises(PermissionDenied):
        review.review(seeded, user, first_id(seeded), status="accepted", expected_version=0)


@pytest.mark.parametrize("status", review.STATUSES)
def test_each_status_round_trips_through_the_export(seeded, status) -> None:
    cid = first_id(seeded)
    review.review(seeded, sign_in(seeded, "rita"), cid, status=status, expected_version=0)
    rows = {r["id"]: r for r in review.reviewed_rows(seeded)}
    assert rows[cid]["review_status"] == status
    assert rows[cid]["reviewed_by"] == "rita" and rows[cid]["reviewed_at"]
    assert status in export.commitments_csv(rows.values())


def test_corrections_show_in_the_export_with_the_original_beside_them(seeded) -> None:
    cid = first_id(seeded)
    original = store.get_commitment(seeded, cid)
    review.review(
        seeded,
        sign_in(seeded, "rita"),
        cid,
        status="accepted",
        expected_version=0,
        kind="target",
        themes=["rural", "climate"],
        target_years=[2030],
        speaker="Someone Else",
        organization="SASAC",
    )
    row = next(r for r in review.reviewed_rows(seeded) if r["id"] == cid)
    assert row["review_status"] == "corrected"  # a correction is not a plain accept
    assert (row["kind"], row["themes"], row["pillars"], row["target_years"]) == (
        "target",
        "climate;rural",
        "E;S",
        "2030",
    )
    assert (row["speaker"], row["organization"]) == ("Someone Else", "SASAC")
    assert row["original_kind"] == original["kind"] and row["original_themes"] == original["themes"]
    assert store.get_commitment(seeded, cid)["themes"] == original["themes"], "the extraction itself is kept"
    raw = store.commitment_rows(seeded)[0]
    assert raw["kind"] == original["kind"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "promise", "kind must be"),
        ("themes", ["weather"], "unknown theme"),
        ("target_years", ["soon"], "years"),
    ],
)
def test_a_bad_correction_is_refused_with_a_clear_message(seeded, field, value, message) -> None:
    with pytest.raises(EsgDataError, match=message):
        review.review(
            seeded,
            sign_in(seeded, "rita"),
            first_id(seeded),
            status="corrected",
            expected_version=0,
            **{field: value},
        )


def test_every_change_is_audited_with_who_when_and_from_which_value_to_which(seeded) -> None:
    cid = first_id(seeded)
    rita = sign_in(seeded, "rita")
    review.review(seeded, rita, cid, status="accepted", expected_version=0)
    review.review(seeded, rita, cid, status="rejected", expected_version=1, comment="a past event")
    entries = [
        (a["actor"], a["field"], a["old_value"], a["new_value"]) for a in store.audit_rows(seeded, cid)
    ]
    assert ("rita", "status", "", "accepted") in entries
    assert ("rita", "status", "accepted", "rejected") in entries
    assert ("rita", "comment", "", "a past event") in entries
    assert all(a["at"] is not None for a in store.audit_rows(seeded, cid))


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"])
def test_the_audit_log_refuses_edits_and_deletions_even_in_sql(seeded, statement) -> None:
    before = store.audit_rows(seeded)
    # The triggers refuse it (SQLite, PostgreSQL's owner); the app's own role may not even try.
    with (
        pytest.raises(Exception, match=r"append-only|permission denied for table audit_log"),
        seeded.begin() as conn,
    ):
        conn.execute(text(statement))
    assert store.audit_rows(seeded) == before


def test_a_second_save_against_an_old_version_is_refused_with_what_the_other_person_did(seeded) -> None:
    users.add_user(seeded, users.operator(), "tom", PASSWORD, "reviewer")
    cid = first_id(seeded)
    review.review(seeded, sign_in(seeded, "rita"), cid, status="accepted", expected_version=0, themes=["esg"])
    with pytest.raises(ConflictError) as caught:
        review.review(seeded, sign_in(seeded, "tom"), cid, status="rejected", expected_version=0)
    message = str(caught.value)
    assert "rita" in message and "'corrected'" in message and "themes ESG" in message
    assert store.get_review(seeded, cid)["reviewed_by"] == "rita"


def test_two_reviewers_saving_at_once_never_overwrite_each_other(seeded) -> None:
    users.add_user(seeded, users.operator(), "tom", PASSWORD, "reviewer")
    cid = first_id(seeded)
    people = [sign_in(seeded, "rita"), sign_in(seeded, "tom")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user: users.User, status: str) -> None:
        barrier.wait()
        try:
            review.review(seeded, user, cid, status=status, expected_version=0)
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=save, args=(u, s))
        for u, s in zip(people, ["accepted", "rejected"], strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert store.get_review(seeded, cid)["version"] == 1


def test_bulk_accept_takes_only_unreviewed_commitments(seeded) -> None:
    ids = [r["id"] for r in store.commitment_rows(seeded)]
    rita = sign_in(seeded, "rita")
    review.review(seeded, rita, ids[0], status="rejected", expected_version=0)
    accepted, skipped = review.bulk_accept(seeded, rita, ids)
    assert (accepted, skipped) == (len(ids) - 1, [ids[0]])
    statuses = {r["id"]: r["review_status"] for r in review.reviewed_rows(seeded)}
    assert statuses[ids[0]] == "rejected" and {statuses[i] for i in ids[1:]} == {"accepted"}


def test_the_queue_puts_unreviewed_rows_first_lowest_confidence_first(seeded) -> None:
    rows = review.reviewed_rows(seeded)
    review.review(seeded, sign_in(seeded, "rita"), rows[0]["id"], status="accepted", expected_version=0)
    queue = review.queue(review.reviewed_rows(seeded))
    assert rows[0]["id"] not in [r["id"] for r in queue]
    confidences = [float(r["confidence"]) for r in queue]
    assert confidences == sorted(confidences)


def test_progress_and_quality_are_measured_from_reviews(seeded) -> None:
    ids = [r["id"] for r in store.commitment_rows(seeded)]
    rita = sign_in(seeded, "rita")
    review.review(seeded, rita, ids[0], status="accepted", expected_version=0)
    review.review(seeded, rita, ids[1], status="rejected", expected_version=0)
    rows = review.reviewed_rows(seeded)
    assert review.progress(rows, "organization") == [
        {"organization": "CECEP", "commitments": len(ids), "reviewed": 2, "share": round(2 / len(ids), 3)}
    ]
    by_kind = {r["kind"]: r for r in review.quality(rows)["kind"]}
    assert sum(r["reviewed"] for r in by_kind.values()) == 2
    assert sum(r["correct"] for r in by_kind.values()) == 1


def test_a_reworded_commitment_keeps_its_review_marked_stale(engine, tmp_path: Path) -> None:
    path = tmp_path / "release.txt"
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    ingest(engine, users.operator(), [path], max_bytes=10**7)
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    before = next(r for r in store.commitment_rows(engine) if r["text"].startswith("Second, to"))
    review.review(engine, sign_in(engine, "rita"), before["id"], status="accepted", expected_version=0)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "the revitalization of the countryside", "rural revitalization"
        ),
        encoding="utf-8",
    )
    ingest(engine, users.operator(), [path], max_bytes=10**7)
    after = next(r for r in review.reviewed_rows(engine) if r["text"].startswith("Second, to"))
    assert after["id"] != before["id"]
    assert after["review_status"] == "accepted" and after["review_stale"] == "yes"
    assert review.queue(review.reviewed_rows(engine))[0]["id"] == after["id"], "stale reviews come first"
    assert any(a["action"] == "stale" for a in store.audit_rows(engine, after["id"]))


def test_a_commitment_that_disappears_keeps_its_review_and_is_reported(engine, tmp_path: Path) -> None:
    path = tmp_path / "release.txt"
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    ingest(engine, users.operator(), [path], max_bytes=10**7)
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    gone = next(r for r in store.commitment_rows(engine) if r["text"].startswith("Third, to"))
    review.review(engine, sign_in(engine, "rita"), gone["id"], status="accepted", expected_version=0)
    text_now = path.read_text(encoding="utf-8")
    path.write_text(text_now[: text_now.index(" Third, to")] + "\n", encoding="utf-8")
    ingest(engine, users.operator(), [path], max_bytes=10**7)
    assert [r["commitment_id"] for r in store.orphaned_reviews(engine)] == [gone["id"]]
    assert any(a["action"] == "orphaned" for a in store.audit_rows(engine, gone["id"]))


def test_reviewed_rows_export_as_gold_the_scorer_reads(seeded, tmp_path: Path) -> None:
    rows = store.commitment_rows(seeded)
    rita = sign_in(seeded, "rita")
    review.review(seeded, rita, rows[0]["id"], status="accepted", expected_version=0)
    review.review(seeded, rita, rows[1]["id"], status="rejected", expected_version=0)
    path = tmp_path / "reviewed.jsonl"
    assert review.write_gold(seeded, path) == 1
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["source_file"] == SEED.name and record["release_date"] == "2023-02-17"
    assert [c["text"] for c in record["commitments"]] == [rows[0]["text"]]
    assert set(record["commitments"][0]) == {"text", "kind", "themes", "target_years", "speaker"}
    scorer = SHARED / "eval" / "score.py"
    if scorer.exists():  # the evaluation scorer accepts it as gold
        out = tmp_path / "out"
        export.write(out, store.commitment_rows(seeded), store.release_rows(seeded))
        result = subprocess.run(
            [sys.executable, str(scorer), str(path), str(out), "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(result.stdout)["commitment_recall"] == 1.0
