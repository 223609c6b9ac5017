"""Commitments page: the filtered table; a selected row shows its passage, evidence and release."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pandas as pd
import streamlit as st

from app import common, nav, state, tables
from app.charts import theme_label
from app.safe import Mark, highlight_html, md, web_url
from app.state import Source
from esgdata.analysis import query, sql
from esgdata.errors import EsgDataError

PAGE_SIZE = 40  # rows per page: every row whole (12 lines at most), under the grid's 10,000 px
SORTS = tuple(sql.SORTS)  # the choices; the database sorts (analysis.sql.SORTS)
COLUMNS = [
    "release_day",
    "organization",
    "kind",
    "text",
    "themes",
    "target_years",
    "confidence",
]
# Widths (px) of the columns that wrap; the table stretches them to the page. With the
# sidebar open, a 1400 px window leaves about 930 px: the commitment gets what the rest leave.
WRAP = {"organization": 120, "text": 340, "themes": 130, "target_years": 64}
COLUMN_CONFIG: dict[str, Any] = {
    "release_day": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
    "organization": st.column_config.TextColumn("organisation · speaker"),
    "text": st.column_config.TextColumn("commitment"),
    "target_years": st.column_config.TextColumn("years", help="target years"),
    "confidence": st.column_config.NumberColumn("conf.", format="%.2f", help="confidence, 0 to 1"),
}


def table_key(filters: query.Filters, sort: str, page: int) -> str:
    """The table's key: a new one for each filter, sort and page, so a stale selection is never reused."""
    sig = repr((sorted(query.to_query(filters).items()), sort, page)).encode("utf-8")
    return "cm_table_" + hashlib.md5(sig, usedforsecurity=False).hexdigest()[:10]


REVIEW_DISPLAY = ("review_status", "reviewed_by", "reviewed_at")


def display_frame(rows: pd.DataFrame, *, reviewed: bool = False) -> pd.DataFrame:
    """The table as people read it: organisation and speaker together, theme names instead of ids,
    blanks for missing values; once anything in the store is reviewed (``reviewed``), the review
    status, reviewer and time too (the values are the reviewed ones). The release file is in the
    selected row's detail.
    """
    out = rows[COLUMNS].copy()
    for column in ("kind", "text", "target_years"):
        out[column] = out[column].astype(str)
    out["organization"] = [
        f"{o} · {s}" if s else o
        for o, s in zip(rows["organization"].astype(str), rows["speaker"].astype(str), strict=True)
    ]
    out["themes"] = [", ".join(theme_label(t) for t in str(v).split(";") if t) for v in rows["themes"]]
    out["target_years"] = out["target_years"].str.replace(";", ", ")
    if reviewed:
        for column in (c for c in REVIEW_DISPLAY if c in rows.columns):
            out[column] = [
                "" if v is None or pd.isna(v) or str(v) == "None" else str(v) for v in rows[column]
            ]
    return out.reset_index(drop=True)


def show_table(rows: pd.DataFrame, *, reviewed: bool = False, **kwargs: Any) -> Any:
    """The commitments table (this page's and the Download preview's): every row shown whole."""
    frame = display_frame(rows, reviewed=reviewed)
    config = {**COLUMN_CONFIG}
    wrap = WRAP
    if "reviewed_at" in frame.columns:
        # Three more columns in the same page width: narrower text, the day of the review, no
        # confidence (the review says more than the extraction's own guess).
        config["review_status"] = st.column_config.TextColumn("review")
        config["reviewed_by"] = st.column_config.TextColumn("by")
        config["reviewed_at"] = st.column_config.TextColumn("on")
        config["confidence"] = None
        frame["reviewed_at"] = frame["reviewed_at"].str.slice(0, 10)
        wrap = {
            **WRAP,
            "organization": 92,
            "text": 180,
            "themes": 96,
            "review_status": 90,
            "reviewed_by": 60,
        }
    return tables.show(frame, wrap=wrap, column_config=config, **kwargs)


def _marks(row: pd.Series, cue: str, cue_rule: str, evidence: list[dict[str, Any]]) -> list[Mark]:
    start, end, text = int(row["start"]), int(row["end"]), str(row["text"])
    marks = [Mark(start, end, "focus", str(row["kind"]), f"{row['kind']}")]
    at = text.find(cue) if cue else -1
    if at >= 0:
        marks.append(Mark(start + at, start + at + len(cue), "cue", "", f"cue: {cue_rule}"))
    for item in evidence:
        words, theme = str(item["words"]), str(item["theme"])
        if isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
            s, e = int(item["start"]), int(item["end"])
        else:
            found = text.find(words)
            if found < 0:
                continue
            s, e = start + found, start + found + len(words)
        marks.append(Mark(s, e, "theme", theme, theme_label(theme)))
    return marks


def render_detail(
    src: Source, row: pd.Series, filters: query.Filters, *, title: str = "Selected commitment"
) -> None:
    """The selected commitment in its paragraph, with its cue, theme words and a link to its release."""
    if title:
        st.subheader(title)
    themes = ", ".join(theme_label(t) for t in str(row["themes"]).split(";") if t) or "no theme"
    date = row["release_day"].strftime("%Y-%m-%d") if pd.notna(row["release_day"]) else "undated"
    who = md(row["organization"] or "unknown organisation")
    if row["speaker"]:
        who += f" — {md(row['speaker'])}"
    st.markdown(
        f"**{md(row['kind'])}** · {who} · {date} · {md(themes)}"
        + (
            f" · target years {md(str(row['target_years']).replace(';', ', '))}"
            if row["target_years"]
            else ""
        )
        + f" · confidence {float(row['confidence']):.2f}"
    )
    try:
        release = state.release(src.url, src.revision, str(row["source_file"]))
    except EsgDataError as exc:
        st.error(md(str(exc)))
        return
    body = str(release["body"])
    start, end = int(row["start"]), int(row["end"])
    cells = state.evidence(src.url, src.revision, str(row["id"]))
    cue, cue_rule = str(cells.get("cue") or ""), str(cells.get("cue_rule") or "")
    evidence = query.theme_evidence(cells.get("theme_evidence"))
    if body[start:end] == str(row["text"]):
        lo, hi = query.paragraph_bounds(body, start, end)
        passage = highlight_html(body[lo:hi], _marks(row, cue, cue_rule, evidence), offset=lo)
    else:  # the release changed since this row was read: show the commitment alone
        passage = highlight_html(str(row["text"]), [])
    st.markdown(
        f'<div class="esg-passage" style="line-height:1.7">{passage}</div>',
        unsafe_allow_html=True,
    )
    st.markdown(
        "**Cue:** "
        + (f"“{md(cue)}” ({md(cue_rule)})" if cue else "none recorded")
        + "  \n**Theme words:** "
        + (
            "; ".join(
                f"{md(theme_label(theme))}: “{md(words)}”"
                for theme, words in dict.fromkeys((str(i["theme"]), str(i["words"])) for i in evidence)
            )
            if evidence
            else "none recorded"
        )
    )
    st.page_link(
        nav.page("releases"),
        label=f"Open the whole release ({md(row['source_file'])})",
        icon=":material/article:",
        query_params={**query.to_query(filters), "release": str(row["source_file"])},
    )
    if original := web_url(release.get("url")):
        st.link_button("Original page", original, icon=":material/open_in_new:")


_KEYSET = "_cm_keyset"  # this table's pages seen: page number -> its last row's sort keys


def _keyset(src: Source, filters: query.Filters, sort: str) -> dict[int, tuple[Any, ...]]:
    """The pages seen of this very table (same store revision, filters and sort); others are forgotten."""
    sig = (src.revision, table_key(filters, sort, 0))
    held = st.session_state.get(_KEYSET)
    if not held or held[0] != sig:
        held = (sig, {})
        st.session_state[_KEYSET] = held
    pages: dict[int, tuple[Any, ...]] = held[1]
    return pages


def _after(src: Source, filters: query.Filters, sort: str, page: int) -> tuple[Any, ...] | None:
    """Where page ``page`` starts when the page before it was shown: the database then seeks there
    through its index instead of counting past every earlier row."""
    return _keyset(src, filters, sort).get(page - 1) if page > 1 else None


def _remember_last(src: Source, filters: query.Filters, sort: str, page: int, rows: pd.DataFrame) -> None:
    if len(rows):
        _keyset(src, filters, sort)[page] = sql.sort_key(sort, rows.iloc[-1])


def anything_reviewed(src: Source) -> bool:
    """True once any commitment of the store is reviewed (the tables then show review columns)."""
    return bool(state.facets(src.url, src.revision)["review_statuses"])


def render_commitments(src: Source, filters: query.Filters) -> None:
    """The filtered commitments, a page at a time; select a row to read it in its release."""
    counts = common.filtered(src, filters, "Commitments", "cm")
    if counts is None:
        return
    pages = max(1, math.ceil(counts["in_view"] / PAGE_SIZE))
    left, right, _ = st.columns([2, 1, 3])
    sort = left.selectbox("Sort", SORTS, key="cm_sort")
    if st.session_state.get("cm_page", 1) > pages:
        st.session_state["cm_page"] = 1
    page = int(
        right.number_input(
            "Page", min_value=1, max_value=pages, step=1, key="cm_page", help=f"{pages:,} pages"
        )
    )
    rows = state.page(src.url, src.revision, filters, sort, page, PAGE_SIZE, _after(src, filters, sort, page))
    _remember_last(src, filters, sort, page, rows)
    common.undated_note(
        counts["undated"], counts["in_view"], "cm", "a time axis", drawn="their date column is empty"
    )
    event = show_table(
        rows,
        reviewed=anything_reviewed(src),
        key=table_key(filters, sort, page),
        on_select="rerun",
        selection_mode="single-row",
    )
    selected = common.rows(event)
    if selected and 0 <= selected[0] < len(rows):
        render_detail(src, rows.iloc[selected[0]], filters)
    else:
        st.caption("Select a row (the box at its left) to read the commitment in its release.")
