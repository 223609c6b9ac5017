"""The dashboard's questions answered by the database: Filters as a WHERE clause over the commitment
facts, every aggregate the pages draw, one sorted page of rows, and the filtered CSV in chunks.

The same SQLAlchemy Core on SQLite and PostgreSQL; each function returns what the matching pandas
function of query.py returns for the same filters, so the pages and charts stay as they were.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Engine,
    FromClause,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union,
)

from .. import export, schema, store
from ..models import KINDS, PILLARS
from .query import (
    COMMITMENT_ONLY,
    Filters,
    every_period,
    one_row_per_target_year,
    search_terms,
    term_variants,
)

F = schema.commitment_facts
COM = schema.commitments
REL = schema.releases
THEMES = schema.commitment_themes
PILLAR_ROWS = schema.commitment_pillars
YEARS = schema.commitment_years
REV = schema.reviews
SEARCH = schema.commitment_search
R = schema.commitment_rollup

# ---------------------------------------------------------------- the WHERE clause


def _any_of(table: Any, column: str, values: Sequence[Any]) -> ColumnElement[bool]:
    """EXISTS a row of a per-value table for this commitment holding one of ``values``."""
    # An alias: the outer query may join the same table to count by its values.
    rows = table.alias()
    return exists(select(literal(1)).where(rows.c.n == F.c.n, rows.c[column].in_(list(values))).correlate(F))


def _years_between(low: int, high: int) -> ColumnElement[bool]:
    rows = YEARS.alias()
    return exists(select(literal(1)).where(rows.c.n == F.c.n, rows.c.year.between(low, high)).correlate(F))


def _like(column: Any, value: str, dialect: str) -> ColumnElement[bool]:
    """``column`` holds ``value`` anywhere, in any case (an index-friendly LIKE: no ESCAPE unless needed)."""
    op = column.ilike if dialect == "postgresql" else column.like  # FTS5's trigram LIKE ignores case
    if not any(ch in value for ch in "%_\\"):
        return op(f"%{value}%")  # type: ignore[no-any-return]
    quoted = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return op(f"%{quoted}%", escape="\\")  # type: ignore[no-any-return]


def _search(dialect: str, text: str) -> ColumnElement[bool]:
    """Every term (any variant) in the text, release title, organisation or speaker: query.search_mask's
    rule, answered by the search index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL)."""
    key = store.search_key(dialect)
    clauses = []
    for term in search_terms(text):
        variants = term_variants(term)
        matches: ColumnElement[bool]
        if dialect == "sqlite" and all(len(v) >= 3 for v in variants):
            # A trigram phrase is the same substring test as LIKE, read from the index alone (LIKE
            # checks every candidate's text again: ten times slower for a common word).
            matches = SEARCH.c.doc.match(" OR ".join('"' + v.replace('"', '""') + '"' for v in variants))
        else:
            matches = or_(false(), *(_like(SEARCH.c.doc, v, dialect) for v in variants))
        clauses.append(F.c.n.in_(select(key).select_from(SEARCH).where(matches)))
    return and_(true(), *clauses)


def where(filters: Filters, dialect: str = "sqlite") -> ColumnElement[bool]:
    """The facts rows that pass every filter (query.apply's rules), as one boolean expression."""
    f = filters
    clauses: list[ColumnElement[bool]] = []
    if f.organizations:
        clauses.append(F.c.organization.in_(f.organizations))
    if f.date_from is not None:
        clauses.append(F.c.day >= f.date_from.isoformat())
    if f.date_to is not None:
        clauses.append(F.c.day <= f.date_to.isoformat())
    if f.undated:
        clauses.append(F.c.day.is_(None))
    if f.pillars:
        clauses.append(_any_of(PILLAR_ROWS, "pillar", f.pillars))
    if f.themes:
        clauses.append(_any_of(THEMES, "theme", f.themes))
    if f.kinds:
        clauses.append(F.c.kind.in_(f.kinds))
    if f.year_from is not None or f.year_to is not None:
        low = f.year_from if f.year_from is not None else -(10**9)
        high = f.year_to if f.year_to is not None else 10**9
        # The nearest and farthest years rule most commitments out before the per-year look-up.
        clauses += [
            F.c.year_max >= low,
            F.c.year_min <= high,
            _any_of(YEARS, "year", range(low, high + 1)) if high - low <= 200 else _years_between(low, high),
        ]
    if f.languages:
        clauses.append(F.c.language.in_(f.languages))
    if f.speakers:
        clauses.append(F.c.speaker.in_(f.speakers))
    if f.min_confidence > 0:
        clauses.append(F.c.confidence >= f.min_confidence - 1e-9)
    if f.review_statuses:
        clauses.append(F.c.status.in_(f.review_statuses))
    if f.search.strip():
        clauses.append(_search(dialect, f.search))
    return and_(true(), *clauses)


# Filters the rollup answers: each keeps or drops whole groups (organisation, month, kind,
# language, review status); dates only when they start and end on a month's bounds.
_ROLLED = ("organizations", "date_from", "date_to", "undated", "kinds", "languages", "review_statuses")


def _rolled(filters: Filters, dim: str) -> ColumnElement[bool] | None:
    """The rollup rows of dimension ``dim`` in view, or None when a filter cuts through its groups."""
    f = filters
    if any(getattr(f, x.name) != x.default for x in dataclasses.fields(f) if x.name not in _ROLLED):
        return None
    if f.date_from is not None and f.date_from.day != 1:
        return None
    if f.date_to is not None and (f.date_to + dt.timedelta(days=1)).day != 1:
        return None
    clauses = [R.c.dim == dim]
    if f.organizations:
        clauses.append(R.c.organization.in_(f.organizations))
    if f.date_from is not None:
        clauses += [R.c.month != "", R.c.month >= f.date_from.isoformat()[:7]]
    if f.date_to is not None:
        clauses += [R.c.month != "", R.c.month <= f.date_to.isoformat()[:7]]
    if f.undated:
        clauses.append(R.c.month == "")
    if f.kinds:
        clauses.append(R.c.kind.in_(f.kinds))
    if f.languages:
        clauses.append(R.c.language.in_(f.languages))
    if f.review_statuses:
        clauses.append(R.c.status.in_(f.review_statuses))
    return and_(*clauses)


def _facts(engine: Engine, filters: Filters, *columns: Any, rows: bool = False) -> Select[Any]:
    """SELECT columns FROM the facts WHERE the filters; with the text and review when ``rows``."""
    source: FromClause = F
    if rows:
        source = source.join(COM, COM.c.id == F.c.commitment_id).outerjoin(
            REV, REV.c.commitment_id == F.c.commitment_id
        )
    return select(*columns).select_from(source).where(where(filters, engine.dialect.name))


def _frame(engine: Engine, query: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _day(value: str | None) -> pd.Timestamp | None:
    return pd.Timestamp(value) if value else None


# ---------------------------------------------------------------- figures and chart aggregates


def top_organizations(engine: Engine, filters: Filters, top: int, *, with_year: bool = False) -> list[str]:
    """The ``top`` organisations with most commitments (ties by name); ``with_year``: of those naming one."""
    rolled = _rolled(filters, "")
    q: Select[Any]
    if rolled is not None:
        total = func.sum(R.c.with_year if with_year else R.c.commitments).label("n")
        q = (
            select(R.c.organization, total)
            .where(rolled, R.c.organization != "")
            .group_by(R.c.organization)
            .having(total > 0)
            .order_by(total.desc(), R.c.organization)
            .limit(top)
        )
    else:
        n = func.count().label("n")
        q = _facts(engine, filters, F.c.organization, n).where(F.c.organization != "")
        if with_year:
            q = q.where(F.c.year_max.is_not(None))
        q = q.group_by(F.c.organization).order_by(n.desc(), F.c.organization).limit(top)
    with engine.connect() as conn:
        return [str(o) for o in conn.execute(q).scalars()]


def summary(engine: Engine, filters: Filters) -> dict[str, Any]:
    """One pass over the commitments in view: how many, how many undated, with a target year, the
    nearest and farthest target year, the first and last release day, and how many per organisation."""
    rolled = _rolled(filters, "")
    if rolled is not None:
        q = (
            select(
                R.c.organization,
                func.sum(R.c.commitments),
                func.sum(case((R.c.month == "", R.c.commitments), else_=0)),
                func.sum(R.c.with_year),
                func.min(R.c.year_min),
                func.max(R.c.year_max),
                func.min(R.c.first_day),
                func.max(R.c.last_day),
            )
            .where(rolled)
            .group_by(R.c.organization)
        )
    else:
        q = _facts(
            engine,
            filters,
            F.c.organization,
            func.count(),
            func.sum(case((F.c.day.is_(None), 1), else_=0)),
            func.count(F.c.year_max),
            func.min(F.c.year_min),
            func.max(F.c.year_max),
            func.min(F.c.day),
            func.max(F.c.day),
        ).group_by(F.c.organization)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    years = [(r[4], r[5]) for r in rows if r[3]]
    days = [(r[6], r[7]) for r in rows if r[6]]
    return {
        "commitments": sum(int(r[1]) for r in rows),
        "undated": sum(int(r[2] or 0) for r in rows),
        "with_target_year": sum(int(r[3]) for r in rows),
        "nearest_year": min(int(y[0]) for y in years) if years else None,
        "farthest_year": max(int(y[1]) for y in years) if years else None,
        "first_day": dt.date.fromisoformat(min(d[0] for d in days)) if days else None,
        "last_day": dt.date.fromisoformat(max(d[1] for d in days)) if days else None,
        "organizations": {str(r[0]): int(r[1]) for r in rows if r[0]},
    }


def leading(counts: dict[str, int], top: int) -> list[str]:
    """The ``top`` organisations of summary()["organizations"], most commitments first (ties by name)."""
    return sorted(counts, key=lambda o: (-counts[o], o))[:top]


def theme_counts(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Commitments in view per theme, kind and organisation (one pass; the theme charts sum it)."""
    rolled = _rolled(filters, "theme")
    if rolled is None:
        keys = {"kind": F.c.kind, "organization": F.c.organization}
        return _by_value(engine, filters, F.c.themes, "theme", keys)
    group = (R.c.value, R.c.kind, R.c.organization)
    q = select(*group, func.sum(R.c.commitments)).where(rolled).group_by(*group)
    return _frame(engine, q, ["theme", "kind", "organization", "count"]).astype({"count": int})


def _by_value(
    engine: Engine, filters: Filters, cell: Any, name: str, keys: dict[str, Any], *where: Any
) -> pd.DataFrame:
    """Commitments in view per value of a ";"-joined ``cell`` (as ``name``) and ``keys``: grouped on the
    cell as stored (few distinct cells), then split, where a join would read a row per value."""
    q = (
        _facts(engine, filters, cell, *keys.values(), func.count())
        .where(*where)
        .group_by(cell, *keys.values())
    )
    frame = _frame(engine, q, [name, *keys, "count"])
    frame[name] = [list(dict.fromkeys(v for v in str(c or "").split(";") if v)) for c in frame[name]]
    frame = frame.explode(name).dropna(subset=[name])
    out = frame.groupby([name, *keys], as_index=False, dropna=False)["count"].sum()
    for key in keys:  # None stays None (the undated month), also when it is the only key left
        out[key] = out[key].astype(object).where(out[key].notna(), None)
    return out.astype({"count": int})


def theme_kind_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """query.theme_kind_counts from theme_counts: theme, kind, count; themes by their total, largest first."""
    out = counts.groupby(["theme", "kind"], as_index=False)["count"].sum()
    if out.empty:
        return out
    totals = out.groupby("theme")["count"].sum()
    kind_order = {k: i for i, k in enumerate(KINDS)}
    out = out.assign(_total=out["theme"].map(totals), _kind=out["kind"].map(kind_order).fillna(len(KINDS)))
    out = out.sort_values(["_total", "theme", "_kind"], ascending=[False, True, True])
    return out.drop(columns=["_total", "_kind"]).reset_index(drop=True)


def organization_theme_counts(counts: pd.DataFrame, organizations: list[str]) -> pd.DataFrame:
    """query.organization_theme_counts from theme_counts, for these organisations (in this order)."""
    chosen = counts[counts["organization"].isin(organizations)]
    out = chosen.groupby(["organization", "theme"], as_index=False)["count"].sum()
    order = {o: i for i, o in enumerate(organizations)}
    return (
        out.assign(_o=out["organization"].map(order))
        .sort_values(["_o", "theme"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _month() -> ColumnElement[str]:
    return func.substr(F.c.day, 1, 7)


def pillar_months(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Commitments in view per release month (None: undated) and pillar, in one pass."""
    rolled = _rolled(filters, "pillar")
    if rolled is None:
        by_month = _by_value(engine, filters, F.c.pillars, "pillar", {"month": _month().label("month")})
        return by_month[["month", "pillar", "count"]]
    month = func.nullif(R.c.month, "").label("month")
    q = select(month, R.c.value, func.sum(R.c.commitments)).where(rolled).group_by(month, R.c.value)
    return _frame(engine, q, ["month", "pillar", "count"]).astype({"count": int})


def pillar_counts(months: pd.DataFrame) -> pd.DataFrame:
    """query.pillar_counts from pillar_months: every pillar with its count, zeros included."""
    found = months.groupby("pillar")["count"].sum()
    return pd.DataFrame({"pillar": list(PILLARS), "count": [int(found.get(p, 0)) for p in PILLARS]})


def monthly_pillar_counts(months: pd.DataFrame) -> pd.DataFrame:
    """query.monthly_pillar_counts from pillar_months: month (first day), pillar, count."""
    out = months[months["month"].notna()].copy()
    out["month"] = pd.to_datetime(out["month"] + "-01", format="%Y-%m-%d").astype("datetime64[us]")
    return out[["month", "pillar", "count"]].sort_values(["month", "pillar"]).reset_index(drop=True)


def overview(
    engine: Engine, filters: Filters, top: int = 25, figures: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the Overview draws, in four queries: headline, theme x kind, pillars, organisation x theme,
    months (``figures``: summary() of these filters, when already at hand)."""
    figures = figures or summary(engine, filters)
    themes = theme_counts(engine, filters)
    months = pillar_months(engine, filters)
    return {
        "headline": headline(engine, filters, figures),
        "theme_kind": theme_kind_counts(themes),
        "pillar": pillar_counts(months),
        "org_theme": organization_theme_counts(themes, leading(figures["organizations"], top)),
        "monthly": monthly_pillar_counts(months),
    }


def auto_freq(figures: dict[str, Any]) -> str:
    """query.auto_freq from summary(): months up to 3 years, quarters up to 12, else years."""
    if figures["first_day"] is None:
        return "M"
    days = (figures["last_day"] - figures["first_day"]).days
    return "M" if days <= 3 * 366 else "Q" if days <= 12 * 366 else "Y"


def theme_counts_over_time(
    engine: Engine, filters: Filters, freq: str | None = None, top: int | None = None
) -> pd.DataFrame:
    """query.theme_counts_over_time: period (first day), theme, count, every period zero-filled."""
    freq = freq or auto_freq(summary(engine, filters))
    rolled = _rolled(filters, "theme")
    if rolled is not None:
        keys = (R.c.month, R.c.value)
        q = select(*keys, func.sum(R.c.commitments)).where(rolled, R.c.month != "").group_by(*keys)
        monthly = _frame(engine, q, ["month", "theme", "count"]).astype({"count": int})
    else:
        month = {"month": _month().label("month")}
        monthly = _by_value(engine, filters, F.c.themes, "theme", month, F.c.day.is_not(None))
        monthly = monthly[["month", "theme", "count"]]
    if monthly.empty:
        return pd.DataFrame({"period": [], "theme": [], "count": []}).astype(
            {"period": "datetime64[us]", "theme": str, "count": int}
        )
    # Months are counted in the database; quarters and years are sums of a few hundred months.
    months = pd.to_datetime(monthly["month"] + "-01", format="%Y-%m-%d")
    monthly["period"] = months.dt.to_period(freq).dt.start_time.astype("datetime64[us]")
    full = every_period(monthly.groupby(["period", "theme"], as_index=False)["count"].sum(), freq, top)
    full["period"] = full["period"].astype("datetime64[us]")
    return full


def undated_count(engine: Engine, filters: Filters, *, with_year: bool = False) -> int:
    """How many commitments in view come from releases without a date (``with_year``: naming a year)."""
    rolled = _rolled(filters, "")
    if rolled is not None:
        q = select(func.sum(R.c.with_year if with_year else R.c.commitments)).where(rolled, R.c.month == "")
    else:
        q = _facts(engine, filters, func.count()).where(F.c.day.is_(None))
        if with_year:
            q = q.where(F.c.year_max.is_not(None))
    with engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def with_year_count(engine: Engine, filters: Filters) -> int:
    """How many commitments in view name a target year."""
    rolled = _rolled(filters, "")
    if rolled is not None:
        q = select(func.sum(R.c.with_year)).where(rolled)
    else:
        q = _facts(engine, filters, func.count()).where(F.c.year_max.is_not(None))
    with engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def headline(engine: Engine, filters: Filters, figures: dict[str, Any] | None = None) -> dict[str, Any]:
    """query.headline: releases and commitments in view, organisations, share with a target year."""
    figures = figures or summary(engine, filters)
    n, with_year = figures["commitments"], figures["with_target_year"]
    return {
        "releases": release_count(engine, filters),
        "commitments": n,
        "organizations": len(figures["organizations"]),
        "with_target_year": with_year,
        "target_share": with_year / n if n else 0.0,
        "nearest_year": figures["nearest_year"],
        "farthest_year": figures["farthest_year"],
    }


# ---------------------------------------------------------------- rows: points, roadmap, pages

ROW_COLUMNS: tuple[str, ...] = (
    "id",
    "release_day",
    "organization",
    "speaker",
    "kind",
    "themes",
    "target_years",
    "text",
    "source_file",
    "confidence",
    "start",
    "end",
    "position",
    "language",
    "review_status",
    "review_stale",
    "reviewed_by",
    "reviewed_at",
)


def _row_columns() -> list[Any]:
    return [
        F.c.commitment_id.label("id"),
        F.c.day.label("release_day"),
        F.c.organization,
        F.c.speaker,
        F.c.kind,
        F.c.themes,
        F.c.target_years,
        COM.c.text,
        F.c.source_file,
        F.c.confidence,
        COM.c.start,
        COM.c.end,
        F.c.position,
        F.c.language,
        F.c.status.label("review_status"),
        REV.c.stale.label("review_stale"),
        REV.c.reviewed_by,
        REV.c.reviewed_at,
    ]


def _rows(engine: Engine, filters: Filters) -> Select[Any]:
    """The commitments in view with what a table row shows (text and review from their tables)."""
    return _facts(engine, filters, *_row_columns(), rows=True)


def _rows_frame(engine: Engine, query: Select[Any]) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    data = {c: [r[i] for r in rows] for i, c in enumerate(ROW_COLUMNS)}
    data["release_day"] = [_day(v) for v in data["release_day"]]
    data["review_stale"] = ["yes" if v else "" for v in data["review_stale"]]
    data["reviewed_by"] = [v or "" for v in data["reviewed_by"]]
    data["reviewed_at"] = [
        v.isoformat(timespec="seconds") if isinstance(v, dt.datetime) else "" for v in data["reviewed_at"]
    ]
    frame = pd.DataFrame(data, columns=list(ROW_COLUMNS))
    frame["release_day"] = pd.to_datetime(frame["release_day"]).astype("datetime64[us]")
    frame["confidence"] = frame["confidence"].astype(float)
    for column in ("start", "end", "position"):
        frame[column] = frame[column].astype("int64")
    return frame


# Sort name -> its keys: (column, descending, NULLs first). The store's order (file, position)
# ends every sort, so the keys of a row are unique and a page can start after a row (keyset).
_STORE_ORDER = (F.c.source_file, F.c.position)
_TIES = [(F.c.source_file, False, False), (F.c.position, False, False)]
SORT_KEYS: dict[str, list[tuple[Any, bool, bool]]] = {
    "Newest first": [(F.c.day, True, False), *_TIES],
    "Undated first, then newest": [(F.c.day, True, True), *_TIES],
    "Oldest first": [(F.c.day, False, False), *_TIES],
    "Highest confidence": [(F.c.confidence, True, False), (F.c.day, True, False), *_TIES],
    "Lowest confidence": [(F.c.confidence, False, False), (F.c.day, True, False), *_TIES],
    "Organisation": [(F.c.organization, False, False), (F.c.day, True, False), *_TIES],
}


def _ordered(column: Any, descending: bool, nulls_first: bool) -> Any:
    by = column.desc() if descending else column.asc()
    return by.nulls_first() if nulls_first else by.nulls_last()


SORTS: dict[str, tuple[Any, ...]] = {
    name: tuple(_ordered(*k) for k in keys) for name, keys in SORT_KEYS.items()
}


def _beyond(column: Any, descending: bool, nulls_first: bool, value: Any) -> ColumnElement[bool]:
    """Rows whose ``column`` comes strictly after ``value`` in this direction (NULLs where they sort)."""
    if value is None:
        return column.is_not(None) if nulls_first else false()
    strictly = column < value if descending else column > value
    return strictly if nulls_first else or_(strictly, column.is_(None))


def _after(keys: list[tuple[Any, bool, bool]], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after the row whose sort keys are ``values`` (the keyset condition)."""
    clauses = []
    for i, (column, descending, nulls_first) in enumerate(keys):
        same = [keys[j][0].is_(None) if values[j] is None else keys[j][0] == values[j] for j in range(i)]
        clauses.append(and_(true(), *same, _beyond(column, descending, nulls_first, values[i])))
    return or_(false(), *clauses)


def sort_key(sort: str, row: Any) -> tuple[Any, ...]:
    """The sort keys of a row of ``page`` (what ``after`` takes to start the next page there)."""
    names = {"day": "release_day"}
    out: list[Any] = []
    for column, _, _ in SORT_KEYS.get(sort, SORT_KEYS["Newest first"]):
        value = row[names.get(column.name, column.name)]
        if value is None or value is pd.NaT or value != value:  # NaT and NaN: no value
            out.append(None)
        elif isinstance(value, pd.Timestamp):
            out.append(value.strftime("%Y-%m-%d"))
        else:  # numpy scalars as plain Python values, which every driver binds
            out.append(value.item() if hasattr(value, "item") else value)
    return tuple(out)


def page(
    engine: Engine,
    filters: Filters,
    sort: str,
    number: int,
    size: int,
    after: tuple[Any, ...] | None = None,
) -> pd.DataFrame:
    """Page ``number`` (from 1) of ``size`` rows of the commitments in view, sorted by the database.

    ``after``: the sort keys of the previous page's last row (sort_key); the page then starts
    there through the index instead of skipping ``number - 1`` pages of rows.
    """
    keys = SORT_KEYS.get(sort, SORT_KEYS["Newest first"])
    q = _rows(engine, filters).order_by(*(_ordered(*k) for k in keys)).limit(size)
    skipped = q.offset((max(number, 1) - 1) * size)
    return _rows_frame(engine, q.where(_after(keys, after)) if after is not None else skipped)


def rows_by_id(engine: Engine, ids: Sequence[str], sort: str = "Newest first") -> pd.DataFrame:
    """The table rows of these commitments (a chart selection), sorted."""
    q = _rows(engine, Filters()).where(F.c.commitment_id.in_(list(ids)))
    return _rows_frame(engine, q.order_by(*SORTS.get(sort, SORTS["Newest first"])))


def timeline_points(engine: Engine, filters: Filters, limit: int = 2000) -> pd.DataFrame:
    """query.timeline_points: the newest ``limit`` dated commitments with ``theme`` = their first theme."""
    q = _rows(engine, filters).where(F.c.day.is_not(None)).order_by(*SORTS["Newest first"]).limit(limit)
    out = _rows_frame(engine, q)
    out["theme"] = [next(iter(t.split(";")), "") if t else "" for t in out["themes"]]
    return out


def roadmap(engine: Engine, filters: Filters, top: int = 25, limit: int = 2000) -> pd.DataFrame:
    """query.roadmap: one row per (commitment, target year) of the ``top`` organisations naming one.

    The newest ``limit`` commitments (undated ones last), in organisation rank, target year, day.
    """
    orgs = top_organizations(engine, filters, top, with_year=True)
    chosen: ColumnElement[bool] = F.c.organization.in_(orgs)
    if engine.dialect.name == "sqlite":
        # SQLite keeps no statistics: it takes a list of organisations for a narrow one and would
        # fetch and sort every row of 25 of them. The top organisations hold most of the view, so a
        # test no index answers lets it read the order index newest first and stop at ``limit``.
        # (PostgreSQL knows their share and does so with the plain test; with this one it would not.)
        chosen = case((chosen, 1), else_=0) == 1
    q = (
        _rows(engine, filters)
        .where(F.c.year_max.is_not(None), chosen)
        .order_by(*SORTS["Newest first"])
        .limit(limit)
    )
    points = _rows_frame(engine, q)
    points["theme"] = [next(iter(t.split(";")), "") if t else "" for t in points["themes"]]
    points["target_year"] = [
        [int(y) for y in str(c).split(";") if y.isdigit()] for c in points["target_years"]
    ]
    return one_row_per_target_year(points, orgs)


# ---------------------------------------------------------------- releases in view


def _own(table: Any, filters: Filters) -> ColumnElement[bool]:
    """A release's own organisation in the filter's, and every search term in its title, organisation
    or file name."""
    own: list[ColumnElement[bool]] = []
    if filters.organizations:
        own.append(table.c.organization.in_(filters.organizations))
    for term in search_terms(filters.search):
        variants = term_variants(term)
        columns = (table.c.title, table.c.organization, table.c.source_file)
        own.append(or_(false(), *(c.icontains(v, autoescape=True) for v in variants for c in columns)))
    return and_(true(), *own)


def _release_where(engine: Engine, filters: Filters) -> ColumnElement[bool]:
    """query.filter_releases' rule: a release's own date and language, and a matching commitment
    (or, when only organisation and search narrow, its own organisation and title)."""
    f = filters
    clauses: list[ColumnElement[bool]] = []
    if f.date_from is not None:
        clauses += [REL.c.date != "", REL.c.date >= f.date_from.isoformat()]
    if f.date_to is not None:
        clauses += [REL.c.date != "", REL.c.date <= f.date_to.isoformat()]
    if f.undated:
        clauses.append(REL.c.date == "")
    if f.languages:
        clauses.append(REL.c.language.in_(f.languages))
    ids = _release_ids(engine, f)
    if ids is not None and not _commitment_only(f) and not f.organizations:
        # A search alone: a page reads the releases newest first and stops once it is full.
        clauses.append(or_(REL.c.id.in_(_facts(engine, f, F.c.release_id)), _own(REL, f)))
    elif ids is not None:
        clauses.append(REL.c.id.in_(ids))
    return and_(true(), *clauses)


def _commitment_only(filters: Filters) -> bool:
    return any(getattr(filters, name) != getattr(Filters(), name) for name in COMMITMENT_ONLY)


def _release_ids(engine: Engine, filters: Filters) -> Any:
    """The ids of the releases the commitment filters, organisations and search keep (before the
    releases' own date and language); None when none of them is set."""
    f = filters
    matching = _facts(engine, f, F.c.release_id)
    if _commitment_only(f):
        return matching
    if not f.organizations and not f.search.strip():
        return None
    # One list from both sides, each through its index, where an OR of the two tests would be
    # checked on every release.
    mine = REL.alias()
    return union(matching, select(mine.c.id).where(_own(mine, f)))


def release_count(engine: Engine, filters: Filters) -> int:
    """How many releases are in view (query.filter_releases' rows)."""
    f = filters
    ids = _release_ids(engine, f)
    q = select(func.count()).select_from(REL).where(_release_where(engine, f))
    own_fields = f.date_from is not None or f.date_to is not None or f.undated or f.languages
    if ids is not None and not own_fields:
        # Every id in the list is a stored release: count the list, without reading the releases.
        listed = ids.subquery()
        q = select(func.count(listed.c[0].distinct()))
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def release_total(engine: Engine) -> int:
    """How many releases the store holds."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(REL)).scalar_one())


RELEASE_ROW_COLUMNS: tuple[str, ...] = (
    "source_file",
    "release_date",
    "release_title",
    "language",
    "organization",
    "url",
    "release_day",
    "commitments",
    "matching",
)


def releases_page(engine: Engine, filters: Filters, number: int, size: int) -> pd.DataFrame:
    """Page ``number`` of the releases in view, newest first, with their commitments and those matching."""
    q = (
        select(
            REL.c.id,
            REL.c.source_file,
            REL.c.date,
            REL.c.title,
            REL.c.language,
            REL.c.organization,
            REL.c.url,
        )
        .where(_release_where(engine, filters))
        .order_by(REL.c.date.desc(), REL.c.source_file)  # undated ("") last: ix_releases_order
        .limit(size)
        .offset((max(number, 1) - 1) * size)
    )
    with engine.connect() as conn:
        rows = conn.execute(q).all()
        ids = [r.id for r in rows]
        per_release = select(F.c.release_id, func.count()).where(F.c.release_id.in_(ids))
        totals: dict[int, int] = {r: n for r, n in conn.execute(per_release.group_by(F.c.release_id))}
        in_view = _facts(engine, filters, F.c.release_id, func.count()).where(F.c.release_id.in_(ids))
        matching: dict[int, int] = {r: n for r, n in conn.execute(in_view.group_by(F.c.release_id))}
    out = pd.DataFrame(
        {
            "source_file": [r.source_file for r in rows],
            "release_date": [r.date for r in rows],
            "release_title": [r.title for r in rows],
            "language": [r.language for r in rows],
            "organization": [r.organization for r in rows],
            "url": [r.url for r in rows],
            "release_day": pd.to_datetime([r.date or None for r in rows], format="%Y-%m-%d", errors="coerce"),
            "commitments": [int(totals.get(i, 0)) for i in ids],
            "matching": [int(matching.get(i, 0)) for i in ids],
        },
        columns=list(RELEASE_ROW_COLUMNS),
    )
    out["release_day"] = out["release_day"].astype("datetime64[us]")
    return out


def commitment_themes(engine: Engine, source_file: str) -> dict[str, str]:
    """Commitment id -> its themes as shown, for one release (to label its highlighted spans)."""
    q = select(F.c.commitment_id, F.c.themes).where(F.c.source_file == source_file)
    with engine.connect() as conn:
        return {str(i): str(t) for i, t in conn.execute(q)}


# ---------------------------------------------------------------- facets


def _counted(engine: Engine, column: Any, n: Any = None, *where: Any) -> dict[str, int]:
    """Values of ``column`` but "" with how many commitments hold each (``n``), most first."""
    n = (n if n is not None else func.count()).label("n")
    q = select(column, n).where(column != "", *where).group_by(column).order_by(n.desc(), column)
    with engine.connect() as conn:
        return {str(v): int(c) for v, c in conn.execute(q)}


def facets(engine: Engine) -> dict[str, Any]:
    """The filter widgets' choices for the whole store (cache them per store revision)."""
    with engine.connect() as conn:
        low, high = conn.execute(
            select(func.min(REL.c.date), func.max(REL.c.date)).where(REL.c.date != "")
        ).one()
        # One bound per query: each is then read from its index's end, not from every row.
        year_low = conn.execute(select(func.min(F.c.year_min))).scalar()
        year_high = conn.execute(select(func.max(F.c.year_max))).scalar()
        statuses = sorted(str(s) for s in conn.execute(select(R.c.status).distinct()).scalars())
    if set(statuses) <= {"unreviewed"}:  # nothing reviewed yet: a filter would only add noise
        statuses = []
    return {
        "organizations": _counted(engine, R.c.organization, func.sum(R.c.commitments), R.c.dim == ""),
        "speakers": _counted(engine, F.c.speaker),
        "date_bounds": (dt.date.fromisoformat(low), dt.date.fromisoformat(high)) if low else None,
        "year_bounds": (int(year_low), int(year_high))
        if year_low is not None and year_high is not None
        else None,
        "review_statuses": statuses,
    }


# ---------------------------------------------------------------- the filtered CSV, streamed

EXPORT_CHUNK = 5_000  # rows read, reviewed and written at a time: memory stays flat


def reviewed_rows(
    engine: Engine, organizations: Sequence[str], chunk: int = EXPORT_CHUNK
) -> list[dict[str, Any]]:
    """review.reviewed_rows narrowed to these organisations (as reviewed) and to rows not rejected,
    read through the facts: regrouping one organisation's threads never reads the whole store."""
    from .. import review

    ids_query = (
        select(F.c.commitment_id)
        .where(F.c.organization.in_(list(organizations)), F.c.status != "rejected")
        .order_by(*_STORE_ORDER)
    )
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for part in conn.execution_options(yield_per=chunk).execute(ids_query).partitions():
            ids = [str(r[0]) for r in part]
            out += review.apply_reviews(
                store.commitment_rows_by_id(engine, ids), store.reviews_of(engine, ids)
            )
    return out


def iter_commitments_csv(engine: Engine, filters: Filters, chunk: int = EXPORT_CHUNK) -> Iterator[str]:
    """commitments.csv of the commitments in view, in pieces: what ``esgdata export`` writes, narrowed.

    The same columns, order (by file, then position) and neutralised cells as export.commitments_csv
    over review.reviewed_rows; only ``chunk`` rows are held at a time.
    """
    from .. import review

    ids_query = _facts(engine, filters, F.c.commitment_id).order_by(*_STORE_ORDER)
    columns: list[str] | None = None
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk).execute(ids_query)
        for part in result.partitions():
            ids = [str(r[0]) for r in part]
            rows = review.apply_reviews(
                store.commitment_rows_by_id(engine, ids), store.reviews_of(engine, ids)
            )
            if columns is None:
                columns = [
                    *export.COMMITMENT_COLUMNS,
                    *(k for k in rows[0] if k not in export.COMMITMENT_COLUMNS),
                ]
                yield export.to_csv(rows, columns)
            else:  # the BOM and the header once, at the top of the file
                yield export.to_csv(rows, columns).split("\r\n", 1)[1]
    if columns is None:
        yield export.commitments_csv([])


def iter_releases_csv(engine: Engine, filters: Filters, chunk: int = EXPORT_CHUNK) -> Iterator[str]:
    """releases.csv of the releases in view, in pieces: what ``esgdata export`` writes, narrowed."""
    ids_query = select(REL.c.id).where(_release_where(engine, filters)).order_by(REL.c.source_file)
    first = True
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk).execute(ids_query)
        for part in result.partitions():
            text = export.releases_csv(store.release_rows_by_id(engine, [r[0] for r in part]))
            yield text if first else text.split("\r\n", 1)[1]
            first = False
    if first:
        yield export.releases_csv([])
