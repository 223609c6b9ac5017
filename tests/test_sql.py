"""The database answers the dashboard's questions exactly as the pandas reference does, on both dialects.

A small store (the seeds, an undated copy of a release, reviewers' corrections) is built once per
dialect; for random filters, every SQL aggregate equals query.py's pandas function on the same store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import PG_URL, SEEDS, pg_connect, skip_or_fail
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from esgdata import export, ingest, review, schema, store, users
from esgdata.analysis import query, sql
from esgdata.analysis.query import Filters
from esgdata.extraction import lexicon
from esgdata.extraction.pipeline import commitment_id, extract
from esgdata.models import KINDS, PILLARS
from esgdata.readers import read
from esgdata.readers.release import parse_release

ORGS = ["China Three Gorges", "CECEP", "State Grid", "SASAC", "Nobody"]
WORDS = ["carbon", "碳达峰", "碳達峰", "green", "2030", '"net zero"', "safety", "%", "e_s", "国"]


def _cli_export_narrowed(engine: Engine, f: Filters, frame: pd.DataFrame) -> str:
    """The reference commitments.csv: what `esgdata export` writes, narrowed to the rows pandas keeps."""
    ids = query.apply(frame, f)["id"].astype(str)
    return export.commitments_csv(query.select_rows(review.reviewed_rows(engine), ids))


def _cli_releases_narrowed(engine: Engine, f: Filters, frame: pd.DataFrame, releases: pd.DataFrame) -> str:
    """The reference releases.csv: the CLI's export of the releases pandas keeps in view."""
    files = set(query.filter_releases(releases, query.apply(frame, f), f)["source_file"].astype(str))
    return export.releases_csv([r for r in store.release_rows(engine) if r["source_file"] in files])


def _build(engine: Engine) -> Engine:
    ingest.load_seeds(engine, users.operator())
    first = sorted(SEEDS.glob("*.txt"))[0]
    x = extract(parse_release(read(first, max_bytes=2**24)))
    undated = dataclasses.replace(x.release, source_file="undated-copy.txt", date="", content_hash="0" * 64)
    commitments = tuple(
        dataclasses.replace(c, id=f"u{i:015d}", source_file="undated-copy.txt")
        for i, c in enumerate(x.commitments)
    )
    store.save(engine, dataclasses.replace(x, release=undated, commitments=commitments), "test")
    users.add_user(engine, users.operator(), "rita", "a long enough password", "reviewer")
    rita = users.authenticate(engine, "rita", "a long enough password")
    rows = store.commitment_rows(engine)
    review.review(
        engine, rita, rows[0]["id"], status="accepted", expected_version=0, themes=["water", "party"]
    )
    review.review(engine, rita, rows[1]["id"], status="rejected", expected_version=0)
    review.review(engine, rita, rows[4]["id"], status="accepted", expected_version=0)
    review.review(
        engine,
        rita,
        rows[2]["id"],
        status="accepted",
        expected_version=0,
        kind="target",
        target_years=[2031, 2045],
    )
    review.review(
        engine, rita, rows[3]["id"], status="needs follow-up", expected_version=0, organization="SASAC"
    )
    return engine


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The small store, once per dialect the run can reach."""
    if request.param == "postgresql":
        if not PG_URL:
            skip_or_fail("no PostgreSQL server: set ESGDATA_TEST_PG_URL")
        engine = pg_connect()
    else:
        engine = store.connect(f"sqlite:///{tmp_path_factory.mktemp('sql') / 'store.db'}")
    yield _build(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def reference(built: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pandas frames the reference functions read."""
    return query.load_commitments(built), query.load_releases(built)


DAYS = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def filters(draw: st.DrawFn) -> Filters:
    """Random filters over the values the small store holds (and some it does not)."""
    low = draw(st.none() | DAYS)
    high = draw(st.none() | DAYS)
    year_low = draw(st.none() | st.integers(2020, 2070))
    return Filters(
        organizations=tuple(draw(st.lists(st.sampled_from(ORGS), max_size=2, unique=True))),
        date_from=low,
        date_to=high,
        undated=draw(st.booleans()) if low is None and high is None else False,
        pillars=tuple(draw(st.lists(st.sampled_from(list(PILLARS)), max_size=2, unique=True))),
        themes=tuple(draw(st.lists(st.sampled_from(list(lexicon.THEME_IDS)), max_size=2, unique=True))),
        kinds=tuple(draw(st.lists(st.sampled_from(list(KINDS)), max_size=2, unique=True))),
        year_from=year_low,
        year_to=draw(st.none() | st.integers(2020, 2070)),
        languages=tuple(draw(st.lists(st.sampled_from(["en", "zh"]), max_size=1))),
        speakers=(),
        search=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=2))),
        min_confidence=draw(st.sampled_from([0.0, 0.5, 0.8])),
        review_statuses=tuple(
            draw(st.lists(st.sampled_from(list(review.STATUSES)), max_size=2, unique=True))
        ),
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype) or out[column].dtype == object:
            out[column] = out[column].astype(str)
        if str(out[column].dtype).startswith("datetime64"):
            out[column] = out[column].astype("datetime64[us]")
    return out


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_plain(a), _plain(b), check_dtype=False)


PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_the_small_store_has_what_the_properties_need(
    built: Engine, reference: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    frame, _ = reference
    assert frame["release_day"].isna().any() and frame["release_day"].notna().any()
    assert set(frame[query.REVIEW_COLUMN]) >= {"unreviewed", "accepted", "rejected", "corrected"}
    assert sql.summary(built, Filters())["commitments"] == len(frame)


MONTHS = st.integers(2018 * 12, 2026 * 12 + 11).map(lambda m: dt.date(m // 12, m % 12 + 1, 1))


@st.composite
def rolled_filters(draw: st.DrawFn) -> Filters:
    """Random filters the rollup answers: whole groups only (dates on a month's bounds)."""
    low = draw(st.none() | MONTHS)
    high = draw(st.none() | MONTHS.map(lambda d: (pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()))
    return Filters(
        organizations=tuple(draw(st.lists(st.sampled_from(ORGS), max_size=2, unique=True))),
        date_from=low,
        date_to=high,
        undated=draw(st.booleans()) if low is None and high is None else False,
        kinds=tuple(draw(st.lists(st.sampled_from(list(KINDS)), max_size=2, unique=True))),
        languages=tuple(draw(st.lists(st.sampled_from(["en", "zh"]), max_size=1))),
        review_statuses=tuple(
            draw(st.lists(st.sampled_from(list(review.STATUSES)), max_size=2, unique=True))
        ),
    )


@PROPERTY
@given(f=filters() | rolled_filters())
@example(f=Filters(undated=True, min_confidence=0.5))  # undated only, counted from the facts
def test_counts_and_chart_aggregates_equal_the_pandas_reference(
    built: Engine, reference: tuple[pd.DataFrame, pd.DataFrame], f: Filters
) -> None:
    frame, releases = reference
    view = query.apply(frame, f)
    figures = sql.summary(built, f)
    assert figures["commitments"] == len(view)
    assert figures["undated"] == sql.undated_count(built, f) == query.undated_count(view)
    assert sql.leading(figures["organizations"], 3) == query.top_organizations(view, 3)
    drawn = sql.overview(built, f, top=3)
    same(drawn["theme_kind"], query.theme_kind_counts(view))
    same(drawn["pillar"], query.pillar_counts(view))
    same(drawn["org_theme"], query.organization_theme_counts(view, top=3))
    same(drawn["monthly"], query.monthly_pillar_counts(view))
    assert sql.auto_freq(figures) == query.auto_freq(view)
    for freq, top in ((None, None), ("Q", 3), ("Y", None)):
        same(sql.theme_counts_over_time(built, f, freq, top), query.theme_counts_over_time(view, freq, top))
    in_view = query.filter_releases(releases, view, f)
    assert drawn["headline"] == sql.headline(built, f) == query.headline(view, in_view)
    assert sql.release_count(built, f) == len(in_view)
    assert sql.with_year_count(built, f) == int(view["year_max"].notna().sum())
    undated = view[view["release_day"].isna()]
    assert sql.undated_count(built, f, with_year=True) == int(undated["year_max"].notna().sum())


@PROPERTY
@given(f=filters() | rolled_filters())
def test_points_roadmap_and_pages_hold_the_pandas_rows_in_the_pandas_order(
    built: Engine, reference: tuple[pd.DataFrame, pd.DataFrame], f: Filters
) -> None:
    frame, releases = reference
    view = query.apply(frame, f)
    points = sql.timeline_points(built, f, limit=7)
    expected = query.timeline_points(view, limit=7)
    assert list(points["id"]) == list(expected["id"].astype(str))
    assert list(points["theme"]) == list(expected["theme"])
    road = sql.roadmap(built, f, top=3, limit=6)
    expected_road = query.roadmap(view, top=3, limit=6)
    assert list(zip(road["id"], road["target_year"], strict=True)) == list(
        zip(expected_road["id"].astype(str), expected_road["target_year"], strict=True)
    )
    newest = view.sort_values(
        ["release_day", "source_file", "start"],
        ascending=[False, True, True],
        na_position="last",
        kind="stable",
    )
    page = sql.page(built, f, "Newest first", 2, 3)
    assert list(page["id"]) == list(newest["id"].astype(str))[3:6]
    in_view = query.filter_releases(releases, view, f).sort_values(
        ["release_day", "source_file"], ascending=[False, True], na_position="last"
    )
    got = sql.releases_page(built, f, 1, 5)
    assert list(got["source_file"]) == list(in_view["source_file"])[:5]
    assert list(got["matching"]) == list(in_view["matching"])[:5]
    assert list(got["commitments"]) == list(in_view["commitments"])[:5]


@settings(max_examples=15, deadline=None)
@given(f=filters())
def test_the_streamed_csv_is_the_cli_export_narrowed(
    built: Engine, reference: tuple[pd.DataFrame, pd.DataFrame], f: Filters
) -> None:
    frame, _ = reference
    assert "".join(sql.iter_commitments_csv(built, f, chunk=4)) == _cli_export_narrowed(built, f, frame)


@pytest.mark.parametrize("sort", list(sql.SORTS))
def test_every_sort_pages_through_every_row_once_by_offset_and_by_keyset(built: Engine, sort: str) -> None:
    total = sql.summary(built, Filters())["commitments"]
    by_offset = [i for n in range(1, total // 7 + 2) for i in sql.page(built, Filters(), sort, n, 7)["id"]]
    assert len(by_offset) == total == len(set(by_offset))
    by_keyset: list[str] = []
    after = None
    for n in range(1, total // 7 + 2):
        rows = sql.page(built, Filters(), sort, n, 7, after)
        by_keyset += list(rows["id"])
        after = sql.sort_key(sort, rows.iloc[-1]) if len(rows) else after
    assert by_keyset == by_offset


def test_facets_count_organisations_and_speakers_as_shown(
    built: Engine, reference: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    frame, releases = reference
    got = sql.facets(built)
    orgs = frame["organization"].astype(str)
    speakers = frame["speaker"].astype(str)
    assert got["organizations"] == orgs[orgs != ""].value_counts().to_dict()
    assert list(got["organizations"].values()) == sorted(got["organizations"].values(), reverse=True)
    assert got["speakers"] == speakers[speakers != ""].value_counts().to_dict()
    days = pd.concat([frame["release_day"], releases["release_day"]]).dropna()
    assert got["date_bounds"] == (days.min().date(), days.max().date())
    assert got["year_bounds"] == (int(frame["year_min"].min()), int(frame["year_max"].max()))
    assert "corrected" in got["review_statuses"]


def test_facts_follow_a_review_and_a_deleted_release(engine: Engine) -> None:
    ingest.load_seeds(engine, users.operator())
    users.add_user(engine, users.operator(), "rita", "a long enough password", "reviewer")
    rita = users.authenticate(engine, "rita", "a long enough password")
    first = store.commitment_rows(engine)[0]
    review.review(engine, rita, first["id"], status="accepted", expected_version=0, themes=["water"])
    assert sql.summary(engine, Filters(themes=("water",), review_statuses=("corrected",)))["commitments"] == 1
    store.delete_release(engine, first["source_file"], "test")
    with engine.connect() as conn:
        left = conn.execute(select(schema.commitment_facts.c.source_file).distinct()).scalars().all()
    assert first["source_file"] not in left
    assert sql.summary(engine, Filters())["commitments"] == len(store.commitment_rows(engine))


def test_an_old_store_gets_its_facts_on_upgrade(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'old.db'}")
    ingest.load_seeds(engine, users.operator())
    with engine.begin() as conn:  # the store as schema 6 left it: no facts tables
        for table in reversed(schema.FACT_TABLES):
            conn.execute(text(f"DROP TABLE {table.name}"))
        conn.execute(schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="6"))
    schema.upgrade(engine)
    assert sql.summary(engine, Filters())["commitments"] == len(store.commitment_rows(engine)) > 0


def test_a_store_of_schema_7_gets_its_rollup_on_upgrade(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'old.db'}")
    ingest.load_seeds(engine, users.operator())
    with engine.begin() as conn:  # the store as schema 7 left it: no rollup
        conn.execute(text(f"DROP TABLE {schema.commitment_rollup.name}"))
        conn.execute(schema.meta.update().where(schema.meta.c.key == "schema_version").values(value="7"))
    assert schema.upgrade(engine) == schema.SCHEMA_VERSION
    assert _rollup(engine) == _rollup(engine, recounted=True) != []
    assert sql.summary(engine, Filters(kinds=("target",)))["commitments"] == len(
        [r for r in store.commitment_rows(engine) if r["kind"] == "target"]
    )


@settings(max_examples=15, deadline=None)
@given(f=filters())
def test_the_streamed_releases_csv_is_the_cli_export_narrowed(
    built: Engine, reference: tuple[pd.DataFrame, pd.DataFrame], f: Filters
) -> None:
    frame, releases = reference
    expected = _cli_releases_narrowed(built, f, frame, releases)
    assert "".join(sql.iter_releases_csv(built, f, chunk=3)) == expected


def _csv(engine: Engine, f: Filters) -> str:
    return "".join(sql.iter_commitments_csv(engine, f))


def _reviewer(engine: Engine) -> users.User:
    users.add_user(engine, users.operator(), "rita", "a long enough password", "reviewer")
    return users.authenticate(engine, "rita", "a long enough password")


def test_the_filtered_download_is_the_cli_export_narrowed_to_the_same_rows(engine: Engine) -> None:
    ingest.load_seeds(engine, users.operator())
    rows = review.reviewed_rows(engine)  # what `esgdata export` writes by default
    organization, kind = rows[0]["organization"], rows[0]["kind"]
    f = Filters(organizations=(organization,), kinds=(kind,))
    expected = export.commitments_csv(
        [r for r in rows if r["organization"] == organization and r["kind"] == kind]
    )
    assert _csv(engine, f) == expected
    assert _csv(engine, Filters()) == export.commitments_csv(rows)
    releases = "".join(sql.iter_releases_csv(engine, Filters()))
    assert releases == export.releases_csv(store.release_rows(engine))
    nothing = _csv(engine, Filters(organizations=("Nobody",)))
    assert nothing == export.commitments_csv([])  # the export derives extra columns from the first row


def test_a_reviewed_correction_reaches_the_filtered_download(engine: Engine) -> None:
    ingest.load_seeds(engine, users.operator())
    first = store.commitment_rows(engine)[0]
    review.review(
        engine,
        _reviewer(engine),
        first["id"],
        status="accepted",
        expected_version=0,
        kind="target",
        target_years=[2031],
    )
    header, *lines = _csv(engine, Filters(year_from=2031, year_to=2031)).splitlines()
    assert len(lines) == 1 and first["id"] in lines[0] and "2031" in lines[0]
    assert "review_status" in header and "original_kind" in header


def _rollup(engine: Engine, *, recounted: bool = False) -> list[tuple[object, ...]]:
    """The rollup's rows as stored, or as a recount from the facts gives them (rolled back)."""
    with engine.connect() as conn:
        if recounted:
            store.recount_rollup(conn)
        rows = sorted(tuple(r) for r in conn.execute(select(schema.commitment_rollup)))
        conn.rollback()
    return rows


@st.composite
def writes(draw: st.DrawFn) -> list[tuple[object, ...]]:
    """A few writes that change facts: a copy of a release saved (dated or not, first or again with
    another date and fewer commitments), reviews correcting the organisation or kind, deletions."""
    day = st.sampled_from(["", "2019-03-31", "2019-04-01", "2024-12-15"])
    ops = st.one_of(
        st.tuples(st.just("save"), st.integers(0, 3), day, st.integers(0, 30)),
        st.tuples(st.just("review"), st.integers(0, 400), st.sampled_from(ORGS), st.sampled_from(KINDS)),
        st.tuples(st.just("delete"), st.integers(0, 3)),
    )
    return draw(st.lists(ops, min_size=1, max_size=4))


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    ingest.load_seeds(engine, users.operator())
    users.add_user(engine, users.operator(), "rita", "a long enough password", "reviewer")
    return engine


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=writes())
def test_the_rollup_stays_equal_to_the_facts_after_every_write(
    seeded: Engine, ops: list[tuple[object, ...]]
) -> None:
    engine = seeded
    rita = users.authenticate(engine, "rita", "a long enough password")
    first = sorted(SEEDS.glob("*.txt"))[:4]
    for op in ops:
        if op[0] == "save":
            x = extract(parse_release(read(first[int(op[1])], max_bytes=2**24)))
            name = f"copy-{op[1]}.txt"
            release = dataclasses.replace(
                x.release,
                source_file=name,
                date=str(op[2]),
                content_hash=hashlib.sha256(repr(op).encode()).hexdigest(),
            )
            commitments = tuple(
                dataclasses.replace(c, id=commitment_id(name, c.text, i), source_file=name)
                for i, c in enumerate(x.commitments[: int(op[3])])
            )
            store.save(engine, dataclasses.replace(x, release=release, commitments=commitments), "test")
        elif op[0] == "review":
            rows = store.commitment_rows(engine)
            cid = rows[int(op[1]) % len(rows)]["id"]
            seen = store.get_review(engine, cid)
            review.review(
                engine,
                rita,
                cid,
                status="accepted",
                expected_version=int(seen["version"]) if seen else 0,
                organization=str(op[2]),
                kind=str(op[3]),
            )
        else:
            store.delete_release(engine, f"copy-{op[1]}.txt", "test")
        assert _rollup(engine) == _rollup(engine, recounted=True)
    frame = query.load_commitments(engine)
    assert sql.summary(engine, Filters())["commitments"] == len(frame)
    same(sql.overview(engine, Filters(), top=3)["theme_kind"], query.theme_kind_counts(frame))
