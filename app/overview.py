"""Overview page: headline figures and four charts; selecting a bar or cell narrows the filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from app import charts, common, state
from app.state import Source
from esgdata.analysis import query


def _theme_kind(selected: list[dict[str, Any]]) -> dict[str, Any]:
    return {"themes": tuple(common.custom(selected, 0)), "kinds": tuple(common.custom(selected, 1))}


def _pillar(selected: list[dict[str, Any]]) -> dict[str, Any]:
    return {"pillars": tuple(common.custom(selected, 0))}


def _org_theme(selected: list[dict[str, Any]]) -> dict[str, Any]:
    return {"organizations": tuple(common.custom(selected, 0)), "themes": tuple(common.custom(selected, 1))}


def _monthly(selected: list[dict[str, Any]]) -> dict[str, Any] | None:
    months = sorted(dt.date.fromisoformat(m) for m in common.custom(selected, 1))
    if not months:
        return None
    last = months[-1]
    end = (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date()
    return {
        "pillars": tuple(common.custom(selected, 0)),
        "date_from": months[0],
        "date_to": end,
        "undated": False,
    }


def render_overview(src: Source, filters: query.Filters) -> None:
    """Headline figures, commitments by theme and kind, pillar split, organisation x theme, per month."""
    st.title("ESG commitments")
    counts = state.in_view(src.url, src.revision, filters)
    if not counts["total"]:
        common.empty_store()
        return
    data = state.overview(src.url, src.revision, filters)
    h = data["headline"]
    cols = st.columns(6)
    cols[0].metric("Releases", f"{h['releases']:,}")
    cols[1].metric("Commitments", f"{h['commitments']:,}")
    cols[2].metric("Organisations", f"{h['organizations']:,}")
    cols[3].metric(
        "With a target year", f"{h['target_share']:.0%}", help=f"{h['with_target_year']:,} commitments"
    )
    cols[4].metric("Nearest target year", str(h["nearest_year"] or "–"))
    cols[5].metric("Farthest target year", str(h["farthest_year"] or "–"))
    common.summary(counts, filters)
    if not counts["in_view"]:
        common.no_match("ov")
        return
    st.caption("Select a bar or a cell (click it, or drag a box over several) to narrow the filters to it.")
    left, right = st.columns([3, 2])
    with left:
        common.selectable_chart(charts.theme_kind_figure(data["theme_kind"]), "ov_theme_kind", _theme_kind)
    with right:
        common.selectable_chart(charts.pillar_figure(data["pillar"], counts["in_view"]), "ov_pillar", _pillar)
        common.selectable_chart(charts.monthly_figure(data["monthly"]), "ov_monthly", _monthly)
    common.selectable_chart(charts.org_theme_figure(data["org_theme"]), "ov_org_theme", _org_theme)
    common.undated_note(
        counts["undated"], counts["in_view"], "ov_monthly", "the chart of commitments per month"
    )
