"""Download page: the filtered commitments.csv and releases.csv, written by the CLI's export functions."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from app import common, state
from app.commitments import page_rows, show_table
from app.safe import md
from app.state import Source
from esgdata.analysis import query


def commitments_bytes(engine: Engine, filters: query.Filters, frame: pd.DataFrame | None = None) -> bytes:
    """The bytes the commitments button serves: query.export_commitments, UTF-8 (BOM included)."""
    return query.export_commitments(engine, filters, frame).encode("utf-8")


def releases_bytes(
    engine: Engine,
    filters: query.Filters,
    frame: pd.DataFrame | None = None,
    releases: pd.DataFrame | None = None,
) -> bytes:
    """The bytes the releases button serves: query.export_releases, UTF-8 (BOM included)."""
    return query.export_releases(engine, filters, frame, releases).encode("utf-8")


def render_download(src: Source, filters: query.Filters) -> None:
    """Two buttons, the file names saying what was filtered and when, and a preview of the rows."""
    st.title("Download")
    frame = state.commitments(src.url, src.revision)
    all_releases = state.releases(src.url, src.revision)
    if all_releases.empty:
        common.empty_store()
        return
    view = query.apply(frame, filters)
    releases = query.filter_releases(all_releases, view, filters)
    common.summary(view, frame, filters)
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
            f"commitments.csv ({len(view):,} rows)",
            data=partial(commitments_bytes, src.engine, filters, view),
            file_name=names["commitments"],
            mime="text/csv",
            key="dl_commitments",
            on_click="ignore",  # no rerun: it would race the download
            icon=":material/download:",
            type="primary",
            disabled=view.empty,
        )
        st.caption(f"File name: `{names['commitments']}`")
    with right:
        st.download_button(
            f"releases.csv ({len(releases):,} rows)",
            data=partial(releases_bytes, src.engine, filters, view, all_releases),
            file_name=names["releases"],
            mime="text/csv",
            key="dl_releases",
            on_click="ignore",  # no rerun: it would race the download
            icon=":material/download:",
            disabled=releases.empty,
        )
        st.caption(f"File name: `{names['releases']}`")
    if view.empty:
        common.no_match("dl")
        return
    st.subheader("First rows")
    st.caption("In the order of the Commitments page (newest first); the files hold every row.")
    show_table(page_rows(view, "Newest first", 1).head(20), key="dl_preview")
    if releases.empty:
        st.caption(md("No release is in view."))
