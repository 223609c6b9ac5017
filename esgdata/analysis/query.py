"""The dashboard's data work: the Filters record, apply(), the URL round trip, chart aggregates, exports.

Pure pandas over store frames (no Streamlit, no SQL); the exports are the CLI's own, narrowed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine

from .. import export, review, store
from ..extraction import lexicon
from ..extraction.matcher import fold
from ..models import KINDS, PILLARS

# Optional column a later review change adds to the frame; its filter applies only when present.
REVIEW_COLUMN = "review_status"
# Every review column of the dashboard frame (review_status first), as load_commitments adds them.
REVIEW_COLUMNS: tuple[str, ...] = review.FRAME_REVIEW_COLUMNS

# Columns the dashboard never reads from the cached frame: large, and only needed per row.
# The evidence columns are read per release, when someone opens a commitment (load_evidence).
HEAVY_COLUMNS: tuple[str, ...] = ("theme_evidence", "extractor_version", "cue", "cue_rule")

# Repeated values (one per commitment of a release): categories make the cached frame small
# and every filter on them a lookup over the distinct values.
CATEGORY_COLUMNS: tuple[str, ...] = (
    "source_file",
    "release_date",
    "release_title",
    "organization",
    "speaker",
    "kind",
    "pillars",
    "themes",
    "target_years",
    "language",
    "thread_id",
)

# Filters field -> URL query parameter.
QUERY_KEYS: dict[str, str] = {
    "organizations": "org",
    "date_from": "from",
    "date_to": "to",
    "undated": "date",
    "pillars": "pillar",
    "themes": "theme",
    "kinds": "kind",
    "year_from": "year_from",
    "year_to": "year_to",
    "languages": "lang",
    "speakers": "speaker",
    "search": "q",
    "min_confidence": "min_conf",
    "review_statuses": "status",
}

UNDATED = "none"  # date=none: releases (and their commitments) without a date

# Filters that only a commitment can satisfy (a release's own fields cannot).
COMMITMENT_ONLY = (
    "pillars",
    "themes",
    "kinds",
    "year_from",
    "year_to",
    "speakers",
    "min_confidence",
    "review_statuses",
)


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the commitments to; the defaults mean "everything" (see apply for the rules)."""

    # Lists match any of their values; search needs every term (quoted phrases stay whole) in
    # the text, title, organisation or speaker; a target-year bound keeps commitments naming a
    # year inside the range; a date bound drops undated releases; ``undated`` keeps only
    # them (date=none in the URL), so every view can link to what it cannot place in time.

    organizations: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    undated: bool = False
    pillars: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    languages: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    search: str = ""
    min_confidence: float = 0.0
    review_statuses: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """True when any filter narrows the data."""
        return self != Filters()


# ---------------------------------------------------------------- URL query string


def to_query(filters: Filters) -> dict[str, list[str]]:
    """The filters as URL query parameters (only those that narrow; lists stay repeated)."""
    out: dict[str, list[str]] = {}
    for f in fields(Filters):
        value = getattr(filters, f.name)
        key = QUERY_KEYS[f.name]
        if isinstance(value, bool):
            if value:
                out[key] = [UNDATED]
        elif isinstance(value, tuple):
            if value:
                out[key] = [str(v) for v in value]
        elif isinstance(value, dt.date):
            out[key] = [value.isoformat()]
        elif isinstance(value, float):
            if value != 0.0:
                out[key] = [repr(value)]  # repr round-trips a float exactly
        elif isinstance(value, int):
            out[key] = [str(value)]
        elif isinstance(value, str) and value:
            out[key] = [value]
    return out


def _values(params: Mapping[str, str | Sequence[str]], key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return list(dict.fromkeys(str(v) for v in items if str(v) != ""))


def _known(values: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
    allowed_set = set(allowed)
    return tuple(v for v in values if v in allowed_set)


def _date(values: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(values[0]) if values else None
    except ValueError:
        return None


def _year(values: list[str]) -> int | None:
    try:
        year = int(values[0]) if values else None
    except ValueError:
        return None
    return year if year is not None and 1000 <= year <= 9999 else None


def _confidence(values: list[str]) -> float:
    try:
        value = float(values[0]) if values else 0.0
    except ValueError:
        return 0.0
    return min(max(value, 0.0), 1.0) if math.isfinite(value) else 0.0


def from_query(params: Mapping[str, str | Sequence[str]]) -> Filters:
    """Filters from URL query parameters; unknown or malformed values are ignored, never fatal."""
    k = QUERY_KEYS
    return Filters(
        organizations=tuple(_values(params, k["organizations"])),
        date_from=_date(_values(params, k["date_from"])),
        date_to=_date(_values(params, k["date_to"])),
        undated=UNDATED in _values(params, k["undated"]),
        pillars=_known(_values(params, k["pillars"]), PILLARS),
        themes=_known(_values(params, k["themes"]), lexicon.THEME_IDS),
        kinds=_known(_values(params, k["kinds"]), KINDS),
        year_from=_year(_values(params, k["year_from"])),
        year_to=_year(_values(params, k["year_to"])),
        languages=_known(_values(params, k["languages"]), lexicon.LANGUAGES),
        speakers=tuple(_values(params, k["speakers"])),
        search=(_values(params, k["search"]) or [""])[0],
        min_confidence=_confidence(_values(params, k["min_confidence"])),
        review_statuses=tuple(_values(params, k["review_statuses"])),
    )


# ---------------------------------------------------------------- the typed date range

_RANGE_SEP = re.compile(r"\s+(?:to|until|-)\s+|\s*(?:–|—|\.\.|~|至|到)\s*", re.IGNORECASE)
_DAY = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
RANGE_EXAMPLES = "2021-01-01 to 2022-12-31, 2023, 2023-03 to 2023-06, from 2022-05-01, or none"


def _bound(text: str, end: bool) -> dt.date:
    """A typed day, month or year; a month or year as an end means its last day."""
    m = _DAY.fullmatch(text.strip())
    if not m:
        raise ValueError(text)
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if day:
        return dt.date(year, int(month), int(day))
    if month:
        first = dt.date(year, int(month), 1)
        return (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date() if end else first
    return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)


def parse_date_range(text: str) -> tuple[dt.date | None, dt.date | None, bool]:
    """(from, to, undated) from what someone typed; ValueError with the accepted forms otherwise."""
    raw = " ".join(text.split())
    if raw.casefold() in ("none", "undated", "no date"):
        return None, None, True
    lowered = raw.casefold()
    try:
        if not raw:
            return None, None, False
        if lowered.startswith(("from ", "since ")):
            return _bound(raw.split(" ", 1)[1], end=False), None, False
        if lowered.startswith(("to ", "until ")):
            return None, _bound(raw.split(" ", 1)[1], end=True), False
        parts = _RANGE_SEP.split(raw, maxsplit=1)
        if len(parts) == 1:
            return _bound(raw, end=False), _bound(raw, end=True), False
        low = _bound(parts[0], end=False) if parts[0].strip() else None
        high = _bound(parts[1], end=True) if parts[1].strip() else None
    except ValueError:
        raise ValueError(f"“{raw}” is not a date range; write {RANGE_EXAMPLES}") from None
    if low and high and low > high:
        low, high = high, low
    return low, high, False


def format_date_range(filters: Filters) -> str:
    """The date filters as parse_date_range reads them back."""
    f = filters
    if f.undated:
        return "none"
    if f.date_from and f.date_to:
        return f"{f.date_from.isoformat()} to {f.date_to.isoformat()}"
    if f.date_from:
        return f"from {f.date_from.isoformat()}"
    if f.date_to:
        return f"to {f.date_to.isoformat()}"
    return ""


# ---------------------------------------------------------------- loading


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A commitments frame as the dashboard keeps it: no evidence columns, repeated values as categories."""
    out = frame.drop(columns=[c for c in HEAVY_COLUMNS if c in frame.columns])
    for column in CATEGORY_COLUMNS:
        if column in out.columns and not isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].fillna("").astype(str).astype("category")
    return out


def _by_category(codes: pd.Series, values: Any, dtype: str) -> Any:
    """Per-row values computed once per distinct value (``values[i]`` for category i)."""
    array = pd.array(values, dtype=dtype)
    return array.take(codes.to_numpy(), allow_fill=True)


_NUMERIC: dict[str, str] = {"confidence": "float64", "start": "int64", "end": "int64"}


def frame_from_rows(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """``prepare(store.commitments_frame)`` built from commitment rows (with review columns if present)."""
    names = [c for c in export.COMMITMENT_COLUMNS if c not in HEAVY_COLUMNS]
    if rows:
        names += [c for c in REVIEW_COLUMNS if c in rows[0]]
    return frame_from_columns({name: [r.get(name) for r in rows] for name in names})


def frame_from_columns(columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """The dashboard frame from column lists (store.commitment_columns, reviews applied)."""
    # Column by column, strings straight to Arrow or categories: a fraction of the memory of
    # a frame built from row dicts.
    data: dict[str, Any] = {}
    for name, column in columns.items():
        values = ["" if v is None else v for v in column]
        if name == "confidence":
            data[name] = np.array([float(v) for v in values], dtype="float64")
        elif name in _NUMERIC:
            data[name] = np.array([int(v) for v in values], dtype=_NUMERIC[name])
        else:
            strings = pd.Series(pd.array(pa.array([str(v) for v in values], pa.string()), dtype="str"))
            categorical = name in CATEGORY_COLUMNS or name in REVIEW_COLUMNS
            data[name] = strings.astype("category") if categorical else strings
    frame = pd.DataFrame(data)
    dates = frame["release_date"].cat
    days = pd.to_datetime(pd.Series(dates.categories).replace("", None), format="%Y-%m-%d", errors="coerce")
    frame["release_day"] = _by_category(dates.codes, days, "datetime64[us]")
    years = [[int(y) for y in _split(str(cell))] for cell in frame["target_years"].cat.categories]
    codes = frame["target_years"].cat.codes
    frame["year_min"] = _by_category(codes, [min(y) if y else None for y in years], "Int64")
    frame["year_max"] = _by_category(codes, [max(y) if y else None for y in years], "Int64")
    return frame


def load_commitments(engine: Engine) -> pd.DataFrame:
    """The dashboard's frame: every commitment with reviewers' corrections and its review status."""
    # The values `esgdata export` writes by default, so the table, the filters and the download agree.
    columns = store.commitment_columns(
        engine, [c for c in export.COMMITMENT_COLUMNS if c not in HEAVY_COLUMNS]
    )
    review.apply_reviews_to_columns(columns, store.review_rows(engine))
    return frame_from_columns(columns)


def load_releases(engine: Engine) -> pd.DataFrame:
    """Every release (releases.csv columns the dashboard shows) with release_day; typed even when empty."""
    frame = store.releases_frame(engine)
    columns = [
        "source_file",
        "release_date",
        "release_title",
        "language",
        "organization",
        "url",
        "commitments",
    ]
    out = frame[columns].astype({c: "str" for c in columns[:-1]} | {"commitments": "int64"})
    out["release_day"] = pd.to_datetime(frame["release_day"]).astype("datetime64[us]")
    return out


# ---------------------------------------------------------------- applying filters


def _per_value(series: pd.Series, predicate: Callable[[str], bool]) -> np.ndarray:
    """predicate over each distinct value only (categories or factorised strings), as a mask."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        uniques = series.cat.categories
    else:
        codes, uniques = pd.factorize(series)
    hits = np.fromiter((predicate(str(u)) for u in uniques), dtype=bool, count=len(uniques))
    hits = np.append(hits, False)  # code -1 (missing) indexes this last slot
    mask: np.ndarray = hits[codes]
    return mask


def _split(cell: str) -> list[str]:
    return [v for v in cell.split(";") if v]


def _has_any(series: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    wanted_set = set(wanted)
    return _per_value(series, lambda cell: not wanted_set.isdisjoint(_split(cell)))


def _years_within(series: pd.Series, low: int | None, high: int | None) -> np.ndarray:
    lo = low if low is not None else -(10**9)
    hi = high if high is not None else 10**9

    def inside(cell: str) -> bool:
        return any(lo <= int(y) <= hi for y in _split(cell) if y.isdigit())

    return _per_value(series, inside)


_TERM = re.compile(r'"([^"]+)"|(\S+)')


def search_terms(search: str) -> list[str]:
    """The words of a search; "quoted phrases" stay one term. Chinese needs no spaces."""
    return [m.group(1) or m.group(2) for m in _TERM.finditer(search) if (m.group(1) or m.group(2)).strip()]


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=256)
def term_variants(term: str) -> tuple[str, ...]:
    """The term as typed, NFKC-normalised, in Simplified and in Traditional Chinese."""
    variants = [term, unicodedata.normalize("NFKC", term), fold(term)]
    if any("\u3400" <= ch <= "\u9fff" for ch in term):
        simplified = _converter("t2s").convert(term)
        variants += [simplified, _converter("s2t").convert(simplified)]
        variants.append(_converter("s2tw").convert(simplified))
    return tuple(dict.fromkeys(v for v in variants if v.strip()))


def _contains(series: pd.Series, needles: Sequence[str]) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype) or len(series) < 64:
        lowered = [n.casefold() for n in needles]
        return _per_value(series, lambda cell: any(n in cell.casefold() for n in lowered))
    mask = np.zeros(len(series), dtype=bool)
    for needle in needles:
        mask |= series.str.contains(needle, case=False, regex=False).fillna(False).to_numpy(dtype=bool)
    return mask


SEARCH_COLUMNS: tuple[str, ...] = ("text", "release_title", "organization", "speaker")


def search_mask(frame: pd.DataFrame, search: str, columns: Sequence[str] = SEARCH_COLUMNS) -> np.ndarray:
    """Rows where every search term occurs (any case, Simplified or Traditional) in one of ``columns``."""
    mask = np.ones(len(frame), dtype=bool)
    present = [c for c in columns if c in frame.columns]
    for term in search_terms(search):
        variants = term_variants(term)
        hit = np.zeros(len(frame), dtype=bool)
        for column in present:
            hit |= _contains(frame[column], variants)
        mask &= hit
    return mask


def apply(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of a commitments frame that pass every filter (order kept)."""
    f = filters
    mask = np.ones(len(frame), dtype=bool)
    if f.organizations:
        mask &= frame["organization"].isin(f.organizations).to_numpy(dtype=bool)
    if f.date_from is not None:
        mask &= (frame["release_day"] >= pd.Timestamp(f.date_from)).to_numpy(dtype=bool)
    if f.date_to is not None:
        mask &= (frame["release_day"] <= pd.Timestamp(f.date_to)).to_numpy(dtype=bool)
    if f.undated:
        mask &= frame["release_day"].isna().to_numpy(dtype=bool)
    if f.pillars:
        mask &= _has_any(frame["pillars"], f.pillars)
    if f.themes:
        mask &= _has_any(frame["themes"], f.themes)
    if f.kinds:
        mask &= frame["kind"].isin(f.kinds).to_numpy(dtype=bool)
    if f.year_from is not None or f.year_to is not None:
        mask &= _years_within(frame["target_years"], f.year_from, f.year_to)
    if f.languages:
        mask &= frame["language"].isin(f.languages).to_numpy(dtype=bool)
    if f.speakers:
        mask &= frame["speaker"].isin(f.speakers).to_numpy(dtype=bool)
    if f.min_confidence > 0:
        mask &= (frame["confidence"] >= f.min_confidence - 1e-9).to_numpy(dtype=bool)
    if f.review_statuses and REVIEW_COLUMN in frame.columns:
        mask &= frame[REVIEW_COLUMN].isin(f.review_statuses).to_numpy(dtype=bool)
    if f.search.strip():
        mask &= search_mask(frame, f.search)
    return frame if mask.all() else frame[mask]  # no copy of the big text column when nothing is cut


def filter_releases(releases: pd.DataFrame, matched: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Releases in view, with ``matching`` = how many of their commitments pass the filters."""
    # Date and language apply to the release. Any other filter keeps a release that holds a
    # matching commitment; when only organisation and search are set, a release whose own
    # organisation and title match is kept too (a release may hold no commitment at all).
    f = filters
    mask = np.ones(len(releases), dtype=bool)
    if f.date_from is not None:
        mask &= (releases["release_day"] >= pd.Timestamp(f.date_from)).to_numpy(dtype=bool)
    if f.date_to is not None:
        mask &= (releases["release_day"] <= pd.Timestamp(f.date_to)).to_numpy(dtype=bool)
    if f.undated:
        mask &= releases["release_day"].isna().to_numpy(dtype=bool)
    if f.languages:
        mask &= releases["language"].isin(f.languages).to_numpy(dtype=bool)
    matching = _count_by_release(releases, matched)
    narrowing = (
        f.organizations
        or f.search.strip()
        or any(getattr(f, name) != getattr(Filters(), name) for name in COMMITMENT_ONLY)
    )
    if narrowing:
        keep = matching > 0
        if not any(getattr(f, name) != getattr(Filters(), name) for name in COMMITMENT_ONLY):
            own = np.ones(len(releases), dtype=bool)
            if f.organizations:
                own &= releases["organization"].isin(f.organizations).to_numpy(dtype=bool)
            if f.search.strip():
                own &= search_mask(releases, f.search, ("release_title", "organization", "source_file"))
            keep |= own
        mask &= keep
    out = releases[mask].copy()
    out["matching"] = matching[mask]
    return out


def _count_by_release(releases: pd.DataFrame, matched: pd.DataFrame) -> np.ndarray:
    """For each row of ``releases``, how many rows of ``matched`` belong to it."""
    files = matched["source_file"]
    if isinstance(files.dtype, pd.CategoricalDtype):
        per_file = pd.Series(
            np.bincount(files.cat.codes[files.cat.codes >= 0], minlength=len(files.cat.categories))
        )
        per_file.index = files.cat.categories
    else:
        per_file = files.value_counts()
    positions = per_file.index.get_indexer(releases["source_file"].astype(str))
    values = np.append(per_file.to_numpy(dtype=np.int64), 0)  # -1 (not found) reads the trailing 0
    found: np.ndarray = values[positions]
    return found


# ---------------------------------------------------------------- aggregations for the charts


def theme_labels(language: str = "en") -> dict[str, str]:
    """Theme id -> readable name (English, or Chinese with ``language="zh"``)."""
    return {t.id: (t.label_zh or t.label) if language == "zh" else t.label for t in lexicon.themes().values()}


def primary_theme(themes: str) -> str:
    """The first theme of a ';'-joined cell, or "" when there is none."""
    return next(iter(_split(themes)), "")


def _split_counts(frame: pd.DataFrame, by: list[str], column: str, name: str) -> pd.DataFrame:
    """Counts per ``by`` and per item of a ';'-joined column (grouped first, so it stays cheap)."""
    if frame.empty:
        return pd.DataFrame({**{b: [] for b in by}, name: [], "count": []}).astype({"count": int})
    grouped = frame.groupby([*by, column], observed=True, dropna=False).size().reset_index(name="count")
    grouped[name] = grouped[column].astype(str).map(_split)
    grouped = grouped.explode(name)
    grouped = grouped[grouped[name].notna() & (grouped[name] != "")]
    out = grouped.groupby([*by, name], observed=True, dropna=False)["count"].sum().reset_index()
    for b in by:
        if isinstance(out[b].dtype, pd.CategoricalDtype):
            out[b] = out[b].astype(str)
    out[name] = out[name].astype(str)
    out["count"] = out["count"].astype(int)
    return out


def theme_kind_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Commitments per theme and kind (a commitment counts once for each of its themes).

    Columns theme, kind, count; themes ordered by their total, largest first.
    """
    out = _split_counts(frame, ["kind"], "themes", "theme")[["theme", "kind", "count"]]
    if out.empty:
        return out
    totals = out.groupby("theme")["count"].sum()
    kind_order = {k: i for i, k in enumerate(KINDS)}
    out = out.assign(_total=out["theme"].map(totals), _kind=out["kind"].map(kind_order).fillna(len(KINDS)))
    out = out.sort_values(["_total", "theme", "_kind"], ascending=[False, True, True])
    return out.drop(columns=["_total", "_kind"]).reset_index(drop=True)


def pillar_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Commitments per pillar (E, S, G, all three present, zeros included); columns pillar, count."""
    counts = _split_counts(frame, [], "pillars", "pillar")
    totals = counts.groupby("pillar")["count"].sum() if len(counts) else pd.Series(dtype=int)
    return pd.DataFrame({"pillar": list(PILLARS), "count": [int(totals.get(p, 0)) for p in PILLARS]})


def top_organizations(frame: pd.DataFrame, top: int) -> list[str]:
    """The ``top`` organisations with the most commitments, most first (ties by name)."""
    counts = frame.groupby("organization", observed=True).size().reset_index(name="n")
    counts["organization"] = counts["organization"].astype(str)
    counts = counts[counts["organization"] != ""]
    return list(counts.sort_values(["n", "organization"], ascending=[False, True])["organization"][:top])


def organization_theme_counts(frame: pd.DataFrame, top: int = 25) -> pd.DataFrame:
    """Commitments per organisation and theme, for the ``top`` organisations; long form."""
    orgs = top_organizations(frame, top)
    columns = frame[["organization", "themes"]]  # narrow first: row selection copies every column
    subset = columns[columns["organization"].isin(orgs)]
    out = _split_counts(subset, ["organization"], "themes", "theme")[["organization", "theme", "count"]]
    order = {o: i for i, o in enumerate(orgs)}
    return (
        out.assign(_o=out["organization"].map(order))
        .sort_values(["_o", "theme"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _period(days: pd.Series, freq: str) -> pd.Series:
    return days.dt.to_period(freq).dt.start_time


def monthly_pillar_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Commitments per release month and pillar; columns month (first day), pillar, count."""
    columns = frame[["release_day", "pillars"]]
    dated = columns[columns["release_day"].notna()]
    dated = dated.assign(month=_period(dated["release_day"], "M"))
    out = _split_counts(dated, ["month"], "pillars", "pillar")[["month", "pillar", "count"]]
    return out.sort_values(["month", "pillar"]).reset_index(drop=True)


def auto_freq(frame: pd.DataFrame) -> str:
    """Bucket size for counts over time: months up to 3 years, quarters up to 12, else years."""
    days = frame["release_day"].dropna()
    if days.empty:
        return "M"
    span = (days.max() - days.min()).days
    return "M" if span <= 3 * 366 else "Q" if span <= 12 * 366 else "Y"


def theme_counts_over_time(
    frame: pd.DataFrame, freq: str | None = None, top: int | None = None
) -> pd.DataFrame:
    """Commitments per period and theme; columns period (first day), theme, count.

    ``top``: only the themes with the most dated commitments in ``frame`` (ties in theme order).
    """
    freq = freq or auto_freq(frame)
    columns = frame[["release_day", "themes"]]
    dated = columns[columns["release_day"].notna()]
    dated = dated.assign(period=_period(dated["release_day"], freq))
    out = _split_counts(dated, ["period"], "themes", "theme")[["period", "theme", "count"]]
    if out.empty:
        return out
    return every_period(out, freq, top)


def every_period(counts: pd.DataFrame, freq: str, top: int | None = None) -> pd.DataFrame:
    """Counts per period and theme (the ``top`` themes only, when given) with every period from
    the first to the last, zeros included: a line must not bridge a quiet spell."""
    if top is not None:
        counts = counts[counts["theme"].isin(top_themes(counts, top))]
    periods = pd.period_range(counts["period"].min(), counts["period"].max(), freq=freq).start_time
    grid = pd.MultiIndex.from_product([periods, sorted(set(counts["theme"]))], names=["period", "theme"])
    full = counts.set_index(["period", "theme"])["count"].reindex(grid, fill_value=0).reset_index()
    return full.astype({"count": int}).sort_values(["period", "theme"]).reset_index(drop=True)


def top_themes(counts: pd.DataFrame, top: int) -> list[str]:
    """The ``top`` themes with the largest total ``count`` in a frame with theme and count columns."""
    totals = counts.groupby("theme")["count"].sum()
    rank = {t: i for i, t in enumerate(lexicon.THEME_IDS)}
    ordered = sorted(totals.index, key=lambda t: (-int(totals[t]), rank.get(t, len(rank)), t))
    return ordered[:top]


_POINT_COLUMNS = [
    "id",
    "release_day",
    "organization",
    "speaker",
    "kind",
    "themes",
    "text",
    "source_file",
    "confidence",
]


def timeline_points(frame: pd.DataFrame, limit: int = 2000, *, undated: bool = False) -> pd.DataFrame:
    """Dated commitments, newest first, at most ``limit``, with ``theme`` = their first theme.

    ``undated``: commitments of releases without a date too, after the dated ones.
    """
    days = frame["release_day"].reset_index(drop=True)
    if not undated:
        days = days.dropna()
    newest = days.sort_values(ascending=False, kind="stable", na_position="last").index[:limit]
    out = frame[[c for c in _POINT_COLUMNS if c in frame.columns]].iloc[newest].copy()
    for column in ("organization", "speaker", "kind", "themes", "source_file"):
        out[column] = out[column].astype(str).fillna("")
    out["theme"] = out["themes"].map(primary_theme)
    return out.reset_index(drop=True)


def roadmap(frame: pd.DataFrame, top: int = 25, limit: int = 2000) -> pd.DataFrame:
    """One row per (commitment, target year) of the ``top`` organisations (timeline_points + target year).

    A commitment of an undated release is kept with an empty release_day: its target year
    is known, where the line would start is not.
    """
    # target_day is 1 January of the target year: where a time axis puts the year's label.
    has_year = frame["year_max"].notna().to_numpy(dtype=bool)
    orgs = top_organizations(frame[["organization"]][has_year], top)
    subset = frame[has_year & frame["organization"].isin(orgs).to_numpy(dtype=bool)]
    points = timeline_points(subset, limit=limit, undated=True)
    if points.empty:
        return points.assign(target_year=pd.Series(dtype=int), target_day=pd.Series(dtype="datetime64[us]"))
    years = subset.set_index("id")["target_years"].astype(str)
    points["target_year"] = (
        points["id"].map(years).map(lambda cell: [int(y) for y in _split(cell) if y.isdigit()])
    )
    return one_row_per_target_year(points, orgs)


def one_row_per_target_year(points: pd.DataFrame, orgs: list[str]) -> pd.DataFrame:
    """Roadmap rows from points whose ``target_year`` holds lists: one row per year, with its
    target_day, in the order of ``orgs``, then target year, then release day."""
    points = points.explode("target_year").dropna(subset=["target_year"])
    points["target_year"] = points["target_year"].astype(int)
    points["target_day"] = pd.to_datetime(points["target_year"].astype(str) + "-01-01").astype(
        "datetime64[us]"
    )
    order = {o: i for i, o in enumerate(orgs)}
    points = points.assign(_o=points["organization"].map(order))
    return points.sort_values(["_o", "target_year", "release_day"]).drop(columns="_o").reset_index(drop=True)


def undated_count(frame: pd.DataFrame) -> int:
    """How many commitments of ``frame`` come from releases without a date (no time view can place them)."""
    return int(frame["release_day"].isna().sum())


def headline(commitments: pd.DataFrame, releases: pd.DataFrame) -> dict[str, Any]:
    """The overview's figures: counts, share with a target year, nearest and farthest target year."""
    n = len(commitments)
    with_year = int(commitments["year_max"].notna().sum()) if n else 0
    orgs = commitments["organization"].astype(str)
    return {
        "releases": len(releases),
        "commitments": n,
        "organizations": int(orgs[orgs != ""].nunique()) if n else 0,
        "with_target_year": with_year,
        "target_share": with_year / n if n else 0.0,
        "nearest_year": int(commitments["year_min"].min()) if with_year else None,
        "farthest_year": int(commitments["year_max"].max()) if with_year else None,
    }


# ---------------------------------------------------------------- one commitment in its release


def paragraph_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the paragraph(s) (blank-line separated) holding body[start:end]."""
    start = min(max(start, 0), len(body))
    end = min(max(end, start), len(body))
    before = body.rfind("\n\n", 0, start)
    after = body.find("\n\n", end)
    return (before + 2 if before >= 0 else 0), (after if after >= 0 else len(body))


def theme_evidence(cell: str | None) -> list[dict[str, Any]]:
    """The theme_evidence cell as a list of {theme, words, start?, end?}; [] when empty or broken."""
    try:
        items = json.loads(cell) if cell else []
    except (TypeError, ValueError):
        return []
    return (
        [i for i in items if isinstance(i, dict) and "theme" in i and "words" in i]
        if isinstance(items, list)
        else []
    )


# ---------------------------------------------------------------- export and download names


def select_rows(rows: Iterable[Mapping[str, Any]], ids: Iterable[str]) -> list[Mapping[str, Any]]:
    """The rows (store.commitment_rows) whose id is in ``ids``, in the store's order."""
    wanted = set(ids)
    return [r for r in rows if r["id"] in wanted]


def audit_view(
    rows: Iterable[Mapping[str, Any]], *, commitment: str = "", user: str = ""
) -> list[Mapping[str, Any]]:
    """Audit rows (store.audit_rows, oldest first) narrowed to a commitment and/or a user, in log order.

    ``commitment`` matches a commitment id or its first characters; ``user`` matches the
    entries a person made and those made about their account. Empty means any.
    """
    commitment, user = commitment.strip(), user.strip()
    return [
        r
        for r in rows
        if (not commitment or str(r["target"]).startswith(commitment))
        and (not user or user in (r["actor"], r["target"]))
    ]


def describe(filters: Filters) -> list[str]:
    """The active filters as short phrases for people ("theme: Climate, Energy")."""
    labels = theme_labels()
    f = filters
    out: list[str] = []
    if f.organizations:
        out.append("organisation: " + ", ".join(f.organizations))
    if f.date_from or f.date_to:
        out.append(f"released {f.date_from or '…'} to {f.date_to or '…'}")
    if f.undated:
        out.append("release date: none")
    if f.pillars:
        out.append("pillar: " + ", ".join(PILLARS.get(p, p) for p in f.pillars))
    if f.themes:
        out.append("theme: " + ", ".join(labels.get(t, t) for t in f.themes))
    if f.kinds:
        out.append("kind: " + ", ".join(f.kinds))
    if f.year_from is not None or f.year_to is not None:
        out.append(f"target year {f.year_from or '…'} to {f.year_to or '…'}")
    if f.languages:
        out.append("language: " + ", ".join(f.languages))
    if f.speakers:
        out.append("speaker: " + ", ".join(f.speakers))
    if f.search.strip():
        out.append(f"search: {f.search.strip()}")
    if f.min_confidence > 0:
        out.append(f"confidence ≥ {f.min_confidence:.2f}")
    if f.review_statuses:
        out.append("review: " + ", ".join(f.review_statuses))
    return out


_UNSAFE_NAME = re.compile(r"[^\w.+]+")


def _name_part(text: str, limit: int = 40) -> str:
    clean = _UNSAFE_NAME.sub("-", text).strip("-.")
    return clean if len(clean) <= limit else clean[:limit].rstrip("-_+.") + "-etc"


def download_name(filters: Filters, today: dt.date, what: str = "commitments") -> str:
    """A file name saying what was filtered and when: commitments_org-CECEP_kind-target_2024-05-01.csv."""
    parts: list[str] = []
    query = to_query(filters)
    for f in fields(Filters):
        key = QUERY_KEYS[f.name]
        if key in query:
            parts.append(_name_part(f"{key}-" + "+".join(query[key])))
    name = "_".join(p for p in parts if p)
    if len(name) > 120:
        name = name[:120].rstrip("-_+.") + "-etc"
    return f"{what}_{name or 'all'}_{today.isoformat()}.csv"
