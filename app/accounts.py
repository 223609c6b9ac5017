"""Users page (admins only): the accounts, and adding one, changing its role, disabling or enabling
it and resetting its password.

Every change is one esgdata.users call, which checks again that the person is an admin and
writes the audit row; the page only offers what the data layer would allow.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app import auth, state, tables
from app.safe import md
from esgdata import export, users
from esgdata.errors import EsgDataError, PermissionDenied

FLASH_KEY = "_acc_flash"
NEW_NAME_KEY = "acc_new_name"
NEW_ROLE_KEY = "acc_new_role"
NEW_PASSWORD_KEY = "acc_new_password"
PICK_KEY = "acc_pick"
ROLE_KEY = "acc_role"
RESET_KEY = "acc_reset_password"


def admin(src: state.Source) -> users.User | None:
    """The signed-in person if they are an admin now (checked against the store), else None."""
    user = auth.current_user()
    if user is None:
        return None
    try:
        return users.require(user, "admin", src.engine)
    except PermissionDenied:
        return None


def _act(url: str, done: str, action: str) -> None:
    """Run one account change as the signed-in admin; keep what happened to show once."""
    ss = st.session_state
    engine = state.engine(url)
    user = auth.current_user()
    name = str(ss.get(PICK_KEY) or "")
    try:
        if action == "add":
            name = str(ss.get(NEW_NAME_KEY) or "").strip()
            users.add_user(engine, user, name, str(ss.get(NEW_PASSWORD_KEY) or ""), str(ss.get(NEW_ROLE_KEY)))
            ss[NEW_NAME_KEY] = ""
        elif action == "role":
            users.set_role(engine, user, name, str(ss.get(f"{ROLE_KEY}_{name}")))
        elif action in ("disable", "enable"):
            users.set_disabled(engine, user, name, action == "disable")
        elif action == "password":
            users.set_password(engine, user, name, str(ss.get(RESET_KEY) or ""))
    except EsgDataError as exc:
        ss[FLASH_KEY] = ("error", f"Not changed: {exc}")
    else:
        ss[FLASH_KEY] = ("success", done.format(name=name))
    finally:
        ss[NEW_PASSWORD_KEY] = ss[RESET_KEY] = ""  # a password never stays in a form


def _table(rows: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(
        {
            "name": [str(r["name"]) for r in rows],
            "role": [str(r["role"]) for r in rows],
            "state": ["disabled" if r["disabled"] else "active" for r in rows],
            "created": [
                export.timestamp(c, seconds=False) if isinstance(c, dt.datetime) else ""
                for c in (r["created_at"] for r in rows)
            ],
        }
    )
    tables.show(frame, key="acc_table")


def render_users(src: state.Source, filters: object) -> None:
    """Accounts for admins: list, add, set role, disable or enable, reset password (all audited)."""
    st.title("Users")
    if admin(src) is None:
        st.info("Only admins manage accounts. Sign in as an admin (in the sidebar).", icon=":material/lock:")
        return
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(md(flash[1]))
    rows = users.list_users(src.engine)
    _table(rows)
    st.caption("Every change here is written to the audit log with your name (Review page, Audit log).")
    left, right = st.columns(2)
    with left, st.form("acc_add", border=True):
        st.markdown("**Add an account**")
        st.text_input("User name", key=NEW_NAME_KEY)
        st.selectbox("Role", users.ROLES, index=1, key=NEW_ROLE_KEY)
        st.text_input(
            f"Password (at least {users.MIN_PASSWORD} characters)",
            type="password",
            key=NEW_PASSWORD_KEY,
            autocomplete="new-password",
        )
        st.form_submit_button(
            "Add account",
            key="acc_add_submit",
            on_click=_act,
            args=(src.url, "Added {name}.", "add"),
            icon=":material/person_add:",
        )
    if not rows:
        return
    with right, st.container(border=True):
        st.markdown("**Change an account**")
        names = [str(r["name"]) for r in rows]
        name = st.selectbox("Account", names, key=PICK_KEY)
        picked = next(r for r in rows if r["name"] == name)
        role_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
        role_col.selectbox(  # one widget per account, so it starts at that account's role
            "Role", users.ROLES, index=users.ROLES.index(str(picked["role"])), key=f"{ROLE_KEY}_{name}"
        )
        button_col.button(
            "Set role", key="acc_set_role", on_click=_act, args=(src.url, "{name} has a new role.", "role")
        )
        if picked["disabled"]:
            st.button(
                "Enable",
                key="acc_enable",
                on_click=_act,
                args=(src.url, "{name} is enabled again.", "enable"),
                icon=":material/person_check:",
            )
        else:
            st.button(
                "Disable",
                key="acc_disable",
                on_click=_act,
                args=(src.url, "{name} is disabled; their reviews stay.", "disable"),
                icon=":material/person_off:",
            )
        pw_col, reset_col = st.columns([2, 1], vertical_alignment="bottom")
        pw_col.text_input("New password", type="password", key=RESET_KEY, autocomplete="new-password")
        reset_col.button(
            "Reset password",
            key="acc_reset",
            on_click=_act,
            args=(src.url, "The password of {name} is reset.", "password"),
        )
