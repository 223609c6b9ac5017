"""The Users page: only admins see it; adding an account, changing its role, disabling and enabling
it and resetting its password go through esgdata.users, each audited with the admin's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from test_app import EXTRACTIONS, _store, app

from app import auth
from esgdata import store, users

PASSWORD = "a long enough password"


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    engine = _store(tmp_path, monkeypatch, EXTRACTIONS)
    for name, role in (("ada", "admin"), ("rita", "reviewer")):
        users.add_user(engine, users.operator(), name, PASSWORD, role)
    return engine


def signed_in(name: str, engine: Engine) -> AppTest:
    """The app opened on the Users page by ``name``, signed in (AppTest cannot follow a page switch)."""
    at = app("users")
    at.session_state[auth.USER_KEY] = users.authenticate(engine, name, PASSWORD)
    return at.run()


def test_only_an_admin_gets_the_users_page(made: Engine) -> None:
    for who in ("", "rita"):
        at = signed_in(who, made) if who else app("users").run()
        assert not at.exception
        assert "Users" not in [t.value for t in at.title]
        assert "acc_add_submit" not in {str(b.key) for b in at.button}
    at = signed_in("ada", made)
    assert not at.exception
    assert [t.value for t in at.title] == ["Users"]
    table = at.dataframe[0].value
    assert list(table["name"]) == ["ada", "rita"] and list(table["role"]) == ["admin", "reviewer"]
    assert table["created"][0].endswith("UTC")


def test_an_admin_adds_sets_a_role_disables_enables_and_resets_a_password_all_audited(made: Engine) -> None:
    at = signed_in("ada", made)
    at.text_input(key="acc_new_name").input("nina")
    at.selectbox(key="acc_new_role").set_value("viewer")
    at.text_input(key="acc_new_password").input(PASSWORD)
    at = at.button(key="acc_add_submit").click().run()
    assert not at.exception and any("Added nina" in s.value for s in at.success)
    assert at.text_input(key="acc_new_password").value == ""  # a password never stays in a form
    assert users.authenticate(made, "nina", PASSWORD).role == "viewer"

    at.selectbox(key="acc_pick").set_value("nina").run()
    at.selectbox(key="acc_role_nina").set_value("reviewer")
    at = at.button(key="acc_set_role").click().run()
    assert store.get_user(made, "nina")["role"] == "reviewer"
    at = at.button(key="acc_disable").click().run()
    assert store.get_user(made, "nina")["disabled"]
    at = at.button(key="acc_enable").click().run()
    assert not store.get_user(made, "nina")["disabled"]
    at.text_input(key="acc_reset_password").input("a brand new password")
    at = at.button(key="acc_reset").click().run()
    assert not at.exception
    assert users.authenticate(made, "nina", "a brand new password").name == "nina"
    audit = [(r["actor"], r["action"]) for r in store.audit_rows(made, "nina")]
    assert audit == [
        ("ada", "user_add"),
        ("ada", "user_role"),
        ("ada", "user_disable"),
        ("ada", "user_enable"),
        ("ada", "user_password"),
    ]
    assert PASSWORD not in str(store.audit_rows(made, "nina"))


def test_a_refused_change_says_why_and_changes_nothing(made: Engine) -> None:
    at = signed_in("ada", made)
    at.selectbox(key="acc_pick").set_value("ada").run()
    at = at.button(key="acc_disable").click().run()
    assert any("only enabled admin" in e.value for e in at.error)
    assert not store.get_user(made, "ada")["disabled"]
    at.text_input(key="acc_new_name").input("bad name!")
    at.text_input(key="acc_new_password").input(PASSWORD)
    at = at.button(key="acc_add_submit").click().run()
    assert any("Not changed" in e.value for e in at.error)
    assert [u["name"] for u in store.list_users(made)] == ["ada", "rita"]


def test_an_admin_demoted_meanwhile_is_refused_by_the_library(made: Engine) -> None:
    users.add_user(made, users.operator(), "bo", PASSWORD, "admin")
    at = signed_in("bo", made)
    users.set_role(made, users.operator(), "bo", "reviewer")  # another admin demotes bo
    at.text_input(key="acc_new_name").input("nina")
    at.text_input(key="acc_new_password").input(PASSWORD)
    at = at.button(key="acc_add_submit").click().run()
    assert store.get_user(made, "nina") is None
    assert "Users" not in [t.value for t in at.title]  # the page left the menu with the role


def test_the_user_name_stays_after_a_wrong_password_and_the_password_does_not(made: Engine) -> None:
    at = app("overview").run()
    at.text_input(key="auth_name").input("rita")
    at.text_input(key="auth_password").input("not her password")
    at = at.button(key="auth_submit").click().run()
    assert not at.exception
    assert at.text_input(key="auth_name").value == "rita"
    assert at.text_input(key="auth_password").value == ""
    assert any("wrong user name or password" in e.value for e in at.error)
