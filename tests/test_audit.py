"""Nobody writes without a name: every write path needs a signed-in person with the right role,
checked in the library, and leaves a chained audit row naming them; the log cannot be erased
(PostgreSQL: the app's role cannot truncate it or drop its triggers; SQLite: a row deleted behind
the app's back breaks the chain and `review audit --verify` names where)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import pwd
import socket
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from click.testing import CliRunner
from conftest import PG_APP_URL, PG_URL, SEED, _reset_postgres, pg_connect, skip_or_fail
from sqlalchemy import Engine, text

from esgdata import fetch, ingest, learning, review, schema, store, users
from esgdata.analysis import threads
from esgdata.cli import cli
from esgdata.errors import PermissionDenied, StoreError

PASSWORD = "long enough password"
FIRST = """CECEP Sets Out Its Carbon Plan

Source: CECEP     Date: 2021-03-01

CECEP will peak its carbon emissions by 2030 and reach carbon neutrality by 2060. \
CECEP will train 500 rural teachers every year.
"""
DONE = """CECEP Reports Its Carbon Peak

Source: CECEP     Date: 2029-03-01

CECEP has achieved its carbon peak ahead of schedule, the company said.
"""


@pytest.fixture
def people(engine: Engine, tmp_path: Path) -> dict[str, users.User]:
    """A store with two releases (a promise and its delivery) and a viewer, a reviewer and an admin."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "first.txt").write_text(FIRST, encoding="utf-8")
    (folder / "done.txt").write_text(DONE, encoding="utf-8")
    assert ingest.ingest(engine, users.operator(), [folder], max_bytes=10**6).failed == []
    out = {}
    for name, role in (("vic", "viewer"), ("rita", "reviewer"), ("ada", "admin")):
        users.add_user(engine, users.operator(), name, PASSWORD, role)
        out[name] = users.authenticate(engine, name, PASSWORD)
    return out


def _cid(engine: Engine, opening: str) -> str:
    return next(r["id"] for r in store.commitment_rows(engine) if r["text"].startswith(opening))


def _writes(engine: Engine, tmp_path: Path) -> dict[str, tuple[str, Callable[[users.User | None], Any]]]:
    """Every write path of the library: (the role it needs, the call as some user)."""
    data = tmp_path / "data"
    peak, train = _cid(engine, "CECEP will peak"), _cid(engine, "CECEP will train")
    thread = next(r["thread_id"] for r in store.commitment_rows(engine) if r["id"] == peak)
    achievement = next(d["achievement_id"] for d in store.delivery_rows(engine) if d["thread_id"] == thread)
    upload = b"Sinopec Pledges Hydrogen\n\nSinopec will build 1,000 hydrogen stations by 2030.\n"
    release = (tmp_path / "in" / "first.txt").read_bytes()
    more = tmp_path / "more"
    more.mkdir(exist_ok=True)
    (more / "grid.txt").write_text(
        "State Grid Plan\n\nSource: State Grid     Date: 2024-05-10\n\n"
        "State Grid will add 60 GW of wind by 2030.\n",
        encoding="utf-8",
    )
    return {
        "ingest": (
            "reviewer",
            lambda u: ingest.ingest(engine, u, [more], max_bytes=10**6),
        ),
        "upload": (
            "reviewer",
            lambda u: ingest.ingest_upload(
                engine, u, "first.txt", release + b"\nMore.\n", data_dir=data, max_bytes=10**6
            ),
        ),
        "upload new": (
            "reviewer",
            lambda u: ingest.ingest_upload(engine, u, "sinopec.txt", upload, data_dir=data, max_bytes=10**6),
        ),
        "review": (
            "reviewer",
            lambda u: review.review(engine, u, peak, status="accepted", expected_version=0),
        ),
        "bulk accept": ("reviewer", lambda u: review.bulk_accept(engine, u, [train])),
        "add commitment": (
            "reviewer",
            lambda u: review.add_commitment(
                engine, u, "done.txt", "CECEP has achieved its carbon peak ahead of schedule", kind="practice"
            ),
        ),
        "split": ("reviewer", lambda u: threads.split(engine, u, train)),
        "merge": ("reviewer", lambda u: threads.merge(engine, u, train, peak)),
        "delivery": (
            "reviewer",
            lambda u: threads.decide_delivery(engine, u, thread, achievement, confirmed=True),
        ),
        "regroup": ("reviewer", lambda u: threads.regroup(engine, u)),
        "source": ("reviewer", lambda u: fetch.add_source(engine, u, "http://127.0.0.1:9/news/")),
        "fetch": ("reviewer", lambda u: fetch.fetch(engine, u, max_pages=1, time_limit=5)),
        "switch model": ("admin", lambda u: learning.switch(engine, u, "en", None)),
        "re-extract": ("admin", lambda u: ingest.reextract(engine, u, "en")),
        "add user": ("admin", lambda u: users.add_user(engine, u, "newbie", PASSWORD, "viewer")),
        "set role": ("admin", lambda u: users.set_role(engine, u, "vic", "reviewer")),
        "disable": ("admin", lambda u: users.set_disabled(engine, u, "vic", True)),
        "password": ("admin", lambda u: users.set_password(engine, u, "vic", "another long one")),
        "delete release": (
            "admin",
            lambda u: store.delete_release(engine, "done.txt", users.require(u, "admin", engine).name),
        ),
    }


def _state(engine: Engine, data: Path) -> tuple[Any, ...]:
    uploads = sorted(p.name for p in (data / "uploads").glob("*")) if (data / "uploads").is_dir() else []
    return (store.revision(engine), len(store.audit_rows(engine)), store.list_users(engine), uploads)


WRITES = [
    "ingest", "upload", "upload new", "review", "bulk accept", "add commitment", "delivery", "split", "merge",
    "regroup", "source", "fetch", "switch model", "re-extract", "add user", "set role", "disable", "password",
]  # fmt: skip
NOTHING_TO_DO = {"re-extract"}  # the same weights again: every release unchanged, nothing written


@pytest.mark.parametrize("write", WRITES)
def test_every_write_path_refuses_a_visitor_and_a_too_low_role_and_writes_nothing(
    engine: Engine, people: dict[str, users.User], tmp_path: Path, write: str
) -> None:
    role, call = _writes(engine, tmp_path)[write]
    too_low = [None, people["vic"]] + ([people["rita"]] if role == "admin" else [])
    before = _state(engine, tmp_path / "data")
    for user in too_low:
        with pytest.raises(PermissionDenied):
            call(user)
    assert _state(engine, tmp_path / "data") == before  # not a row, not a file


def test_a_role_taken_away_counts_at_once_even_for_a_session_that_holds_the_old_one(
    engine: Engine, people: dict[str, users.User], tmp_path: Path
) -> None:
    users.set_role(engine, people["ada"], "rita", "viewer")
    _, upload = _writes(engine, tmp_path)["upload new"]
    with pytest.raises(PermissionDenied, match="this needs a reviewer"):
        upload(people["rita"])  # her User object still says reviewer; the store does not


def test_every_write_is_audited_with_the_person_in_the_same_chain(
    engine: Engine, people: dict[str, users.User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESGDATA_FETCH_TIMEOUT", "0.5")
    monkeypatch.setenv("ESGDATA_FETCH_DELAY", "0")
    writes = _writes(engine, tmp_path)
    for name in [*WRITES, "delete release"]:
        role, call = writes[name]
        person = people["ada"] if role == "admin" else people["rita"]
        seen, revision = len(store.audit_rows(engine)), store.revision(engine)
        call(person)
        new = store.audit_rows(engine)[seen:]
        if name in NOTHING_TO_DO:
            assert store.revision(engine) == revision and new == [], name
            continue
        assert new, f"{name} wrote no audit row"
        assert {row["actor"] for row in new} == {person.name}, f"{name}: {new}"
    assert store.verify_audit(engine).ok
    # The program itself is never the actor: every row names a person or an OS account.
    actors = {row["actor"] for row in store.audit_rows(engine)}
    assert actors <= {"rita", "ada", users.operator().name}


def test_re_ingest_audits_stale_and_orphaned_reviews_as_the_person_who_ingested(
    engine: Engine, people: dict[str, users.User], tmp_path: Path
) -> None:
    path = tmp_path / "in" / "first.txt"
    peak, train = _cid(engine, "CECEP will peak"), _cid(engine, "CECEP will train")
    for cid in (peak, train):
        review.review(engine, people["rita"], cid, status="accepted", expected_version=0)
    reworded = FIRST.replace("by 2030", "by 2028").replace(
        "CECEP will train 500 rural teachers every year.", ""
    )
    path.write_text(reworded + "\nCECEP met in Beijing on Monday.\n", encoding="utf-8")
    report = ingest.ingest(engine, people["ada"], [path], max_bytes=10**6)
    assert (report.stale, report.orphaned) == (1, 1)
    assert report.reviews_line() == "1 review now stale, 1 orphaned"
    moved = [r for r in store.audit_rows(engine) if r["action"] in ("stale", "orphaned")]
    assert {(r["action"], r["actor"]) for r in moved} == {("stale", "ada"), ("orphaned", "ada")}


# ---------------------------------------------------------------- the command line's actor


def test_the_command_line_acts_as_the_operating_system_account_and_host_not_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("USER", "mallory")  # an environment variable anyone can set
    monkeypatch.delenv("USERNAME", raising=False)
    result = CliRunner().invoke(
        cli,
        ["users", "add", "ada", "--role", "admin", "--password-stdin", "--db", url],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    (row,) = store.audit_rows(store.connect(url), "ada")
    assert row["actor"] == f"os:{pwd.getpwuid(os.geteuid()).pw_name}@{socket.gethostname()}"
    assert "mallory" not in row["actor"]


def test_as_names_an_account_held_to_its_role_and_audited_as_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    for name, role in (("vic", "viewer"), ("rita", "reviewer")):
        result = runner.invoke(
            cli,
            ["users", "add", name, "--role", role, "--password-stdin", "--db", url],
            input=PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
    refused = runner.invoke(cli, ["ingest", str(SEED), "--db", url, "--as", "vic"])
    assert refused.exit_code != 0 and "vic is a viewer; this needs a reviewer" in refused.output
    unknown = runner.invoke(cli, ["ingest", str(SEED), "--db", url, "--as", "nobody"])
    assert unknown.exit_code != 0 and "no account named 'nobody'" in unknown.output
    done = runner.invoke(cli, ["ingest", str(SEED), "--db", url, "--as", "rita"])
    assert done.exit_code == 0, done.output
    rows = store.audit_rows(store.connect(url), SEED.name)
    assert {(r["actor"], r["action"]) for r in rows} == {("rita", "release added")}


def test_users_enable_gives_a_disabled_account_its_sign_in_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    runner.invoke(cli, ["users", "add", "bob", "--password-stdin", "--db", url], input=PASSWORD + "\n")
    assert runner.invoke(cli, ["users", "disable", "bob", "--db", url]).exit_code == 0
    engine = store.connect(url)
    with pytest.raises(PermissionDenied, match="disabled"):
        users.authenticate(engine, "bob", PASSWORD)
    result = runner.invoke(cli, ["users", "enable", "bob", "--db", url])
    assert result.exit_code == 0 and "bob enabled" in result.output
    assert users.authenticate(engine, "bob", PASSWORD).name == "bob"
    assert [r["action"] for r in store.audit_rows(engine, "bob")] == [
        "user_add",
        "user_disable",
        "user_enable",
    ]


def test_the_only_enabled_admin_cannot_be_disabled_or_demoted(
    engine: Engine, people: dict[str, users.User]
) -> None:
    for change in (
        lambda: users.set_disabled(engine, people["ada"], "ada", True),
        lambda: users.set_role(engine, people["ada"], "ada", "reviewer"),
    ):
        with pytest.raises(Exception, match="only enabled admin"):
            change()
    users.set_role(engine, people["ada"], "rita", "admin")
    users.set_disabled(engine, people["ada"], "ada", True)  # rita is an admin now
    assert {u["name"]: u["disabled"] for u in store.list_users(engine)}["ada"]


# ---------------------------------------------------------------- the chain (SQLite and PostgreSQL)


def test_the_chain_verifies_on_both_databases_and_every_time_carries_its_zone(
    engine: Engine, people: dict[str, users.User]
) -> None:
    review.review(
        engine, people["rita"], _cid(engine, "CECEP will peak"), status="accepted", expected_version=0
    )
    check = store.verify_audit(engine)
    rows = store.audit_rows(engine)
    assert check.ok and check.rows == len(rows) > 5
    assert rows[0]["prev_hash"] == "" and all(
        a["row_hash"] == b["prev_hash"] for a, b in itertools.pairwise(rows)
    )
    for value in (
        *(r["at"] for r in rows),
        *(u["created_at"] for u in store.list_users(engine)),
        *(r["reviewed_at"] for r in store.review_rows(engine)),
    ):
        assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(0)
    exported = review.reviewed_rows(engine)
    assert next(r["reviewed_at"] for r in exported if r["reviewed_at"]).endswith("+00:00")


def test_writers_at_the_same_time_never_fork_the_chain(engine: Engine, people: dict[str, users.User]) -> None:
    url = engine.url.render_as_string(hide_password=False)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        other = store.connect(url, owner_url="")
        try:
            for i in range(8):
                store.note(other, f"writer{n}", "test", f"row {i}")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            other.dispose()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    check = store.verify_audit(engine)
    assert check.ok, check.reason
    assert sum(r["action"] == "test" for r in store.audit_rows(engine)) == 32


def _sqlite_file(engine: Engine) -> str:
    assert engine.dialect.name == "sqlite"  # PostgreSQL's app role cannot tamper: see below
    return str(engine.url.database)


sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _behind_the_apps_back(path: str, *statements: str) -> None:
    """What the file's owner can do with the sqlite3 tool: drop the triggers, then change the log."""
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        raw.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            raw.execute(statement)


def _cli_verify(engine: Engine) -> Any:
    return CliRunner().invoke(
        cli, ["review", "audit", "--verify", "--db", engine.url.render_as_string(hide_password=False)]
    )


@sqlite_only
def test_audit_verify_names_the_row_after_one_deleted_behind_the_apps_back(
    engine: Engine, people: dict[str, users.User]
) -> None:
    path = _sqlite_file(engine)
    rows = store.audit_rows(engine)
    victim, after = rows[3]["id"], rows[4]["id"]
    ok = _cli_verify(engine)
    assert ok.exit_code == 0 and f"audit log verified: {len(rows)} rows" in ok.output
    _behind_the_apps_back(path, f"DELETE FROM audit_log WHERE id = {victim}")
    check = store.verify_audit(engine)
    assert (check.ok, check.broken_at) == (False, after)
    assert f"after row {rows[2]['id']}" in check.reason and "deleted or changed" in check.reason
    broken = _cli_verify(engine)
    assert broken.exit_code == 1 and f"audit log broken at row {after}" in broken.output


@sqlite_only
def test_audit_verify_names_a_row_edited_and_rows_cut_off_the_end(
    engine: Engine, people: dict[str, users.User]
) -> None:
    path = _sqlite_file(engine)
    rows = store.audit_rows(engine)
    _behind_the_apps_back(path, f"UPDATE audit_log SET actor = 'nobody' WHERE id = {rows[2]['id']}")
    check = store.verify_audit(engine)
    assert check.broken_at == rows[2]["id"] and "changed after it was written" in check.reason
    _behind_the_apps_back(
        path,
        f"UPDATE audit_log SET actor = '{rows[2]['actor']}' WHERE id = {rows[2]['id']}",
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
    )
    check = store.verify_audit(engine)
    assert not check.ok and "rows at the end were deleted" in check.reason


def test_a_version_5_store_gets_its_existing_audit_rows_chained(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = store.connect(f"sqlite:///{path}")
    ingest.ingest(engine, users.operator(), [SEED], max_bytes=10**7)
    users.add_user(engine, users.operator(), "rita", PASSWORD, "reviewer")
    cid = store.commitment_rows(engine)[0]["id"]
    review.review(
        engine, users.authenticate(engine, "rita", PASSWORD), cid, status="accepted", expected_version=0
    )
    engine.dispose()
    with sqlite3.connect(path) as raw:  # what a version-5 store holds: no chain, no approved values
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("UPDATE audit_log SET prev_hash = '', row_hash = '', at = substr(at, 1, 26)")
        raw.execute("UPDATE reviews SET reviewed_values = ''")
        raw.execute("DELETE FROM meta WHERE key = 'audit_head'")
        raw.execute("DROP TABLE sessions")
        raw.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    again = store.connect(f"sqlite:///{path}")
    assert store.schema_version(again) == schema.SCHEMA_VERSION
    check = store.verify_audit(again)
    assert check.ok and check.rows == len(store.audit_rows(again)) >= 3
    assert review.approved_values(store.get_review(again, cid))["kind"]  # filled from what was reviewed
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"), again.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


# ---------------------------------------------------------------- PostgreSQL: the app's role


@pytest.fixture
def app_role() -> Engine:
    if not PG_URL or not PG_APP_URL:
        skip_or_fail("the roles test needs ESGDATA_TEST_PG_URL (owner) and ESGDATA_TEST_PG_APP_URL (app)")
    eng = pg_connect()
    assert eng.url.username != sqlalchemy.make_url(PG_URL).username
    ingest.ingest(eng, users.operator(), [SEED], max_bytes=10**7)
    yield eng
    eng.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_log",
        "DROP TRIGGER audit_log_no_change ON audit_log",
        "DROP TRIGGER audit_log_no_truncate ON audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "UPDATE audit_log SET actor = 'nobody'",
        "DELETE FROM audit_log",
        "DROP TABLE audit_log",
        "ALTER TABLE audit_log OWNER TO CURRENT_USER",
    ],
)
def test_the_apps_role_can_neither_erase_the_log_nor_drop_its_triggers(
    app_role: Engine, statement: str
) -> None:
    before = store.audit_rows(app_role)
    with (
        pytest.raises(sqlalchemy.exc.DatabaseError, match=r"permission denied|must be owner"),
        app_role.begin() as conn,
    ):
        conn.execute(text(statement))
    assert store.audit_rows(app_role) == before and store.verify_audit(app_role).ok


@pytest.mark.postgres
def test_even_the_owner_cannot_truncate_the_log(app_role: Engine) -> None:
    owner = sqlalchemy.create_engine(PG_URL)
    try:
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"), owner.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
    finally:
        owner.dispose()
    assert store.verify_audit(app_role).ok


@pytest.mark.postgres
def test_the_apps_role_does_everything_else_the_product_does(app_role: Engine, tmp_path: Path) -> None:
    users.add_user(app_role, users.operator(), "rita", PASSWORD, "reviewer")
    rita = users.authenticate(app_role, "rita", PASSWORD)
    cid = store.commitment_rows(app_role)[0]["id"]
    review.review(app_role, rita, cid, status="accepted", expected_version=0)
    assert store.delete_release(app_role, SEED.name, "rita")
    assert [r["commitment_id"] for r in store.orphaned_reviews(app_role)] == [cid]
    assert store.verify_audit(app_role).ok


@pytest.mark.postgres
def test_db_upgrade_creates_the_schema_as_the_owner_and_grants_the_app_role(app_role: Engine) -> None:
    _reset_postgres(PG_URL)  # a new database: the app's role may not even read it yet
    result = CliRunner().invoke(cli, ["db", "upgrade", "--owner-url", PG_URL, "--db", PG_APP_URL])
    assert result.exit_code == 0, result.output
    assert f"schema version {schema.SCHEMA_VERSION}" in result.output
    assert "may read and append to the audit log, nothing more" in result.output
    app = store.connect(PG_APP_URL, owner_url="")
    try:
        ingest.ingest(app, users.operator(), [SEED], max_bytes=10**7)
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="permission denied"), app.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
        assert store.verify_audit(app).ok
    finally:
        app.dispose()


@pytest.mark.postgres
def test_the_app_role_alone_cannot_create_the_schema_and_says_who_can(app_role: Engine) -> None:
    _reset_postgres(PG_URL)
    with pytest.raises(StoreError, match="ESGDATA_DB_OWNER_URL"):
        store.connect(PG_APP_URL, owner_url="")
