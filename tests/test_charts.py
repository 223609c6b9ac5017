"""Figures built from a small frame: traces, readable labels, fixed colours, escaped hover text."""

from __future__ import annotations

import colorsys
import json
import warnings

import pandas as pd
import plotly.graph_objects as go
import pytest
from test_query import ROWS, make_frame

from app import charts
from esgdata.analysis import query
from esgdata.analysis.query import Filters
from esgdata.extraction import lexicon

HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(1)>"


@pytest.fixture
def frame() -> pd.DataFrame:
    return query.prepare(make_frame())


def _hue(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_theme_kind_figure_has_one_trace_per_kind_with_readable_theme_names(frame: pd.DataFrame) -> None:
    fig = charts.build_theme_kind_figure(frame)
    assert [t.name for t in fig.data] == ["target", "pledge", "practice"]
    target = fig.data[0]
    assert target.marker.color == charts.KIND_COLORS["target"]
    assert list(target.y) == ["Climate", "Energy"]  # names, not ids
    assert [list(c) for c in target.customdata] == [["climate", "target"], ["energy", "target"]]
    assert list(target.x) == [3, 1]
    assert sum(sum(t.x) for t in fig.data) == sum(len(r[9].split(";")) for r in ROWS)


def test_pillar_figure_uses_the_pillar_colours(frame: pd.DataFrame) -> None:
    (bar,) = charts.build_pillar_figure(frame).data
    assert list(bar.y) == ["Environmental (E)", "Social (S)", "Governance (G)"]
    assert list(bar.marker.color) == [charts.PILLAR_COLORS[p] for p in "ESG"]
    assert list(bar.x) == [3, 2, 2]
    assert [list(c) for c in bar.customdata] == [["E"], ["S"], ["G"]]


def test_organisation_theme_matrix_cells_name_their_organisation_and_theme(frame: pd.DataFrame) -> None:
    (cells,) = charts.build_org_theme_figure(frame).data
    assert cells.marker.symbol == "square"
    pairs = {(o, t) for o, t in cells.customdata}
    assert ("State Grid", "energy") in pairs and ("CECEP", "health_safety") in pairs
    assert {"Climate", "Health and safety", "Rural revitalisation"} <= set(cells.x)
    assert "health_safety" not in set(cells.x)


def test_monthly_figure_stacks_pillars_in_their_colours(frame: pd.DataFrame) -> None:
    fig = charts.build_monthly_figure(frame)
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["Environmental", "Social", "Governance"]
    assert [t.marker.color for t in fig.data] == [charts.PILLAR_COLORS[p] for p in "ESG"]
    months = {c[1] for t in fig.data for c in t.customdata}
    assert months == {"2021-03-01", "2023-07-01", "2024-01-01"}


def test_timeline_points_are_coloured_by_theme_and_hover_the_text(frame: pd.DataFrame) -> None:
    fig = charts.build_timeline_figure(frame)
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"Climate", "Health and safety", "Rural revitalisation"}
    climate = by_name[charts.theme_label("climate")]
    assert climate.marker.color == charts.theme_color("climate")
    assert len(climate.x) == 3
    assert any("CECEP will peak carbon emissions by 2025." in h for h in climate.hovertext)


def test_roadmap_draws_a_line_from_release_date_to_each_target_year(frame: pd.DataFrame) -> None:
    fig = charts.build_roadmap_figure(frame)
    ends = [t for t in fig.data if t.mode == "markers"]
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert lines and ends
    targets = sorted(
        (str(c[0]), pd.Timestamp(x).year) for t in ends for c, x in zip(t.customdata, t.x, strict=True)
    )
    assert targets == [("a1", 2025), ("b1", 2030), ("b1", 2060), ("d1", 2028)]
    (climate,) = [t for t in lines if t.name == charts.theme_label("climate")]
    xs = [pd.Timestamp(x) for x in climate.x]
    assert pd.Timestamp("2021-03-01") in xs and pd.Timestamp("2025-01-01") in xs
    ticks = list(fig.layout.yaxis.ticktext)
    assert set(ticks) == {"CECEP", "State Grid", "China Three Gorges"}


def test_theme_trend_has_one_line_per_theme_in_its_colour(frame: pd.DataFrame) -> None:
    fig = charts.build_theme_trend_figure(frame, "Y")
    for trace in fig.data:
        theme = trace.customdata[0][0]
        assert trace.name == charts.theme_label(theme)
        assert trace.line.color == charts.theme_color(theme)


def test_a_theme_has_the_same_colour_on_every_chart(frame: pd.DataFrame) -> None:
    timeline = {t.name: t.marker.color for t in charts.build_timeline_figure(frame).data}
    trend = {t.name: t.line.color for t in charts.build_theme_trend_figure(frame).data}
    roadmap = {
        t.name: t.line.color for t in charts.build_roadmap_figure(frame).data if t.mode == "lines+markers"
    }
    for name in set(timeline) & set(trend) & set(roadmap):
        assert timeline[name] == trend[name] == roadmap[name]


def test_theme_colours_are_distinct_and_grouped_by_pillar() -> None:
    colors = charts.THEME_COLORS
    assert set(colors) == set(lexicon.THEME_IDS)
    assert len(set(colors.values())) == len(colors)
    for theme in lexicon.themes().values():
        hue = _hue(colors[theme.id])
        low, high = charts._HUES[theme.pillar]
        assert low - 1 <= hue <= high + 1 or low - 1 <= hue + 360 <= high + 1


def test_every_theme_has_a_readable_label() -> None:
    for tid in lexicon.THEME_IDS:
        assert charts.theme_label(tid) == lexicon.themes()[tid].label
        assert "_" not in charts.theme_label(tid)
    assert charts.theme_label("") == charts.NO_THEME


def test_empty_views_give_a_figure_with_a_message_not_an_error(frame: pd.DataFrame) -> None:
    empty = query.apply(frame, Filters(organizations=("Nobody",)))
    for build in (
        charts.build_theme_kind_figure,
        charts.build_pillar_figure,
        charts.build_org_theme_figure,
        charts.build_monthly_figure,
        charts.build_timeline_figure,
        charts.build_roadmap_figure,
        charts.build_theme_trend_figure,
    ):
        fig = build(empty)
        assert isinstance(fig, go.Figure)
        assert not fig.data
        assert "filters" in fig.layout.annotations[0].text


def test_hover_text_escapes_html_and_wraps_english_and_chinese() -> None:
    text = charts.hover_text(HOSTILE)
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;" in text and "&amp;" in text
    long = charts.hover_text("word " * 60, width=40)
    assert long.count("<br>") >= 5
    chinese = charts.hover_text("中国节能将力争2028年前实现碳达峰" * 6, width=40)
    assert chinese.count("<br>") >= 3 and "碳达峰" in chinese.replace("<br>", "")


def test_hostile_text_in_a_frame_is_escaped_in_every_hover(frame: pd.DataFrame) -> None:
    rows = [(*r[:4], HOSTILE, HOSTILE, HOSTILE, *r[7:]) for r in ROWS]
    hostile = query.prepare(make_frame(rows))
    for fig in (
        charts.build_timeline_figure(hostile),
        charts.build_roadmap_figure(hostile),
        charts.build_org_theme_figure(hostile),
    ):
        spec = fig.to_json()
        assert "<script>" not in spec and "<img" not in spec


def test_figures_serialise_without_warnings_even_with_missing_values(frame: pd.DataFrame) -> None:
    # pandas' nullable strings with NA broke plotly 7 colour grouping; the charts must not care.
    nullable = make_frame().astype({"speaker": "string", "organization": "string"})
    nullable.loc[0, "speaker"] = pd.NA
    nullable.loc[1, "organization"] = pd.NA
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for data in (frame, nullable):
            for build in (
                charts.build_theme_kind_figure,
                charts.build_pillar_figure,
                charts.build_org_theme_figure,
                charts.build_monthly_figure,
                charts.build_timeline_figure,
                charts.build_roadmap_figure,
                charts.build_theme_trend_figure,
            ):
                json.loads(build(data).to_json())


def test_commitments_of_one_organisation_and_day_do_not_hide_each_other(frame: pd.DataFrame) -> None:
    points = charts.timeline_points(frame)
    cecep = points[points["organization"] == "CECEP"]["y"].tolist()
    assert len(cecep) == 2 and len(set(cecep)) == 2
    lanes = {org: round(y) for org, y in zip(points["organization"], points["y"], strict=True)}
    assert len(set(lanes.values())) == len(lanes)  # one lane per organisation
    assert all(abs(y - round(y)) < 0.4 for y in points["y"])
