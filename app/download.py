"""Download page: the filtered commitments.csv and releases.csv, written by the CLI's export functions."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from functools import partial

import streamlit as st
from sqlalchemy import Engine

from app import common, state
from app.commitments import anything_reviewed, show_table
from app.safe import md
from app.state import Source
from esgdata.analysis import query, sql


def commitments_bytes(engine: Engine, filters: query.Filters) -> bytes:
    """The bytes the commitments button serves: sql.iter_commitments_csv, UTF-8 (BOM included)."""
    return _joined(sql.iter_commitments_csv(engine, filters))


def releases_bytes(engine: Engine, filters: query.Filters) -> bytes:
    """The bytes the releases button serves: sql.iter_releases_csv, UTF-8 (BOM included)."""
    return _joined(sql.iter_releases_csv(engine, filters))


def _joined(pieces: Iterable[str]) -> bytes:
    # Written piece by piece into one buffer: Streamlit serves a download from memory.
    out = io.BytesIO()
    for piece in pieces:
        out.write(piece.encode("utf-8"))
    return out.getvalue()


def render_download(src: Source, filters: query.Filters) -> None:
    """Two buttons, the file names saying what was filtered and when, and a preview of the rows."""
    st.title("Download")
    releases = state.releases_in_view(src.url, src.revision, filters)
    if not releases["total"]:
        common.empty_store()
        return
    counts = state.in_view(src.url, src.revision, filters)
    common.summary(counts, filters)
    st.markdown(
        "The files have the columns of the contract (UTF-8 with a byte-order mark, so Excel reads "
        "Chinese; cells a spreadsheet would run as formulas are neutralised), exactly as "
        "`esgdata export` writes them, narrowed to the filters in the sidebar."
    )
    today = dt.date.today()
    names = {
        "commitments": query.download_name(filters, today, "commitments"),
        "releases": query.download_name(filters, today, "releases"),
    }
    left, right = st.columns(2)
    with left:
        # The CSV is built only when the button is pressed (a callable): reruns stay fast.
        st.download_button(
            f"commitments.csv ({counts['in_view']:,} rows)",
            data=partial(commitments_bytes, src.engine, filters),
            file_name=names["commitments"],
            mime="text/csv",
            key="dl_commitments",
            on_click="ignore",  # no rerun: it would race the download
            icon=":material/download:",
            type="primary",
            disabled=not counts["in_view"],
        )
        st.caption(f"File name: `{names['commitments']}`")
    with right:
        st.download_button(
            f"releases.csv ({releases['in_view']:,} rows)",
            data=partial(releases_bytes, src.engine, filters),
            file_name=names["releases"],
            mime="text/csv",
            key="dl_releases",
            on_click="ignore",  # no rerun: it would race the download
            icon=":material/download:",
            disabled=not releases["in_view"],
        )
        st.caption(f"File name: `{names['releases']}`")
    if not counts["in_view"]:
        common.no_match("dl")
        return
    st.subheader("First rows")
    st.caption("In the order of the Commitments page (newest first); the files hold every row.")
    rows = state.page(src.url, src.revision, filters, "Newest first", 1, 20)
    show_table(rows, reviewed=anything_reviewed(src), key="dl_preview")
    if not releases["in_view"]:
        st.caption(md("No release is in view."))
