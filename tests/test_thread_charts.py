"""Thread figures from small frames: statements by kind, target-year diamonds, delivery stars, escaping."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from app import charts, thread_charts

HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(1)>"


def statements(rows: list[tuple[str, str, str, str, str, str]]) -> pd.DataFrame:
    """(id, release date, kind, text, themes, target years) rows as the page hands them over."""
    frame = pd.DataFrame(rows, columns=["id", "release_date", "kind", "text", "themes", "target_years"])
    frame["release_day"] = pd.to_datetime(frame["release_date"].replace("", None), format="%Y-%m-%d")
    return frame


def deliveries(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    """(achievement id, release date, text, status, score) rows, as state.deliveries holds them."""
    return pd.DataFrame(rows, columns=["achievement_id", "release_date", "text", "status", "score"])


PEAK = statements(
    [
        ("a", "2021-03-01", "pledge", "CECEP aims to peak its carbon emissions.", "climate", ""),
        ("b", "2022-03-01", "target", "CECEP will peak its carbon emissions by 2030.", "climate", "2030"),
        ("c", "2023-03-01", "target", "中国节能将力争在2028年前实现碳达峰，2060年前实现碳中和。",
         "climate;energy", "2028;2060"),
    ]
)  # fmt: skip
DONE = deliveries(
    [
        ("x", "2029-03-01", "CECEP has achieved its carbon peak ahead of schedule.", "proposed", 1.0),
        ("y", "2029-06-01", "CECEP completed its carbon peak.", "rejected", 0.6),
    ]
)
NO_DELIVERY = deliveries([])


def trace(fig: object, name: str) -> object:
    return next(t for t in fig.data if t.name == name and t.mode != "lines")  # type: ignore[attr-defined]


def test_statements_are_points_on_their_release_dates_in_the_kind_colours() -> None:
    fig = thread_charts.build_thread_timeline_figure(PEAK, DONE)
    pledge, target = trace(fig, "pledge statement"), trace(fig, "target statement")
    assert pledge.marker.color == charts.KIND_COLORS["pledge"]
    assert target.marker.color == charts.KIND_COLORS["target"]
    assert [c[0] for c in target.customdata] == ["b", "c"]
    assert [pd.Timestamp(x) for x in target.x] == [pd.Timestamp("2022-03-01"), pd.Timestamp("2023-03-01")]
    assert list(pledge.y) == [0] and list(target.y) == [1, 2]  # one row per statement, oldest on top
    assert "statement #3 · 2023-03-01 · target" in target.hovertext[1]
    assert "target years 2028, 2060" in target.hovertext[1]


def test_target_years_are_diamonds_on_the_first_of_january_in_the_thread_theme_colour() -> None:
    fig = thread_charts.build_thread_timeline_figure(PEAK, NO_DELIVERY)
    lines = next(t for t in fig.data if t.name == "target year" and t.mode == "lines")
    diamonds = trace(fig, "target year")
    assert diamonds.marker.symbol == "diamond"
    assert diamonds.marker.color == lines.line.color == charts.theme_color("climate")
    assert [pd.Timestamp(x).strftime("%Y-%m-%d") for x in diamonds.x] == [
        "2030-01-01",
        "2028-01-01",
        "2060-01-01",
    ]
    assert list(diamonds.y) == [1, 2, 2]  # on the row of the statement that names them
    assert [list(c) for c in diamonds.customdata] == [["b", 2030], ["c", 2028], ["c", 2060]]
    assert list(diamonds.text) == ["2030", "2028", "2060"]
    assert "named on 2022-03-01 (statement #2)" in diamonds.hovertext[0]


def test_reported_delivery_is_a_star_per_link_coloured_by_its_status() -> None:
    fig = thread_charts.build_thread_timeline_figure(PEAK, DONE)
    proposed, rejected = trace(fig, "reported done (proposed)"), trace(fig, "reported done (rejected)")
    assert proposed.marker.symbol == "star" and rejected.marker.symbol == "star"
    assert proposed.marker.color == thread_charts.LINK_COLORS["proposed"]
    assert rejected.marker.color == thread_charts.LINK_COLORS["rejected"]
    assert [c[0] for c in proposed.customdata] == ["x"] and list(proposed.y) == [3]
    assert list(rejected.y) == [4]
    assert "score 0.60" in rejected.hovertext[0]
    assert list(fig.layout.yaxis.ticktext) == [
        "#1 · 2021-03-01",
        "#2 · 2022-03-01",
        "#3 · 2023-03-01",
        "done · 2029-03-01",
        "done · 2029-06-01",
    ]


def test_undated_statements_and_deliveries_are_left_off_but_keep_their_numbers() -> None:
    rows = statements(
        [
            ("a", "", "target", "CECEP will peak carbon emissions by 2030.", "climate", "2030"),
            ("b", "2023-03-01", "target", "CECEP will peak carbon emissions by 2028.", "climate", "2028"),
        ]
    )
    fig = thread_charts.build_thread_timeline_figure(rows, deliveries([("x", "", "done", "proposed", 1.0)]))
    assert [c[0] for c in trace(fig, "target statement").customdata] == ["b"]
    assert list(fig.layout.yaxis.ticktext) == ["#2 · 2023-03-01"]
    assert not [t for t in fig.data if str(t.name).startswith("reported done")]


def test_a_thread_without_dated_statements_says_so() -> None:
    rows = statements([("a", "", "target", "CECEP will peak carbon emissions.", "climate", "")])
    fig = thread_charts.build_thread_timeline_figure(rows, NO_DELIVERY)
    assert not fig.data
    assert "No dated statement" in fig.layout.annotations[0].text


def test_release_text_in_hover_labels_and_titles_is_escaped() -> None:
    rows = statements([("a", "2021-03-01", "target", f"Evil will peak by 2030 {HOSTILE}", "", "2030")])
    links = deliveries([("x", "2024-01-01", f"Evil has achieved it {HOSTILE}", "proposed", 1.0)])
    fig = thread_charts.build_thread_timeline_figure(rows, links, title=f"{HOSTILE} · carbon peak")
    spec = fig.to_json()
    assert "<script" not in spec and "<img" not in spec
    assert fig.layout.title.text.startswith("&lt;script&gt;")
    assert "&lt;script&gt;" in trace(fig, "target statement").hovertext[0]
    # A statement without a theme draws its target years in the "no theme" grey.
    assert trace(fig, "target year").marker.color == charts.NO_THEME_COLOR


def test_the_main_theme_is_the_one_most_statements_name_first() -> None:
    assert thread_charts.main_theme(PEAK) == "climate"
    assert thread_charts.main_theme(PEAK.assign(themes="")) == ""


def test_status_figure_stacks_threads_per_organisation_by_delivery_status() -> None:
    frame = pd.DataFrame(
        {
            "organization": ["CECEP", "CECEP", "CECEP", "SPIC", HOSTILE],
            "delivery_status": ["promised", "reported done", "reported done", "repeated", "promised"],
        }
    )
    fig = thread_charts.build_thread_status_figure(frame)
    assert [t.name for t in fig.data] == ["promised", "repeated", "reported done"]
    for t in fig.data:
        assert t.marker.color == thread_charts.THREAD_STATUS_COLORS[t.name]
    done = fig.data[2]
    assert list(done.x) == [2] and [list(c) for c in done.customdata] == [["CECEP", "reported done"]]
    assert list(fig.layout.yaxis.categoryarray)[-1] == "CECEP"  # most threads on top
    spec = fig.to_json()
    assert "<script" not in spec and "&lt;script&gt;" in spec
    assert [list(c) for c in fig.data[0].customdata][-1] == ["CECEP", "promised"]


def test_status_figure_keeps_the_organisations_with_most_threads() -> None:
    frame = pd.DataFrame(
        {
            "organization": ["A", "A", "B", "C"],
            "delivery_status": ["promised", "repeated", "promised", "promised"],
        }
    )
    fig = thread_charts.build_thread_status_figure(frame, top=2)
    assert set(fig.layout.yaxis.categoryarray) == {"A", "B"}
    assert "the 2 organisations with most" in fig.layout.title.text
    empty = thread_charts.build_thread_status_figure(frame.iloc[:0])
    assert not empty.data and "No thread matches" in empty.layout.annotations[0].text


def test_figures_raise_no_warnings_and_serialise() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fig in (
            thread_charts.build_thread_timeline_figure(PEAK, DONE),
            thread_charts.build_thread_status_figure(
                pd.DataFrame({"organization": ["A"], "delivery_status": ["promised"]})
            ),
        ):
            assert json.loads(fig.to_json())["data"]


@pytest.mark.parametrize("kind", ["target", "pledge", "practice"])
def test_each_kind_keeps_its_colour_from_the_other_charts(kind: str) -> None:
    rows = statements([("a", "2021-03-01", kind, "CECEP will do it.", "climate", "")])
    fig = thread_charts.build_thread_timeline_figure(rows, NO_DELIVERY)
    assert trace(fig, f"{kind} statement").marker.color == charts.KIND_COLORS[kind]
