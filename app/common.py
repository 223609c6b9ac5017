"""Pieces every page uses: empty states, the "N of M" line, and charts whose selection narrows filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from app import filters_ui, nav, state
from app.safe import md
from esgdata.analysis import query


def empty_store() -> None:
    """What to show when the store holds nothing at all."""
    st.info(
        "The store holds no releases yet. Follow a news page or upload press releases on the "
        "**Sources** page, or run `esgdata ingest seeds/` and reload.",
        icon=":material/inbox:",
    )


def no_match(key: str) -> None:
    """What to show when the filters leave nothing; offers the reset right there."""
    st.info(
        "No commitments match these filters. Widen the date range or the target years, "
        "remove an organisation or theme, lower the minimum confidence, or reset the filters.",
        icon=":material/filter_alt_off:",
    )
    st.button("Reset filters", key=f"{key}_reset", on_click=filters_ui.reset)


def filtered(src: state.Source, filters: query.Filters, title: str, key: str) -> dict[str, int] | None:
    """A page's title and the counts of the filtered view; None after showing why it is empty."""
    st.title(title)
    counts = state.in_view(src.url, src.revision, filters)
    if not counts["total"]:
        empty_store()
        return None
    summary(counts, filters)
    if not counts["in_view"]:
        no_match(key)
        return None
    return counts


def summary(counts: Mapping[str, int], filters: query.Filters) -> None:
    """One line: how many commitments are in view and which filters narrow them."""
    text = f"Showing **{counts['in_view']:,}** of {counts['total']:,} commitments"
    phrases = query.describe(filters)
    if phrases:
        text += " · " + " · ".join(md(p) for p in phrases)
    st.caption(text)


def undated_note(undated: int, total: int, key: str, where: str = "this chart", *, drawn: str = "") -> None:
    """How many of the ``total`` commitments in view have no release date (so no place in time), and a
    way to them. ``drawn`` says how the chart shows them anyway; otherwise they are said to be missing."""
    if not undated:
        return
    fate = drawn or f"not on {where}"
    st.caption(
        f"**{undated:,}** of the {total:,} commitments here come from releases without a date: {fate}."
    )
    if st.button(
        f"List the {undated:,} undated commitments", key=f"{key}_undated", icon=":material/event_busy:"
    ):
        filters_ui.show(undated=True, date_from=None, date_to=None)
        st.switch_page(nav.page("commitments"))


def points(event: Any) -> list[dict[str, Any]]:
    """The selected points of a plotly_chart event (item access: AppTest hands back a plain dict)."""
    try:
        return list(event["selection"]["points"])
    except (KeyError, TypeError, IndexError):
        return []


def rows(event: Any) -> list[int]:
    """The selected row positions of a dataframe event."""
    try:
        return [int(r) for r in event["selection"]["rows"]]
    except (KeyError, TypeError, IndexError, ValueError):
        return []


def chart_key(base: str) -> str:
    """The chart's key; it moves on after a selection was turned into filters, clearing that selection."""
    return f"{base}_{st.session_state.get(f'_nonce_{base}', 0)}"


def selectable_chart(
    fig: go.Figure,
    base: str,
    to_filters: Callable[[list[dict[str, Any]]], Mapping[str, Any] | None],
) -> None:
    """Draw a chart; a selection on it becomes filter changes (then the app reruns)."""
    event = st.plotly_chart(
        fig,
        key=chart_key(base),
        on_select="rerun",
        selection_mode=("points", "box"),
        width="stretch",
        config={"displaylogo": False},
    )
    selected = points(event)
    if not selected:
        return
    changes = to_filters(selected)
    if changes:
        st.session_state[f"_nonce_{base}"] = st.session_state.get(f"_nonce_{base}", 0) + 1
        filters_ui.narrow(**changes)


def custom(selected: list[dict[str, Any]], index: int) -> list[str]:
    """Distinct values at ``index`` of the points' customdata, in selection order."""
    out: list[str] = []
    for point in selected:
        data = point.get("customdata")
        if isinstance(data, list | tuple) and len(data) > index and data[index] not in (None, ""):
            out.append(str(data[index]))
    return list(dict.fromkeys(out))
