"""Sources page: the news pages, feeds and sitemaps followed, their last fetch, and "Fetch now".

Anyone sees the list; reviewers and admins add a URL, fetch and stop following (the library
checks the role again on every write). Files can still be uploaded, in a section of their own.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app import auth, state, upload
from app.safe import md, web_url
from esgdata import fetch, users
from esgdata.errors import EsgDataError

URL_KEY = "src_url"
ORG_KEY = "src_org"
LANGUAGE_KEY = "src_language"
ONLY_KEY = "src_only"
ADDED_KEY = "_src_added"  # what the last "Add" did: ("ok" | "error", message)
RESULT_KEY = "_src_result"  # what the last "Fetch now" did
REMOVED_KEY = "_src_removed"  # what the last "Stop following" did: ("ok" | "error", message)
LANGUAGES = {"": "detect in each release", "zh": "Chinese", "en": "English"}
WRITERS = ("reviewer", "admin")


def _may_write(user: users.User | None) -> bool:
    """Whether to offer the forms; the library decides for real (users.require)."""
    return user is not None and user.role in WRITERS


def _add() -> None:
    """Form callback: follow a new source through the library (which checks the role)."""
    url = str(st.session_state.get(URL_KEY) or "").strip()
    try:
        row = fetch.add_source(
            state.engine(state.source().url),
            auth.current_user(),
            url,
            organization=str(st.session_state.get(ORG_KEY) or ""),
            language=str(st.session_state.get(LANGUAGE_KEY) or ""),
        )
    except EsgDataError as exc:
        st.session_state[ADDED_KEY] = ("error", str(exc))
        return
    st.session_state[ADDED_KEY] = ("ok", f"Following {row['url']} (source {row['id']}). Fetch it now below.")
    state.clear()


def _fetch_now() -> None:
    """Button callback: fetch every source (or the one chosen) with a progress bar; keep the report."""
    only = st.session_state.get(ONLY_KEY)
    bar = st.progress(0.0, text="Reading the sources…")

    def progress(url: str, share: float) -> None:
        bar.progress(min(max(share, 0.0), 1.0), text=md(url))

    try:
        report = fetch.fetch(
            state.engine(state.source().url),
            auth.current_user(),
            source_id=int(only) if only else None,
            progress=progress,
        )
    except EsgDataError as exc:
        st.session_state[RESULT_KEY] = {"error": str(exc)}
        return
    finally:
        bar.empty()
    st.session_state[RESULT_KEY] = {
        "sources": [(r.url, r.status, r.summary()) for r in report.sources],
        "failures": [(f.path, f.reason) for f in report.failures],
        "stopped": report.stopped,
        "requests": report.requests,
        "revalidated": report.revalidated,
    }
    state.clear()


def _remove() -> None:
    """Button callback: stop following the chosen source through the library (which checks the role)."""
    only = st.session_state.get(ONLY_KEY)
    if not only:
        return
    try:
        url = fetch.remove_source(state.engine(state.source().url), auth.current_user(), int(only))
    except EsgDataError as exc:
        st.session_state[REMOVED_KEY] = ("error", str(exc))
        return
    st.session_state[REMOVED_KEY] = ("ok", f"No longer following {url}; the releases it brought stay.")
    st.session_state[ONLY_KEY] = ""
    state.clear()


def _show_fetch_result(result: dict[str, Any]) -> None:
    if "error" in result:
        st.error(md(result["error"]), icon=":material/error:")
        return
    lines = [f"**{md(url)}**: {md(summary)}" for url, _, summary in result["sources"]]
    done = all(status == "ok" for _, status, _ in result["sources"])
    (st.success if done else st.warning)(
        "  \n".join(lines) or "No sources to fetch.",
        icon=":material/check_circle:" if done else ":material/warning:",
    )
    st.caption(
        f"{result['requests']} requests, {result['revalidated']} answered “not modified”."
        + (f" Stopped early: {md(result['stopped'])}" if result["stopped"] else "")
    )
    for url, reason in result["failures"]:
        st.error(f"**{md(url)}**: {md(reason)}", icon=":material/error:")


def _add_form() -> None:
    with st.form("src_add", clear_on_submit=True):
        st.text_input(
            "News page, RSS/Atom feed or sitemap URL",
            key=URL_KEY,
            placeholder="https://www.example.com/news/",
        )
        left, right = st.columns(2)
        left.text_input("Organisation behind it (optional)", key=ORG_KEY)
        right.selectbox("Language", list(LANGUAGES), format_func=LANGUAGES.__getitem__, key=LANGUAGE_KEY)
        st.form_submit_button("Follow", key="src_add_submit", on_click=_add, icon=":material/add_link:")
    added = st.session_state.pop(ADDED_KEY, None)
    if added:
        kind, message = added
        (st.success if kind == "ok" else st.error)(md(message))


def _sources_table(frame: Any) -> None:
    shown = frame.assign(url=[web_url(u) for u in frame["url"]])
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="src_table",
        column_config={
            "id": st.column_config.NumberColumn("id", width="small"),
            "url": st.column_config.LinkColumn("source", width="large"),
            "kind": "kind",
            "organization": "organisation",
            "language": "language",
            "last_fetch_at": "last fetch",
            "last_status": "result",
            "last_new": st.column_config.NumberColumn("new", help="New releases in the last fetch"),
            "last_updated": st.column_config.NumberColumn(
                "updated", help="Releases changed in the last fetch"
            ),
            "last_failed": st.column_config.NumberColumn(
                "failed", help="Pages that failed in the last fetch"
            ),
            "releases": st.column_config.NumberColumn("releases", help="Releases stored from this source"),
            "gone": st.column_config.NumberColumn("gone", help="Pages that disappeared; their releases stay"),
            "failing": st.column_config.NumberColumn("failing", help="Pages whose last fetch failed"),
            "last_error": st.column_config.TextColumn("last failures", width="large"),
        },
    )


def render_sources(src: state.Source, filters: object) -> None:
    """The followed sources; add one and fetch now (reviewers and admins); upload files below."""
    st.title("Sources")
    st.markdown(
        "News list pages, RSS/Atom feeds and sitemaps the store follows. A fetch reads new and "
        "changed articles politely (robots.txt obeyed, one request per second per site, unchanged "
        "pages asked for conditionally); from the command line: `esgdata fetch`."
    )
    user = auth.current_user()
    frame = state.sources(src.url, src.revision)
    if _may_write(user):
        _add_form()
    if frame.empty:
        st.info(
            "No sources followed yet." + ("" if _may_write(user) else " A reviewer or admin can add one.")
        )
    else:
        _sources_table(frame)
    if _may_write(user):
        if not frame.empty:
            ids = [""] + [str(i) for i in frame["id"]]
            urls = dict(zip(ids[1:], frame["url"], strict=True))
            if st.session_state.get(ONLY_KEY) not in ids:
                st.session_state[ONLY_KEY] = ""
            left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
            left.selectbox(
                "Source",
                ids,
                format_func=lambda i: f"{i}: {urls[i]}" if i else "every source",
                key=ONLY_KEY,
            )
            middle.button(
                "Fetch now", key="src_fetch", on_click=_fetch_now, icon=":material/sync:", type="primary"
            )
            right.button(
                "Stop following",
                key="src_remove",
                on_click=_remove,
                icon=":material/link_off:",
                disabled=not st.session_state.get(ONLY_KEY),
                help="Choose one source first. Its releases stay in the store with their reviews.",
            )
        removed = st.session_state.pop(REMOVED_KEY, None)
        if removed:
            kind, message = removed
            (st.success if kind == "ok" else st.error)(md(message))
        result = st.session_state.get(RESULT_KEY)
        if result:
            _show_fetch_result(result)
    else:
        st.caption("Sign in as a reviewer or admin to add sources and fetch them.")
    st.divider()
    upload.render_upload(src, filters)
