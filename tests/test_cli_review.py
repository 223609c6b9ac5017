"""The review side of the command line: users, the audit log, gold export, quality, reviewed exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED

from esgdata import review, store, users
from esgdata.cli import cli

PASSWORD = "correct horse"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(cli, ["ingest", str(SEED), "--db", url, "--quiet", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return url


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.mark.parametrize("group", ["users", "review"])
def test_every_review_subcommand_has_help_with_an_example(group: str) -> None:
    result = run(group, "--help")
    assert result.exit_code == 0
    for name in cli.commands[group].commands:  # type: ignore[attr-defined]
        sub = run(group, name, "--help")
        assert sub.exit_code == 0 and "Example:" in sub.output, name


def test_users_are_added_listed_given_roles_and_disabled(db: str) -> None:
    assert (
        run(
            "users", "add", "ada", "--role", "admin", "--password-stdin", "--db", db, input=PASSWORD + "\n"
        ).exit_code
        == 0
    )
    assert run("users", "add", "rita", "--password-stdin", "--db", db, input=PASSWORD + "\n").exit_code == 0
    assert run("users", "list", "--db", db).stdout.splitlines() == [
        "ada\tadmin\tactive",
        "rita\treviewer\tactive",
    ]
    assert run("users", "set-role", "rita", "viewer", "--db", db).exit_code == 0
    assert run("users", "disable", "rita", "--db", db).exit_code == 0
    assert "rita\tviewer\tdisabled" in run("users", "list", "--db", db).output
    assert run("users", "disable", "rita", "--enable", "--db", db).exit_code == 0
    assert "rita\tviewer\tactive" in run("users", "list", "--db", db).output


def test_a_prompted_password_must_be_typed_twice(db: str) -> None:
    result = run("users", "add", "tom", "--db", db, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0
    assert users.authenticate(store.connect(db), "tom", PASSWORD).role == "reviewer"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "bob", "--password-stdin"], "short\n", "at least 8 characters"),
        (["users", "add", "bad name!", "--password-stdin"], PASSWORD + "\n", "user name"),
        (["users", "set-role", "nobody", "admin"], None, "no user named 'nobody'"),
    ],
)
def test_bad_user_commands_fail_with_one_clear_line(db: str, args, stdin, message) -> None:
    result = run(*args, "--db", db, input=stdin)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_a_second_user_with_the_same_name_is_refused(db: str) -> None:
    run("users", "add", "ada", "--password-stdin", "--db", db, input=PASSWORD + "\n")
    result = run("users", "add", "ada", "--password-stdin", "--db", db, input=PASSWORD + "\n")
    assert result.exit_code == 1 and "already exists" in result.output


def test_the_password_can_be_changed(db: str) -> None:
    run("users", "add", "ada", "--password-stdin", "--db", db, input=PASSWORD + "\n")
    assert (
        run("users", "password", "ada", "--password-stdin", "--db", db, input="a new secret\n").exit_code == 0
    )
    assert users.authenticate(store.connect(db), "ada", "a new secret").name == "ada"


def _review_first(db: str, status: str = "accepted", **corrections) -> str:
    engine = store.connect(db)
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    cid = store.commitment_rows(engine)[0]["id"]
    review.review(
        engine,
        users.authenticate(engine, "rita", PASSWORD),
        cid,
        status=status,
        expected_version=0,
        **corrections,
    )
    return cid


def test_export_writes_reviewed_values_unless_asked_for_the_extraction(db: str, tmp_path: Path) -> None:
    cid = _review_first(db, themes=["rural"])
    assert run("export", "--out-dir", str(tmp_path / "reviewed"), "--db", db).exit_code == 0
    assert run("export", "--out-dir", str(tmp_path / "raw"), "--as-extracted", "--db", db).exit_code == 0
    with (tmp_path / "reviewed" / "commitments.csv").open(encoding="utf-8-sig") as f:
        reviewed = {r["id"]: r for r in csv.DictReader(f)}
    with (tmp_path / "raw" / "commitments.csv").open(encoding="utf-8-sig") as f:
        raw = {r["id"]: r for r in csv.DictReader(f)}
    assert reviewed[cid]["themes"] == "rural" and reviewed[cid]["review_status"] == "corrected"
    assert reviewed[cid]["original_themes"] == raw[cid]["themes"] != "rural"
    assert "review_status" not in raw[cid]


def test_the_audit_log_prints_and_writes_as_csv(db: str, tmp_path: Path) -> None:
    cid = _review_first(db)
    printed = run("review", "audit", "--target", cid, "--db", db)
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert [(r["actor"], r["field"], r["new_value"]) for r in rows] == [("rita", "status", "accepted")]
    out = tmp_path / "audit.csv"
    assert run("review", "audit", "--out", str(out), "--db", db).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_review_export_writes_gold_jsonl(db: str, tmp_path: Path) -> None:
    cid = _review_first(db)
    out = tmp_path / "gold.jsonl"
    result = run("review", "export", "--out", str(out), "--db", db)
    assert result.exit_code == 0 and "1 releases" in result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["commitments"][0]["text"] == store.get_commitment(store.connect(db), cid)["text"]


def test_review_quality_prints_measured_precision(db: str) -> None:
    _review_first(db, status="rejected")
    result = run("review", "quality", "--db", db)
    assert result.exit_code == 0
    assert "precision by kind:" in result.output and "0/1" in result.output
