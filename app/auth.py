"""Sign-in: a name and password form in the sidebar, sign-out, the signed-in user in the session.

Signing in only says who is at the keyboard; what they may do is checked again by the data
layer (esgdata.users.require) on every write, so a role taken away mid-session counts at once.
"""

from __future__ import annotations

import streamlit as st

from app import state
from app.safe import md
from esgdata import config, users
from esgdata.errors import EsgDataError

USER_KEY = "_auth_user"  # the signed-in users.User
ERROR_KEY = "_auth_error"  # why the last sign-in failed
NAME_KEY = "auth_name"
PASSWORD_KEY = "auth_password"
SUBMIT_KEY = "auth_submit"
SIGN_OUT_KEY = "auth_sign_out"


def current_user() -> users.User | None:
    """Who signed in in this session, or None."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, users.User) else None


def required() -> bool:
    """True when the setting ESGDATA_REQUIRE_LOGIN asks for a sign-in before anything is shown."""
    return config.load_config().require_login


def _sign_in(url: str) -> None:
    """Form callback: check the name and password against the store; keep the user or the reason."""
    name = str(st.session_state.get(NAME_KEY) or "").strip()
    password = str(st.session_state.get(PASSWORD_KEY) or "")
    st.session_state.pop(ERROR_KEY, None)
    try:
        st.session_state[USER_KEY] = users.authenticate(state.engine(url), name, password)
    except EsgDataError as exc:  # PermissionDenied says only "wrong user name or password"
        st.session_state.pop(USER_KEY, None)
        st.session_state[ERROR_KEY] = str(exc)


def sign_out() -> None:
    """Button callback: forget the signed-in user (and anything the review page held for them)."""
    for key in [k for k in st.session_state if str(k).startswith(("_auth", "_rv", "rv_"))]:
        del st.session_state[key]


def sidebar(src: state.Source) -> users.User | None:
    """The sign-in form, or who is signed in with a sign-out button, in the sidebar; returns the user."""
    user = current_user()
    with st.sidebar:
        if user is not None:
            st.caption(f"Signed in as **{md(user.name)}** ({md(user.role)})")
            st.button(
                "Sign out", key=SIGN_OUT_KEY, on_click=sign_out, icon=":material/logout:", width="stretch"
            )
            return user
        box = st.expander("Sign in", expanded=required() or bool(st.session_state.get(ERROR_KEY)))
        with box, st.form("auth_form", clear_on_submit=True, border=False):
            st.text_input("User name", key=NAME_KEY, autocomplete="username")
            st.text_input("Password", key=PASSWORD_KEY, type="password", autocomplete="current-password")
            st.form_submit_button(
                "Sign in",
                key=SUBMIT_KEY,
                on_click=_sign_in,
                args=(src.url,),
                icon=":material/login:",
                width="stretch",
            )
            error = st.session_state.get(ERROR_KEY)
            if error:
                st.error(md(error), icon=":material/lock:")
    return None


def gate() -> None:
    """What a visitor sees while ESGDATA_REQUIRE_LOGIN=1 and nobody signed in: nothing but the way in."""
    st.title("ESG commitments")
    st.info(
        "This dashboard asks for a sign-in. Enter your user name and password in the sidebar; "
        "an admin creates accounts with `esgdata users add NAME --role viewer`.",
        icon=":material/lock:",
    )
