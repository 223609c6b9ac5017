"""Releases page: the releases in view with their counts; one release read whole, commitments highlighted."""

from __future__ import annotations

import hashlib
import math
from collections import Counter

import streamlit as st

from app import common, learning, state, tables
from app.charts import theme_label
from app.safe import Mark, highlight_html, kind_legend_html, md, web_url
from app.state import Source
from esgdata.analysis import query
from esgdata.errors import EsgDataError

PAGE_SIZE = 100
RELEASE_PARAM = "release"  # the release being read, in the URL so the view can be shared
COLUMNS = [
    "release_day",
    "release_title",
    "organization",
    "language",
    "commitments",
    "matching",
    "source_file",
    "url",
]


def table_key(filters: query.Filters, page: int) -> str:
    """The table's key for one filter set and page (a stale row selection is never reused)."""
    nonce = st.session_state.get("_rl_nonce", 0)
    sig = repr((sorted(query.to_query(filters).items()), page, nonce)).encode("utf-8")
    return "rl_table_" + hashlib.md5(sig, usedforsecurity=False).hexdigest()[:10]


def close() -> None:
    """Callback of the close button: forget the open release and the table's selection."""
    if RELEASE_PARAM in st.query_params:
        del st.query_params[RELEASE_PARAM]
    st.session_state["_rl_nonce"] = st.session_state.get("_rl_nonce", 0) + 1
    st.session_state.pop("_rl_last_pick", None)


def render_release(src: Source, source_file: str) -> None:
    """One release, whole: its header and its body with every commitment highlighted by kind."""
    try:
        release = state.release(src.url, src.revision, source_file)
    except EsgDataError as exc:
        st.warning(md(str(exc)) + " — it may have been removed; pick another release.")
        return
    st.subheader(md(release["title"] or release["source_file"]))
    meta = [
        str(release["date"] or "undated"),
        release["organization"] or "unknown organisation",
        release["source"] or "",
        {"en": "English", "zh": "中文"}.get(release["language"], release["language"]),
        f"{release['source_file']} ({release['format']})",
    ]
    st.caption(" · ".join(md(m) for m in meta if m))
    left, right = st.columns([1, 1])
    left.button("Close this release", key="rl_close", icon=":material/close:", on_click=close)
    if original := web_url(release.get("url")):
        right.link_button("Original page", original, icon=":material/open_in_new:")
    spans = release["commitments"]
    themes = state.release_themes(src.url, src.revision, source_file)
    marks = []
    for c in spans:
        names = ", ".join(theme_label(t) for t in themes.get(c["id"], "").split(";") if t)
        marks.append(
            Mark(int(c["start"]), int(c["end"]), "commitment", str(c["kind"]), f"{c['kind']} · {names}")
        )
    counts = Counter(str(c["kind"]) for c in spans)
    st.markdown(
        kind_legend_html()
        + " &nbsp; "
        + md(
            ", ".join(f"{n} {k}" for k, n in counts.most_common()) or "no commitments found in this release"
        ),
        unsafe_allow_html=True,
    )
    body = highlight_html(str(release["body"]), marks)
    st.markdown(f'<div class="esg-release" style="line-height:1.7">{body}</div>', unsafe_allow_html=True)
    learning.render_add_missed(src, source_file)


def render_releases(src: Source, filters: query.Filters) -> None:
    """The releases in view (date, title, organisation, counts); select one to read it."""
    st.title("Releases")
    counts = state.releases_in_view(src.url, src.revision, filters)
    if not counts["total"]:
        common.empty_store()
        return
    st.caption(
        f"**{counts['in_view']:,}** of {counts['total']:,} releases · **commitments**: all in the release, "
        "**matching**: those passing the filters"
    )
    opened = st.query_params.get(RELEASE_PARAM)
    if not counts["in_view"]:
        common.no_match("rl")
    else:
        pages = max(1, math.ceil(counts["in_view"] / PAGE_SIZE))
        if st.session_state.get("rl_page", 1) > pages:
            st.session_state["rl_page"] = 1
        page = 1
        if pages > 1:
            page = int(
                st.number_input(
                    "Page", min_value=1, max_value=pages, step=1, key="rl_page", help=f"{pages:,} pages"
                )
            )
        rows = state.releases_page(src.url, src.revision, filters, page, PAGE_SIZE)[COLUMNS]
        rows["url"] = [web_url(u) for u in rows["url"]]
        event = tables.show(
            rows,
            key=table_key(filters, page),
            on_select="rerun",
            selection_mode="single-row",
            wrap={"release_title": 230, "source_file": 150},
            fixed={"url": 70},  # a link: its address is not shown, "open" is
            column_config={
                "release_day": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
                "release_title": st.column_config.TextColumn("title"),
                "organization": st.column_config.TextColumn("organisation"),
                "language": st.column_config.TextColumn("lang."),
                "commitments": st.column_config.NumberColumn("total", help="commitments in the release"),
                "matching": st.column_config.NumberColumn(
                    "in view", help="commitments that pass the filters"
                ),
                "source_file": st.column_config.TextColumn("file"),
                "url": st.column_config.LinkColumn("original page", display_text="open"),
            },
        )
        picked = common.rows(event)
        if picked and 0 <= picked[0] < len(rows):
            chosen = str(rows.iloc[picked[0]]["source_file"])
            # Only a new selection opens a release; a lingering one must not undo a link's choice.
            if chosen != st.session_state.get("_rl_last_pick"):
                st.session_state["_rl_last_pick"] = chosen
                st.query_params[RELEASE_PARAM] = chosen
                opened = chosen
    if opened:
        st.divider()
        render_release(src, opened)
    elif counts["in_view"]:
        st.caption("Select a release (the box at its left) to read it with its commitments highlighted.")
