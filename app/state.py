"""Cached access to the store: one engine per database URL, frames keyed on the store's revision.

Every cached function takes the URL and the revision, so a write (which bumps it) is seen at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from app.safe import md
from esgdata import config, export, fetch, ingest, learning, review, store, users
from esgdata.analysis import query, sql
from esgdata.errors import EsgDataError

_SEED_LOCK = threading.Lock()  # two first visitors must not both ingest the seeds
_SEEDED_FLAG = "_seeds_checked"


@dataclass(frozen=True)
class Source:
    """The store this run reads: its URL (the cache key), its engine and its revision."""

    url: str
    engine: Engine
    revision: int


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    """One engine (a connection pool) per database URL, shared by every session."""
    return store.connect(url)


def source() -> Source:
    """The configured store and its current revision (one small query per run)."""
    url = config.load_config().db_url
    eng = engine(url)
    return Source(url, eng, store.revision(eng))


def clear() -> None:
    """Forget every cached frame and result: called after this app writes to the store."""
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=4)
def counts(url: str, revision: int) -> dict[str, int]:
    """How many releases and commitments the store holds at ``revision``."""
    return store.counts(engine(url))


@st.cache_data(show_spinner="Reading the commitments…", max_entries=2)
def commitments(url: str, revision: int) -> pd.DataFrame:
    """Every commitment, trimmed and categorised for filtering (query.load_commitments)."""
    return query.load_commitments(engine(url))


@st.cache_data(show_spinner=False, max_entries=2)
def releases(url: str, revision: int) -> pd.DataFrame:
    """Every release with its commitment count (query.load_releases)."""
    return query.load_releases(engine(url))


@st.cache_data(show_spinner=False, max_entries=256)
def evidence(url: str, revision: int, commitment_id: str) -> dict[str, str]:
    """Cue, cue rule and theme evidence of one commitment (read when someone opens it)."""
    row = store.get_commitment(engine(url), commitment_id) or {}
    return {k: str(row.get(k) or "") for k in ("cue", "cue_rule", "theme_evidence")}


@st.cache_data(show_spinner=False, max_entries=64)
def release(url: str, revision: int, source_file: str) -> dict[str, Any]:
    """One release with its body and commitment spans."""
    return store.release_body(engine(url), source_file)


# --- review: the queue, progress and quality of a filtered view, and the audit log; read by app/review.py


@st.cache_data(show_spinner=False, max_entries=8)
def review_queue(url: str, revision: int, filters: query.Filters, _view: pd.DataFrame) -> list[str]:
    """Ids of the view's commitments in review order (review.queue): stale, unreviewed, follow-up."""
    columns = ["id", query.REVIEW_COLUMN, "review_stale", "confidence"]
    return [row["id"] for row in review.queue(_view[columns].to_dict("records"))]


@st.cache_data(show_spinner=False, max_entries=8)
def review_progress(
    url: str, revision: int, filters: query.Filters, _view: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Share reviewed per organisation and per theme (review.progress) of one filtered view."""
    rows = _view[["organization", "themes", query.REVIEW_COLUMN]].astype(str).to_dict("records")
    return {
        by: pd.DataFrame(review.progress(rows, by), columns=[by, "commitments", "reviewed", "share"])
        for by in ("organization", "themes")
    }


@st.cache_data(show_spinner=False, max_entries=2)
def judged(url: str, revision: int) -> list[dict[str, Any]]:
    """Every reviewed commitment with its originals (review.judged_rows), for the quality figures."""
    return review.judged_rows(engine(url))


@st.cache_data(show_spinner=False, max_entries=64)
def review_of(url: str, revision: int, commitment_id: str) -> dict[str, Any] | None:
    """The stored review of one commitment (its version is what a save is checked against)."""
    return store.get_review(engine(url), commitment_id)


def audit(url: str) -> list[dict[str, Any]]:
    """The whole audit log, oldest first. Not cached: account changes are logged without a new revision."""
    return store.audit_rows(engine(url))


def audit_check(url: str) -> store.AuditCheck:
    """The audit chain verified now (store.verify_audit); not cached, like the log itself."""
    return store.verify_audit(engine(url))


@st.cache_data(show_spinner=False, max_entries=2)
def review_counts(url: str, revision: int) -> dict[str, int]:
    """Reviews, stale ones and orphaned ones in the whole store."""
    return store.review_counts(engine(url))


@st.cache_data(show_spinner=False, max_entries=2)
def orphaned(url: str, revision: int) -> list[dict[str, Any]]:
    """Reviews whose words disappeared from their release, kept for a person to look at."""
    return store.orphaned_reviews(engine(url))


@st.cache_data(show_spinner=False, max_entries=4)
def facets(url: str, revision: int) -> dict[str, Any]:
    """What the filter widgets offer: organisations and speakers by count, date and year bounds."""
    return sql.facets(engine(url))


# --- what the pages draw, computed by the database for one filter set (analysis.sql)


@st.cache_data(show_spinner=False, max_entries=32)
def summary(url: str, revision: int, filters: query.Filters) -> dict[str, Any]:
    """One pass over the commitments in view (sql.summary)."""
    return sql.summary(engine(url), filters)


def in_view(url: str, revision: int, filters: query.Filters) -> dict[str, int]:
    """How many commitments the store holds, how many pass the filters, and how many of those are undated."""
    figures = summary(url, revision, filters)
    return {
        "total": counts(url, revision)["commitments"],
        "in_view": figures["commitments"],
        "undated": figures["undated"],
    }


@st.cache_data(show_spinner=False, max_entries=16)
def overview(url: str, revision: int, filters: query.Filters) -> dict[str, Any]:
    """The overview's headline and its four charts' counts for one filter set."""
    # Figures are not cached: one back from the pickle serialises its layout keys in another
    # order, which gives the chart a new identity and drops the user's selection.
    return sql.overview(engine(url), filters, figures=summary(url, revision, filters))


@st.cache_data(show_spinner=False, max_entries=16)
def page(
    url: str,
    revision: int,
    filters: query.Filters,
    sort: str,
    number: int,
    size: int,
    after: tuple[Any, ...] | None = None,
) -> pd.DataFrame:
    """One sorted page of the commitments in view, with text and review columns (sql.page)."""
    return sql.page(engine(url), filters, sort, number, size, after)


@st.cache_data(show_spinner=False, max_entries=16)
def rows_by_id(url: str, revision: int, ids: tuple[str, ...]) -> pd.DataFrame:
    """These commitments as table rows, newest first (a chart selection)."""
    return sql.rows_by_id(engine(url), list(ids))


@st.cache_data(show_spinner=False, max_entries=8)
def timeline_points(url: str, revision: int, filters: query.Filters, limit: int) -> pd.DataFrame:
    """The newest ``limit`` dated commitments in view (sql.timeline_points)."""
    return sql.timeline_points(engine(url), filters, limit)


@st.cache_data(show_spinner=False, max_entries=8)
def roadmap(url: str, revision: int, filters: query.Filters, limit: int) -> dict[str, Any]:
    """The roadmap's rows, and how many commitments in view name a target year (undated ones too)."""
    eng = engine(url)
    return {
        "rows": sql.roadmap(eng, filters, limit=limit),
        "with_year": sql.with_year_count(eng, filters),
        "undated_with_year": sql.undated_count(eng, filters, with_year=True),
    }


@st.cache_data(show_spinner=False, max_entries=8)
def trend(url: str, revision: int, filters: query.Filters) -> dict[str, Any]:
    """Theme counts per period and the period, for one filter set."""
    freq = sql.auto_freq(summary(url, revision, filters))
    return {"counts": sql.theme_counts_over_time(engine(url), filters, freq), "freq": freq}


@st.cache_data(show_spinner=False, max_entries=16)
def releases_in_view(url: str, revision: int, filters: query.Filters) -> dict[str, int]:
    """How many releases the store holds and how many are in view."""
    eng = engine(url)
    return {"total": sql.release_total(eng), "in_view": sql.release_count(eng, filters)}


@st.cache_data(show_spinner=False, max_entries=16)
def releases_page(url: str, revision: int, filters: query.Filters, number: int, size: int) -> pd.DataFrame:
    """One page of the releases in view, newest first, with their counts."""
    return sql.releases_page(engine(url), filters, number, size)


@st.cache_data(show_spinner=False, max_entries=16)
def release_themes(url: str, revision: int, source_file: str) -> dict[str, str]:
    """Commitment id -> themes as shown, for one release."""
    return sql.commitment_themes(engine(url), source_file)


def ensure_data(src: Source) -> Source:
    """On an empty store, ingest the bundled seeds/ with a progress bar; once per session."""
    if counts(src.url, src.revision)["releases"] or st.session_state.get(_SEEDED_FLAG):
        return src
    st.session_state[_SEEDED_FLAG] = True
    with _SEED_LOCK:
        if store.counts(src.engine)["releases"]:  # another session loaded them meanwhile
            clear()
            return source()
        folder = ingest.seeds_dir()
        total = (
            sum(1 for item in ingest.iter_files([folder]) if isinstance(item, Path)) if folder.is_dir() else 0
        )
        with st.status("The store is empty: loading the sample releases…", expanded=True) as status:
            bar = st.progress(0.0, text="starting")
            done = 0

            def tick(name: str) -> None:
                nonlocal done
                done += 1
                bar.progress(min(done / max(total, 1), 1.0), text=md(f"{done}/{total} {Path(name).name}"))

            try:
                # Nobody may be signed in yet (no account may exist): the audit log names the
                # operating-system account that started the dashboard on this empty store.
                report = ingest.load_seeds(src.engine, users.operator(), progress=tick)
            except EsgDataError as exc:
                status.update(label="Could not load the sample releases", state="error")
                st.error(md(str(exc)))
                return src
            for failure in report.failed:
                st.warning(md(f"{Path(failure.path).name}: {failure.reason}"))
            status.update(
                label=f"Loaded {report.added} sample releases with {report.commitments} commitments",
                state="complete",
                expanded=False,
            )
    clear()
    return source()


# --- threads: a promise followed across releases (esgdata.analysis.threads); read by app/threads.py

THREAD_COLUMNS: tuple[str, ...] = (
    "id",
    "organization",
    "label",
    "first_date",
    "last_date",
    "statements",
    "year_history",
    "changes",
    "delivery_status",
)
DELIVERY_COLUMNS: tuple[str, ...] = (
    "thread_id",
    "achievement_id",
    "score",
    "status",
    "organization",
    "text",
    "release_date",
    "source_file",
)


def _rows_frame(
    rows: list[dict[str, Any]], columns: tuple[str, ...], numeric: dict[str, str]
) -> pd.DataFrame:
    """Store rows as a frame with these columns, strings as ``str`` and numbers typed, even when empty."""
    data: dict[str, Any] = {}
    for name in columns:
        values = [r.get(name) for r in rows]
        if name in numeric:
            data[name] = pd.Series([0 if v is None else v for v in values], dtype=numeric[name])
        else:
            data[name] = pd.Series(["" if v is None else str(v) for v in values], dtype="str")
    return pd.DataFrame(data)


@st.cache_data(show_spinner=False, max_entries=2)
def threads(url: str, revision: int) -> pd.DataFrame:
    """Every thread (store.thread_rows): label, dates, statement count, year history, changes, status."""
    return _rows_frame(store.thread_rows(engine(url)), THREAD_COLUMNS, {"statements": "int64"})


@st.cache_data(show_spinner=False, max_entries=2)
def deliveries(url: str, revision: int) -> pd.DataFrame:
    """Every delivery link (store.delivery_rows) with the achievement's words, release and date."""
    return _rows_frame(store.delivery_rows(engine(url)), DELIVERY_COLUMNS, {"score": "float64"})


@st.cache_data(show_spinner=False, max_entries=8)
def missed(url: str, revision: int, source_file: str) -> list[dict[str, Any]]:
    """The sentences of a release a reviewer may add as commitments, with suggested fields."""
    return learning.missed_candidates(engine(url), source_file)


@st.cache_data(show_spinner=False, max_entries=2)
def models(url: str, revision: int) -> list[dict[str, Any]]:
    """The decision models retrained in the store, with their figures."""
    return learning.models(engine(url))


# --- sources: the web pages, feeds and sitemaps followed (esgdata.fetch); read by app/sources.py

SOURCE_COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "kind",
    "organization",
    "language",
    "last_fetch_at",
    "last_status",
    "last_new",
    "last_updated",
    "last_failed",
    "releases",
    "gone",
    "failing",
    "last_error",
)


@st.cache_data(show_spinner=False, max_entries=2)
def sources(url: str, revision: int) -> pd.DataFrame:
    """Every followed source with its last fetch and page counts (fetch.list_sources)."""
    rows = fetch.list_sources(engine(url))
    numeric = {
        c: "int64" for c in ("id", "last_new", "last_updated", "last_failed", "releases", "gone", "failing")
    }
    for row in rows:
        stamp = row.get("last_fetch_at")
        row["last_fetch_at"] = export.timestamp(stamp, seconds=False) if stamp else "never"
    return _rows_frame(rows, SOURCE_COLUMNS, numeric)
