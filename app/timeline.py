"""Timeline page: commitments on their release dates, the target roadmap, themes over time."""

from __future__ import annotations

import streamlit as st

from app import charts, common, state
from app.commitments import PAGE_SIZE, anything_reviewed, show_table
from app.state import Source
from esgdata.analysis import query

POINT_LIMIT = 1000  # points drawn on the timeline; more would slow every rerun without showing more
ROADMAP_LIMIT = 500  # commitments drawn on the roadmap (each with one line per target year)
TABS = ("On release dates", "Target roadmap", "Themes over time")
TAB_KEY = "tl_tab"


def _selected_table(src: Source, event: object) -> None:
    ids = common.custom(common.points(event), 0)
    if not ids:
        return
    rows = state.rows_by_id(src.url, src.revision, tuple(ids))
    show_table(rows.head(PAGE_SIZE), reviewed=anything_reviewed(src))


def render_timeline(src: Source, filters: query.Filters) -> None:
    """Every commitment on its release date; lines from release to target year; theme counts over time."""
    counts = common.filtered(src, filters, "Timeline", "tl")
    if counts is None:
        return
    n = counts["in_view"]
    # Only the open tab is computed and drawn (tabs report .open when they rerun on change).
    on_dates, on_roadmap, on_trend = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
    if on_dates.open:
        with on_dates:
            if n > POINT_LIMIT:
                st.caption(f"The newest {POINT_LIMIT:,} commitments; narrow the filters to see the others.")
            st.caption(
                "Hover a point to read the commitment. Drag a box over points (or click one) to list "
                "them below; double-click the chart to clear the selection."
            )
            common.undated_note(counts["undated"], n, "tl_dates", "this timeline")
            points = charts.timeline_layout(
                state.timeline_points(src.url, src.revision, filters, POINT_LIMIT)
            )
            figure = charts.timeline_figure(points, total=n, limit=POINT_LIMIT)
            event = st.plotly_chart(
                figure, key="tl_points", on_select="rerun", selection_mode=("points", "box"), width="stretch"
            )
            _selected_table(src, event)
    if on_roadmap.open:
        with on_roadmap:
            st.caption(
                f"For the 25 organisations with most such commitments, the newest {ROADMAP_LIMIT:,} "
                "commitments with a target year: a line from the release to each year it names. "
                "A hollow diamond is the target year of a release without a date (no line: it has no start). "
                "Drag a box over lines or diamonds to list them below."
            )
            road = state.roadmap(src.url, src.revision, filters, ROADMAP_LIMIT)
            common.undated_note(
                road["undated_with_year"],
                road["with_year"],
                "tl_roadmap",
                "",
                drawn="drawn as hollow diamonds, without a line",
            )
            event = st.plotly_chart(
                charts.roadmap_figure(charts.roadmap_layout(road["rows"])),
                key="tl_roadmap",
                on_select="rerun",
                selection_mode=("points", "box"),
                width="stretch",
            )
            _selected_table(src, event)
    if on_trend.open:
        with on_trend:
            common.undated_note(counts["undated"], n, "tl_trend", "this chart")
            data = state.trend(src.url, src.revision, filters)
            st.plotly_chart(
                charts.theme_trend_figure(data["counts"], data["freq"]), key="tl_trend", width="stretch"
            )
