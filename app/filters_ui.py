"""The sidebar filters: shared by every page, mirrored in the URL query string, with a reset.

A session starts from the URL; every run writes the filters back, so the address is a shareable link.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from app.charts import pillar_label, theme_label
from app.safe import md
from esgdata.analysis import query
from esgdata.extraction import lexicon
from esgdata.models import KINDS, PILLARS

KEYS: dict[str, str] = {
    "organizations": "f_org",
    "dates": "f_dates",
    "pillars": "f_pillar",
    "themes": "f_theme",
    "kinds": "f_kind",
    "years": "f_years",
    "languages": "f_lang",
    "speakers": "f_speaker",
    "search": "f_q",
    "min_confidence": "f_conf",
    "review_statuses": "f_status",
}
RESET_KEY = "f_reset"
_SEEDED = "_filters_seeded"
_PATCH = "_filters_patch"
_CURRENT = "_filters"
_YEAR_BOUNDS = "_filters_year_bounds"
LANGUAGE_NAMES = {"en": "English", "zh": "中文 Chinese"}


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _year_bounds(facets: Mapping[str, Any]) -> tuple[int, int] | None:
    bounds = facets.get("year_bounds")
    if not bounds:
        return None
    low, high = bounds
    return (low, high) if high > low else (low, low + 1)  # a slider needs two distinct ends


def _load(filters: query.Filters, facets: Mapping[str, Any]) -> None:
    """Put ``filters`` into the widgets' session state (before they are drawn)."""
    ss = st.session_state
    f = filters
    ss[KEYS["organizations"]] = list(f.organizations)
    ss[KEYS["dates"]] = query.format_date_range(f)
    ss[KEYS["pillars"]] = list(f.pillars)
    ss[KEYS["themes"]] = list(f.themes)
    ss[KEYS["kinds"]] = list(f.kinds)
    bounds = _year_bounds(facets)
    if bounds:
        # Clipped to the data's span: a slider refuses values outside its ends.
        low = min(max(f.year_from if f.year_from is not None else bounds[0], bounds[0]), bounds[1])
        high = min(max(f.year_to if f.year_to is not None else bounds[1], bounds[0]), bounds[1])
        ss[KEYS["years"]] = (min(low, high), max(low, high))
    ss[_YEAR_BOUNDS] = bounds
    ss[KEYS["languages"]] = list(f.languages)
    ss[KEYS["speakers"]] = list(f.speakers)
    ss[KEYS["search"]] = f.search
    ss[KEYS["min_confidence"]] = float(f.min_confidence)
    ss[KEYS["review_statuses"]] = list(f.review_statuses)


def _keep_in_bounds(facets: Mapping[str, Any]) -> None:
    """After a write the data's year span may change: a full span stays full, others are clipped."""
    ss = st.session_state
    bounds = _year_bounds(facets)
    old = ss.get(_YEAR_BOUNDS)
    value = ss.get(KEYS["years"])
    if bounds and (value is None or tuple(value) == tuple(old or ())):
        ss[KEYS["years"]] = bounds
    elif bounds:
        low, high = max(value[0], bounds[0]), min(value[1], bounds[1])
        ss[KEYS["years"]] = (low, high) if low <= high else bounds
    ss[_YEAR_BOUNDS] = bounds


def _dates() -> tuple[dt.date | None, dt.date | None, bool]:
    """The typed release dates; a typing mistake is said in the sidebar and filters nothing."""
    try:
        return query.parse_date_range(str(st.session_state.get(KEYS["dates"]) or ""))
    except ValueError as exc:
        st.sidebar.error(md(str(exc)), icon=":material/event_busy:")
        return None, None, False


def _read(facets: Mapping[str, Any]) -> query.Filters:
    """Filters from the widgets' current values."""
    ss = st.session_state
    date_from, date_to, undated = _dates()
    year_from = year_to = None
    bounds = _year_bounds(facets)
    if bounds and ss.get(KEYS["years"]):
        low, high = ss[KEYS["years"]]
        # The full span means "any": it keeps commitments without a target year too.
        if (low, high) != bounds:
            year_from = low if low > bounds[0] else None
            year_to = high if high < bounds[1] else None
    return query.Filters(
        organizations=tuple(ss.get(KEYS["organizations"]) or ()),
        date_from=date_from,
        date_to=date_to,
        undated=undated,
        pillars=tuple(ss.get(KEYS["pillars"]) or ()),
        themes=tuple(ss.get(KEYS["themes"]) or ()),
        kinds=tuple(ss.get(KEYS["kinds"]) or ()),
        year_from=year_from,
        year_to=year_to,
        languages=tuple(ss.get(KEYS["languages"]) or ()),
        speakers=tuple(ss.get(KEYS["speakers"]) or ()),
        search=str(ss.get(KEYS["search"]) or "").strip(),
        min_confidence=float(ss.get(KEYS["min_confidence"]) or 0.0),
        review_statuses=tuple(ss.get(KEYS["review_statuses"]) or ()),
    )


def _write_url(filters: query.Filters) -> None:
    """Mirror the filters in the query string, touching only the filter parameters."""
    wanted = query.to_query(filters)
    for key in query.QUERY_KEYS.values():
        have = st.query_params.get_all(key) if key in st.query_params else []
        if wanted.get(key, []) != have:
            if key in wanted:
                st.query_params[key] = wanted[key]
            else:
                del st.query_params[key]


def _options(known: Mapping[str, int], chosen: list[str]) -> list[str]:
    # A value from a shared link that the store does not hold stays selectable (it matches nothing).
    return list(known) + [v for v in chosen if v not in known]


def reset() -> None:
    """Callback of the reset button: every filter back to "everything"."""
    st.session_state[_PATCH] = query.Filters()


def show(**changes: Any) -> None:
    """Change some filters at the top of the next run (call before st.switch_page)."""
    st.session_state[_PATCH] = dataclasses.replace(current(), **changes)


def narrow(**changes: Any) -> None:
    """Change some filters (from a chart selection) and rerun so the sidebar shows them."""
    # Queued for the top of the next run: Streamlit forbids changing a widget once it is drawn.
    st.session_state[_PATCH] = dataclasses.replace(current(), **changes)
    st.rerun()


def current() -> query.Filters:
    """The filters of this run (set by sidebar())."""
    value = st.session_state.get(_CURRENT)
    return value if isinstance(value, query.Filters) else query.Filters()


def sidebar(facets: Mapping[str, Any]) -> query.Filters:
    """Draw the filter widgets in the sidebar and return the filters they hold."""
    ss = st.session_state
    if not ss.get(_SEEDED):
        _load(query.from_query(_url_params()), facets)
        ss[_SEEDED] = True
    patch = ss.pop(_PATCH, None)
    if isinstance(patch, query.Filters):
        _load(patch, facets)
    _keep_in_bounds(facets)
    orgs: dict[str, int] = facets.get("organizations", {})
    speakers: dict[str, int] = facets.get("speakers", {})
    with st.sidebar:
        st.header("Filters")
        st.multiselect(
            "Organisation",
            _options(orgs, ss[KEYS["organizations"]]),
            key=KEYS["organizations"],
            format_func=lambda o: f"{o} ({orgs[o]})" if o in orgs else o,
            placeholder="All organisations",
        )
        bounds = facets.get("date_bounds")
        # Typed, so Enter applies it (a calendar applies only when it closes).
        st.text_input(
            "Release dates",
            key=KEYS["dates"],
            placeholder=f"{bounds[0]} to {bounds[1]}" if bounds else "2021-01-01 to 2022-12-31",
            help=f"Type a range and press Enter: {query.RANGE_EXAMPLES} (releases without a date). "
            "Empty means every date.",
        )
        st.multiselect(
            "Pillar",
            list(PILLARS),
            key=KEYS["pillars"],
            format_func=lambda p: f"{p} · {pillar_label(p)}",
            placeholder="All pillars",
        )
        st.multiselect(
            "Theme",
            list(lexicon.THEME_IDS),
            key=KEYS["themes"],
            format_func=lambda t: (
                f"{theme_label(t)} · {lexicon.themes()[t].label_zh} ({lexicon.pillar_of(t)})"
            ),
            placeholder="All themes",
        )
        st.multiselect("Kind", list(KINDS), key=KEYS["kinds"], placeholder="All kinds")
        years = _year_bounds(facets)
        if years:
            st.slider(
                "Target year",
                min_value=years[0],
                max_value=years[1],
                key=KEYS["years"],
                help="Keeps commitments naming a target year in this range. The full span means any.",
            )
        st.multiselect(
            "Language",
            list(LANGUAGE_NAMES),
            key=KEYS["languages"],
            format_func=lambda code: LANGUAGE_NAMES.get(code, code),
            placeholder="Both languages",
        )
        st.multiselect(
            "Speaker",
            _options(speakers, ss[KEYS["speakers"]]),
            key=KEYS["speakers"],
            format_func=lambda s: f"{s} ({speakers[s]})" if s in speakers else s,
            placeholder="Anyone",
        )
        st.text_input(
            "Search",
            key=KEYS["search"],
            placeholder='carbon peak, 碳达峰, "net zero"',
            help="Every word must appear in the text, title, organisation or speaker. "
            "Quote a phrase to keep it whole. Chinese matches Simplified and Traditional forms.",
        )
        st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key=KEYS["min_confidence"])
        statuses: list[str] = facets.get("review_statuses", [])
        if statuses:
            st.multiselect(
                "Review status",
                _options(dict.fromkeys(statuses, 0), ss[KEYS["review_statuses"]]),
                key=KEYS["review_statuses"],
                placeholder="Any status",
            )
        st.button(
            "Reset filters", key=RESET_KEY, on_click=reset, width="stretch", icon=":material/restart_alt:"
        )
    filters = _read(facets)
    _write_url(filters)
    ss[_CURRENT] = filters
    return filters
