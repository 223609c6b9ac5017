"""Timeline page: commitments on their release dates, the target roadmap, themes over time."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import charts, common
from app.commitments import page_rows, show_table
from app.state import Source
from esgdata.analysis import query

POINT_LIMIT = 1000  # points drawn on the timeline; more would slow every rerun without showing more
ROADMAP_LIMIT = 500  # commitments drawn on the roadmap (each with one line per target year)
TABS = ("On release dates", "Target roadmap", "Themes over time")
TAB_KEY = "tl_tab"


@st.cache_data(show_spinner=False, max_entries=8)
def points(url: str, revision: int, filters: query.Filters, _view: pd.DataFrame) -> pd.DataFrame:
    """The newest commitments with hover labels and lanes, for one filter set."""
    return charts.timeline_points(_view, POINT_LIMIT)


@st.cache_data(show_spinner=False, max_entries=8)
def roadmap(url: str, revision: int, filters: query.Filters, _view: pd.DataFrame) -> pd.DataFrame:
    """The roadmap's rows with hover labels and lanes, for one filter set."""
    return charts.roadmap_rows(_view, limit=ROADMAP_LIMIT)


@st.cache_data(show_spinner=False, max_entries=8)
def trend(url: str, revision: int, filters: query.Filters, _view: pd.DataFrame) -> dict[str, Any]:
    """Theme counts per period (and the period), for one filter set."""
    freq = query.auto_freq(_view)
    return {"counts": query.theme_counts_over_time(_view, freq), "freq": freq}


def _selected_table(view: pd.DataFrame, event: object) -> None:
    ids = common.custom(common.points(event), 0)
    if not ids:
        return
    chosen = view[view["id"].isin(ids)]
    show_table(page_rows(chosen, "Newest first", 1))


def render_timeline(src: Source, filters: query.Filters) -> None:
    """Every commitment on its release date; lines from release to target year; theme counts over time."""
    view = common.filtered(src, filters, "Timeline", "tl")
    if view is None:
        return
    args = (src.url, src.revision, filters, view)
    # Only the open tab is computed and drawn (tabs report .open when they rerun on change).
    on_dates, on_roadmap, on_trend = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
    if on_dates.open:
        with on_dates:
            if len(view) > POINT_LIMIT:
                st.caption(f"The newest {POINT_LIMIT:,} commitments; narrow the filters to see the others.")
            st.caption(
                "Hover a point to read the commitment. Drag a box over points (or click one) to list "
                "them below; double-click the chart to clear the selection."
            )
            common.undated_note(view, "tl_dates", "this timeline")
            figure = charts.timeline_figure(points(*args), total=len(view), limit=POINT_LIMIT)
            event = st.plotly_chart(
                figure, key="tl_points", on_select="rerun", selection_mode=("points", "box"), width="stretch"
            )
            _selected_table(view, event)
    if on_roadmap.open:
        with on_roadmap:
            st.caption(
                f"For the 25 organisations with most such commitments, the newest {ROADMAP_LIMIT:,} "
                "commitments with a target year: a line from the release to each year it names. "
                "A hollow diamond is the target year of a release without a date (no line: it has no start). "
                "Drag a box over lines or diamonds to list them below."
            )
            with_year = view[view["year_max"].notna()]
            common.undated_note(with_year, "tl_roadmap", "", drawn="drawn as hollow diamonds, without a line")
            event = st.plotly_chart(
                charts.roadmap_figure(roadmap(*args)),
                key="tl_roadmap",
                on_select="rerun",
                selection_mode=("points", "box"),
                width="stretch",
            )
            _selected_table(view, event)
    if on_trend.open:
        with on_trend:
            common.undated_note(view, "tl_trend", "this chart")
            data = trend(*args)
            st.plotly_chart(
                charts.theme_trend_figure(data["counts"], data["freq"]), key="tl_trend", width="stretch"
            )
