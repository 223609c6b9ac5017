"""Sign-in: a name and password form in the sidebar, sign-out, the signed-in user in the session.

Signing in only says who is at the keyboard; what they may do is checked again by the data
layer (esgdata.users.require) on every write, so a role taken away mid-session counts at once.
A sign-in also starts a session (esgdata.sessions) whose signed token the browser keeps in a
cookie, so a reload within ESGDATA_SESSION_HOURS finds the person again; signing out ends the
session in the store, for every dashboard process.
"""

from __future__ import annotations

import json

import streamlit as st

from app import state
from app.safe import md
from esgdata import config, sessions, users
from esgdata.errors import EsgDataError

USER_KEY = "_auth_user"  # the signed-in users.User
TOKEN_KEY = "_auth_token"  # the session token the cookie holds
ERROR_KEY = "_auth_error"  # why the last sign-in failed
COOKIE_KEY = "_cookie_write"  # a cookie to write (token) or clear ("") on the next run
CHECKED_KEY = "_cookie_checked"  # the cookie token this browser tab already tried
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


def _hours() -> float:
    return config.load_config().session_hours


def _sign_in(url: str) -> None:
    """Form callback: check the name and password against the store; keep the user or the reason.

    The name stays in the form after a wrong password; the password never does.
    """
    name = str(st.session_state.get(NAME_KEY) or "").strip()
    password = str(st.session_state.get(PASSWORD_KEY) or "")
    st.session_state[PASSWORD_KEY] = ""
    st.session_state.pop(ERROR_KEY, None)
    engine = state.engine(url)
    try:
        user = users.authenticate(engine, name, password)
        token = sessions.start(engine, user, hours=_hours(), key=sessions.secret())
    except EsgDataError as exc:  # PermissionDenied says only "wrong user name or password"
        st.session_state.pop(USER_KEY, None)
        st.session_state[ERROR_KEY] = str(exc)
        return
    st.session_state[USER_KEY] = user
    st.session_state[TOKEN_KEY] = st.session_state[COOKIE_KEY] = token


def sign_out(url: str) -> None:
    """Button callback: end the session in the store, forget the user (and what the review page
    held for them) and clear the cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        sessions.end(state.engine(url), str(token), key=sessions.secret())
    for key in [k for k in st.session_state if str(k).startswith(("_auth", "_rv", "rv_"))]:
        del st.session_state[key]
    st.session_state[COOKIE_KEY] = ""


def _restore(url: str) -> None:
    """After a reload: the person the browser's session cookie signs in, if it is still valid."""
    if current_user() is not None:
        return
    token = st.context.cookies.get(sessions.COOKIE)
    if not token or st.session_state.get(CHECKED_KEY) == token:
        return
    st.session_state[CHECKED_KEY] = token  # a refused token is tried once per tab, not every run
    try:
        user = sessions.resume(state.engine(url), token, hours=_hours(), key=sessions.secret())
    except EsgDataError:  # forged, expired, signed out or the account disabled: sign in again
        st.session_state[COOKIE_KEY] = ""
        return
    st.session_state[USER_KEY] = user
    st.session_state[TOKEN_KEY] = token


def _write_cookie() -> None:
    """Set (or clear) the session cookie in the browser; the token is URL-safe, never user text."""
    token = st.session_state.pop(COOKIE_KEY, None)
    if token is None:
        return
    max_age = int(_hours() * 3600) if token else 0
    st.html(
        "<script>document.cookie = "
        f"{json.dumps(sessions.COOKIE + '=' + token)} + '; Max-Age={max_age}; Path=/; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def sidebar(src: state.Source) -> users.User | None:
    """The sign-in form, or who is signed in with a sign-out button, in the sidebar; returns the user."""
    _restore(src.url)
    user = current_user()
    with st.sidebar:
        _write_cookie()
        if user is not None:
            st.caption(f"Signed in as **{md(user.name)}** ({md(user.role)})")
            st.button(
                "Sign out",
                key=SIGN_OUT_KEY,
                on_click=sign_out,
                args=(src.url,),
                icon=":material/logout:",
                width="stretch",
            )
            return user
        box = st.expander("Sign in", expanded=required() or bool(st.session_state.get(ERROR_KEY)))
        with box, st.form("auth_form", clear_on_submit=False, border=False):
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
        "an admin creates accounts on the Users page or with `esgdata users add NAME --role viewer`.",
        icon=":material/lock:",
    )
