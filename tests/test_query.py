"""The dashboard's data layer: filters, their URL round trip, aggregations, loaders, exports, file names."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from esgdata import ingest, review, store, users
from esgdata.analysis import query
from esgdata.analysis.query import Filters
from esgdata.extraction import lexicon
from esgdata.models import KINDS, PILLARS

COLUMNS = [
    "id", "source_file", "release_date", "release_title", "organization", "speaker", "text", "kind",
    "pillars", "themes", "target_years", "confidence", "language", "start", "end",
]  # fmt: skip
ROWS = [
    ("a1", "a.txt", "2021-03-01", "CECEP plans", "CECEP", "Song Xin",
     "CECEP will peak carbon emissions by 2025.", "target", "E", "climate", "2025", 0.9, "en", 0, 40),
    ("a2", "a.txt", "2021-03-01", "CECEP plans", "CECEP", "",
     "CECEP has always insisted on work safety.", "practice", "S", "health_safety", "", 0.6, "en", 41, 80),
    ("b1", "b.txt", "2023-07-15", "国家电网 通知", "State Grid", "",
     "国家电网将力争2030年前实现碳达峰，2060年前实现碳中和。", "target", "E", "climate;energy", "2030;2060",
     0.8, "zh", 0, 30),
    ("b2", "b.txt", "2023-07-15", "国家电网 通知", "State Grid", "刘国跃",
     "国网始终坚持推进乡村振兴。", "practice", "S;G", "rural;party", "", 0.4, "zh", 31, 45),
    ("c1", "c.txt", "", "Undated note", "SASAC", "",
     "SASAC will strengthen ESG disclosure.", "pledge", "G", "esg", "", 0.7, "en", 0, 60),
    ("d1", "d.txt", "2024-01-10", "碳達峰 news", "China Three Gorges", "",
     "三峽集團將在2028年前實現碳達峰。", "target", "E", "climate", "2028", 0.75, "zh", 0, 20),
]  # fmt: skip


def make_frame(rows: list[tuple[object, ...]] = ROWS) -> pd.DataFrame:
    """A commitments frame shaped like store.commitments_frame (plain strings, not categories)."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["release_day"] = pd.to_datetime(frame["release_date"].replace("", None), format="%Y-%m-%d")
    years = frame["target_years"].str.split(";")
    frame["year_min"] = pd.array([min(map(int, y)) if y != [""] else None for y in years], dtype="Int64")
    frame["year_max"] = pd.array([max(map(int, y)) if y != [""] else None for y in years], dtype="Int64")
    return frame


@pytest.fixture(params=["plain", "categories"])
def frame(request: pytest.FixtureRequest) -> pd.DataFrame:
    """The same rows as plain strings and as the dashboard keeps them (categories)."""
    plain = make_frame()
    return plain if request.param == "plain" else query.prepare(plain)


def ids(frame: pd.DataFrame) -> list[str]:
    return [str(i) for i in frame["id"]]


# ---------------------------------------------------------------- each filter narrows as it says


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ["a1", "a2", "b1", "b2", "c1", "d1"]),
        (Filters(organizations=("CECEP",)), ["a1", "a2"]),
        (Filters(organizations=("CECEP", "SASAC")), ["a1", "a2", "c1"]),
        (Filters(organizations=("Nobody",)), []),
        (Filters(date_from=dt.date(2022, 1, 1)), ["b1", "b2", "d1"]),
        (Filters(date_to=dt.date(2023, 7, 15)), ["a1", "a2", "b1", "b2"]),
        (Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 3, 1)), ["a1", "a2"]),
        (Filters(undated=True), ["c1"]),
        (Filters(undated=True, organizations=("CECEP",)), []),
        (Filters(pillars=("G",)), ["b2", "c1"]),
        (Filters(pillars=("E", "G")), ["a1", "b1", "b2", "c1", "d1"]),
        (Filters(themes=("energy",)), ["b1"]),
        (Filters(themes=("climate",)), ["a1", "b1", "d1"]),
        (Filters(themes=("rural", "esg")), ["b2", "c1"]),
        (Filters(kinds=("practice",)), ["a2", "b2"]),
        (Filters(year_from=2026), ["b1", "d1"]),
        (Filters(year_to=2029), ["a1", "d1"]),
        (Filters(year_from=2031, year_to=2059), []),  # 2030 and 2060 named, nothing between
        (Filters(year_from=2050, year_to=2070), ["b1"]),
        (Filters(languages=("zh",)), ["b1", "b2", "d1"]),
        (Filters(speakers=("Song Xin", "刘国跃")), ["a1", "b2"]),
        (Filters(min_confidence=0.75), ["a1", "b1", "d1"]),
        (Filters(organizations=("State Grid",), kinds=("target",)), ["b1"]),
    ],
)
def test_each_filter_keeps_exactly_the_matching_commitments(
    frame: pd.DataFrame, filters: Filters, expected: list[str]
) -> None:
    assert ids(query.apply(frame, filters)) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("carbon", ["a1"]),
        ("CARBON", ["a1"]),
        ("carbon 2025", ["a1"]),
        ("carbon safety", []),
        ('"work safety"', ["a2"]),
        ('"safety work"', []),
        ("碳达峰", ["b1", "d1"]),  # Simplified finds the Traditional 碳達峰 too
        ("碳達峰", ["b1", "d1"]),  # and the other way round
        ("三峡", ["d1"]),
        ("song xin", ["a1"]),  # speaker
        ("plans", ["a1", "a2"]),  # release title
        ("ＥＳＧ", ["c1"]),  # full-width letters
        ("   ", ["a1", "a2", "b1", "b2", "c1", "d1"]),
    ],
)
def test_search_matches_every_term_in_english_and_chinese(
    frame: pd.DataFrame, search: str, expected: list[str]
) -> None:
    assert ids(query.apply(frame, Filters(search=search))) == expected


def test_a_date_bound_drops_undated_releases_and_no_bound_keeps_them(frame: pd.DataFrame) -> None:
    assert "c1" in ids(query.apply(frame, Filters()))
    assert "c1" not in ids(query.apply(frame, Filters(date_from=dt.date(2000, 1, 1))))


def test_review_status_applies_only_once_the_frame_has_the_column() -> None:
    plain = make_frame()
    assert len(query.apply(plain, Filters(review_statuses=("accepted",)))) == len(plain)
    reviewed = plain.assign(
        review_status=["accepted", "rejected", "accepted", "unreviewed", "accepted", "rejected"]
    )
    assert ids(query.apply(reviewed, Filters(review_statuses=("accepted",)))) == ["a1", "b1", "c1"]


def test_filtering_keeps_the_columns_and_their_order(frame: pd.DataFrame) -> None:
    out = query.apply(frame, Filters(kinds=("target",)))
    assert list(out.columns) == list(frame.columns)
    assert out["confidence"].tolist() == [0.9, 0.8, 0.75]


# ---------------------------------------------------------------- the URL round trip


def test_default_filters_make_an_empty_query_string() -> None:
    assert query.to_query(Filters()) == {}
    assert not Filters().active
    assert Filters(kinds=("target",)).active


def test_filters_become_readable_repeated_parameters() -> None:
    f = Filters(
        organizations=("CECEP", "中国宝武"),
        date_from=dt.date(2021, 1, 2),
        themes=("climate",),
        search="碳 达峰",
    )
    assert query.to_query(f) == {
        "org": ["CECEP", "中国宝武"],
        "from": ["2021-01-02"],
        "theme": ["climate"],
        "q": ["碳 达峰"],
    }


def test_from_query_ignores_malformed_values_instead_of_failing() -> None:
    f = query.from_query(
        {
            "org": "CECEP",  # one value as a plain string (how st.query_params gives it)
            "from": "yesterday",
            "to": ["2024-02-30"],
            "theme": ["climate", "not-a-theme", "climate"],
            "pillar": ["X", "E"],
            "kind": ["target", "promise"],
            "year_from": "20x0",
            "year_to": "99999",
            "lang": ["fr", "zh"],
            "min_conf": "nan",
            "q": "",
            "unrelated": "1",
        }
    )
    assert f == Filters(
        organizations=("CECEP",), themes=("climate",), pillars=("E",), kinds=("target",), languages=("zh",)
    )
    assert query.from_query({"min_conf": "7"}).min_confidence == 1.0


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda s: s != ""
)
unique = st.lists(names, max_size=3, unique=True).map(tuple)
filters_strategy = st.builds(
    Filters,
    organizations=unique,
    date_from=st.none() | st.dates(),
    date_to=st.none() | st.dates(),
    undated=st.booleans(),
    pillars=st.lists(st.sampled_from(list(PILLARS)), unique=True).map(tuple),
    themes=st.lists(st.sampled_from(list(lexicon.THEME_IDS)), max_size=4, unique=True).map(tuple),
    kinds=st.lists(st.sampled_from(list(KINDS)), unique=True).map(tuple),
    year_from=st.none() | st.integers(1000, 9999),
    year_to=st.none() | st.integers(1000, 9999),
    languages=st.lists(st.sampled_from(list(lexicon.LANGUAGES)), unique=True).map(tuple),
    speakers=unique,
    search=st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    min_confidence=st.floats(0.0, 1.0, allow_nan=False),
    review_statuses=unique,
)


@given(filters_strategy)
def test_every_filter_set_survives_the_url_round_trip(filters: Filters) -> None:
    params = query.to_query(filters)
    assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in params.values())
    assert query.from_query(params) == filters


@given(filters_strategy)
def test_the_round_trip_also_holds_when_single_values_come_as_strings(filters: Filters) -> None:
    # st.query_params hands back a one-element list as a plain string.
    params = {k: v[0] if len(v) == 1 else v for k, v in query.to_query(filters).items()}
    assert query.from_query(params) == filters


# ---------------------------------------------------------------- aggregations


def test_theme_kind_counts_count_a_commitment_once_per_theme(frame: pd.DataFrame) -> None:
    counts = query.theme_kind_counts(frame)
    as_dict = {(t, k): n for t, k, n in counts.itertuples(index=False)}
    assert as_dict[("climate", "target")] == 3
    assert as_dict[("energy", "target")] == 1
    assert as_dict[("health_safety", "practice")] == 1
    assert counts["theme"].iloc[0] == "climate"  # largest theme first
    assert int(counts["count"].sum()) == sum(len(t.split(";")) for t in ROWS_THEMES)


ROWS_THEMES = [r[9] for r in ROWS]


def test_pillar_counts_list_every_pillar_even_at_zero(frame: pd.DataFrame) -> None:
    assert query.pillar_counts(frame).to_dict("list") == {"pillar": ["E", "S", "G"], "count": [3, 2, 2]}
    empty = query.pillar_counts(query.apply(frame, Filters(organizations=("Nobody",))))
    assert empty["count"].tolist() == [0, 0, 0]


def test_organization_theme_counts_keep_the_top_organisations(frame: pd.DataFrame) -> None:
    counts = query.organization_theme_counts(frame, top=2)
    assert list(dict.fromkeys(counts["organization"])) == ["CECEP", "State Grid"]
    row = counts[(counts["organization"] == "State Grid") & (counts["theme"] == "climate")]
    assert row["count"].tolist() == [1]


def test_monthly_counts_skip_undated_commitments(frame: pd.DataFrame) -> None:
    counts = query.monthly_pillar_counts(frame)
    assert counts["month"].min() == pd.Timestamp("2021-03-01")
    assert int(counts["count"].sum()) == 6  # b2 counts for S and G, c1 has no date
    assert set(counts["pillar"]) == {"E", "S", "G"}


def test_theme_counts_over_time_pick_a_bucket_by_span_and_fill_quiet_periods(frame: pd.DataFrame) -> None:
    assert query.auto_freq(frame) == "M"  # under three years
    yearly = query.theme_counts_over_time(frame, "Y")
    assert yearly[yearly["theme"] == "climate"][["period", "count"]].values.tolist() == [
        [pd.Timestamp("2021-01-01"), 1],
        [pd.Timestamp("2022-01-01"), 0],
        [pd.Timestamp("2023-01-01"), 1],
        [pd.Timestamp("2024-01-01"), 1],
    ]
    monthly = query.theme_counts_over_time(frame, "M")
    assert len(set(monthly["period"])) == 35  # March 2021 to January 2024
    assert int(monthly["count"].sum()) == int(yearly["count"].sum())


def test_roadmap_has_one_row_per_target_year(frame: pd.DataFrame) -> None:
    rows = query.roadmap(frame)
    assert sorted(zip(rows["id"], rows["target_year"], strict=True)) == [
        ("a1", 2025),
        ("b1", 2030),
        ("b1", 2060),
        ("d1", 2028),
    ]
    assert rows.loc[rows["target_year"] == 2060, "target_day"].tolist() == [pd.Timestamp("2060-01-01")]


UNDATED_TARGET = ("e1", "e.txt", "", "Undated plan", "CECEP", "", "CECEP will be carbon neutral by 2050.",
                  "target", "E", "climate", "2050", 0.9, "en", 0, 30)  # fmt: skip


def test_an_undated_commitment_stays_on_the_roadmap_without_a_start() -> None:
    rows = query.roadmap(query.prepare(make_frame([*ROWS, UNDATED_TARGET])))
    undated = rows[rows["id"] == "e1"]
    assert undated["target_year"].tolist() == [2050]
    assert undated["release_day"].isna().all()
    assert len(rows) == 5  # the four dated target years too


def test_undated_commitments_are_counted_and_reachable_by_a_filter(frame: pd.DataFrame) -> None:
    assert query.undated_count(frame) == 1
    assert query.undated_count(query.apply(frame, Filters(kinds=("target",)))) == 0
    assert query.to_query(Filters(undated=True)) == {"date": ["none"]}
    assert query.from_query({"date": "none"}) == Filters(undated=True)
    assert "release date: none" in query.describe(Filters(undated=True))
    releases = pd.DataFrame(
        {
            "source_file": ["a.txt", "c.txt"],
            "release_day": pd.to_datetime(["2021-03-01", None]),
            "language": ["en", "en"],
            "organization": ["CECEP", "SASAC"],
            "release_title": ["CECEP plans", "Undated note"],
        }
    )
    view = query.apply(frame, Filters(undated=True))
    assert query.filter_releases(releases, view, Filters(undated=True))["source_file"].tolist() == ["c.txt"]


def test_themes_over_time_can_keep_only_the_top_themes_of_the_view(frame: pd.DataFrame) -> None:
    top = query.theme_counts_over_time(frame, "Y", top=2)
    assert set(top["theme"]) == {"climate", "energy"}  # climate 3; then the first of the ties, in theme order
    assert query.top_themes(query.theme_counts_over_time(frame, "Y"), 1) == ["climate"]


def test_timeline_points_are_the_newest_dated_commitments(frame: pd.DataFrame) -> None:
    points = query.timeline_points(frame, limit=3)
    assert points["id"].tolist() == ["d1", "b1", "b2"]
    assert points["theme"].tolist() == ["climate", "climate", "rural"]


def test_headline_figures(frame: pd.DataFrame) -> None:
    releases = pd.DataFrame({"source_file": ["a.txt", "b.txt", "c.txt", "d.txt"]})
    h = query.headline(frame, releases)
    assert h == {
        "releases": 4,
        "commitments": 6,
        "organizations": 4,
        "with_target_year": 3,
        "target_share": 0.5,
        "nearest_year": 2025,
        "farthest_year": 2060,
    }
    assert query.headline(frame.iloc[0:0], releases.iloc[0:0])["nearest_year"] is None


def test_releases_in_view_follow_the_commitment_filters(frame: pd.DataFrame) -> None:
    releases = pd.DataFrame(
        {
            "source_file": ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"],
            "release_title": [
                "CECEP plans",
                "国家电网 通知",
                "Undated note",
                "碳達峰 news",
                "CECEP annual report",
            ],
            "organization": ["CECEP", "State Grid", "SASAC", "China Three Gorges", "CECEP"],
            "language": ["en", "zh", "en", "zh", "en"],
            "release_day": pd.to_datetime(["2021-03-01", "2023-07-15", None, "2024-01-10", "2022-01-01"]),
        }
    )
    every = query.filter_releases(releases, frame, Filters())
    assert every["matching"].tolist() == [2, 2, 1, 1, 0]
    f = Filters(kinds=("target",))
    assert query.filter_releases(releases, query.apply(frame, f), f)["source_file"].tolist() == [
        "a.txt", "b.txt", "d.txt",
    ]  # fmt: skip
    # Organisation alone also keeps the organisation's releases that hold no commitment.
    f = Filters(organizations=("CECEP",))
    assert query.filter_releases(releases, query.apply(frame, f), f)["source_file"].tolist() == [
        "a.txt",
        "e.txt",
    ]
    f = Filters(languages=("zh",), date_from=dt.date(2024, 1, 1))
    assert query.filter_releases(releases, query.apply(frame, f), f)["source_file"].tolist() == ["d.txt"]


def test_aggregations_of_an_empty_view_are_empty_not_errors(frame: pd.DataFrame) -> None:
    empty = query.apply(frame, Filters(organizations=("Nobody",)))
    assert query.theme_kind_counts(empty).empty
    assert query.organization_theme_counts(empty).empty
    assert query.monthly_pillar_counts(empty).empty
    assert query.theme_counts_over_time(empty).empty
    assert query.roadmap(empty).empty
    assert query.timeline_points(empty).empty


# ---------------------------------------------------------------- passages and evidence


def test_paragraph_bounds_find_the_blank_line_paragraph() -> None:
    body = "First para.\n\nSecond para has it here.\n\nThird."
    start = body.index("has it")
    lo, hi = query.paragraph_bounds(body, start, start + 6)
    assert body[lo:hi] == "Second para has it here."
    assert query.paragraph_bounds(body, 0, 5) == (0, len("First para."))
    assert query.paragraph_bounds(body, 10_000, 10_005) == (len(body) - len("Third."), len(body))


def test_theme_evidence_survives_empty_and_broken_cells() -> None:
    cell = json.dumps([{"theme": "climate", "words": "碳达峰", "start": 3, "end": 6}], ensure_ascii=False)
    assert query.theme_evidence(cell) == [{"theme": "climate", "words": "碳达峰", "start": 3, "end": 6}]
    assert query.theme_evidence("") == []
    assert query.theme_evidence("{not json") == []
    assert query.theme_evidence('{"theme": "x"}') == []


# ---------------------------------------------------------------- loaders and exports against a real store


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    ingest.load_seeds(engine, users.operator())
    return engine


def test_load_commitments_equals_the_store_frame_without_evidence(seeded: Engine) -> None:
    loaded = query.load_commitments(seeded)
    expected = query.prepare(store.commitments_frame(seeded))
    assert len(loaded) > 0
    assert set(loaded[query.REVIEW_COLUMN]) == {"unreviewed"}
    pd.testing.assert_frame_equal(loaded.drop(columns=list(query.REVIEW_COLUMNS)), expected)


def test_load_releases_equals_the_store_frame_on_its_columns(seeded: Engine) -> None:
    loaded = query.load_releases(seeded)
    pd.testing.assert_frame_equal(loaded, store.releases_frame(seeded)[list(loaded.columns)])


def test_loaders_on_an_empty_store_give_typed_empty_frames(engine: Engine) -> None:
    frame = query.load_commitments(engine)
    assert frame.empty and "release_day" in frame.columns
    assert query.apply(frame, Filters(search="x", themes=("climate",))).empty
    releases = query.load_releases(engine)
    assert releases.empty and str(releases["release_day"].dtype) == "datetime64[us]"


def _reviewer(engine: Engine) -> users.User:
    users.add_user(engine, users.operator(), "rita", "a long enough password", "reviewer")
    return users.authenticate(engine, "rita", "a long enough password")


def test_the_frame_shows_reviewed_values_and_the_review_status(seeded: Engine) -> None:
    first = store.commitment_rows(seeded)[0]
    review.review(
        seeded, _reviewer(seeded), first["id"], status="accepted", expected_version=0, themes=["water"]
    )
    frame = query.load_commitments(seeded)
    row = frame[frame["id"] == first["id"]].iloc[0]
    assert row["themes"] == "water" and row["pillars"] == "E" and row[query.REVIEW_COLUMN] == "corrected"
    assert ids(query.apply(frame, Filters(review_statuses=("corrected",)))) == [first["id"]]
    assert first["id"] in ids(query.apply(frame, Filters(themes=("water",))))


# ---------------------------------------------------------------- download names


def test_download_name_says_what_was_filtered_and_when() -> None:
    today = dt.date(2024, 5, 1)
    assert query.download_name(Filters(), today) == "commitments_all_2024-05-01.csv"
    assert query.download_name(Filters(), today, "releases") == "releases_all_2024-05-01.csv"
    name = query.download_name(Filters(organizations=("CECEP", "SASAC"), themes=("climate",)), today)
    assert name == "commitments_org-CECEP+SASAC_theme-climate_2024-05-01.csv"
    dated = query.download_name(Filters(date_from=dt.date(2021, 1, 1), kinds=("target",)), today)
    assert dated == "commitments_from-2021-01-01_kind-target_2024-05-01.csv"


def test_download_name_is_a_safe_file_name_even_for_hostile_filters() -> None:
    name = query.download_name(
        Filters(organizations=("../../etc/passwd", 'a"b<c>'), search="x/y\\z"), dt.date(2024, 5, 1)
    )
    assert "/" not in name and "\\" not in name and '"' not in name and "<" not in name
    assert name.startswith("commitments_org-") and name.endswith("_2024-05-01.csv")
    chinese = query.download_name(Filters(organizations=("中国宝武",)), dt.date(2024, 5, 1))
    assert chinese == "commitments_org-中国宝武_2024-05-01.csv"
    long = query.download_name(
        Filters(speakers=tuple(f"Speaker number {i}" for i in range(30))), dt.date(2024, 5, 1)
    )
    assert len(long) < 160 and long.endswith("-etc_2024-05-01.csv")


def test_describe_names_the_active_filters_for_people() -> None:
    f = Filters(themes=("climate", "green_finance"), pillars=("E",), min_confidence=0.5)
    assert query.describe(f) == [
        "pillar: Environmental",
        "theme: Climate, Green finance",
        "confidence ≥ 0.50",
    ]
    assert query.describe(Filters()) == []


# ---------------------------------------------------------------- the typed date range


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", (None, None, False)),
        ("2021-01-01 to 2022-12-31", (dt.date(2021, 1, 1), dt.date(2022, 12, 31), False)),
        ("2021-01-01 – 2022-12-31", (dt.date(2021, 1, 1), dt.date(2022, 12, 31), False)),
        ("2021/1/1..2022/2/3", (dt.date(2021, 1, 1), dt.date(2022, 2, 3), False)),
        ("2023", (dt.date(2023, 1, 1), dt.date(2023, 12, 31), False)),
        ("2024-02", (dt.date(2024, 2, 1), dt.date(2024, 2, 29), False)),
        ("2023-03 to 2023-06", (dt.date(2023, 3, 1), dt.date(2023, 6, 30), False)),
        ("from 2022-05-01", (dt.date(2022, 5, 1), None, False)),
        ("to 2022", (None, dt.date(2022, 12, 31), False)),
        ("2022-12-31 to 2021-01-01", (dt.date(2021, 1, 1), dt.date(2022, 12, 31), False)),
        ("none", (None, None, True)),
    ],
)
def test_a_typed_date_range_is_read(typed: str, expected: tuple[object, ...]) -> None:
    assert query.parse_date_range(typed) == expected


@pytest.mark.parametrize("typed", ["yesterday", "2021-13-01", "2021-01-01 to soon", "21-1-1"])
def test_a_bad_date_range_says_what_to_write(typed: str) -> None:
    with pytest.raises(ValueError, match="2021-01-01 to 2022-12-31"):
        query.parse_date_range(typed)


@given(filters_strategy)
def test_the_date_range_text_reads_back_as_the_same_filters(filters: Filters) -> None:
    low, high, undated = query.parse_date_range(query.format_date_range(filters))
    if filters.undated:
        assert undated
    else:
        assert (low, high) == (filters.date_from, filters.date_to) or filters.date_from > filters.date_to
