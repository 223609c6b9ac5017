"""Figures built from a small frame: traces, readable labels, fixed colours, escaped hover text."""

from __future__ import annotations

import itertools
import json
import warnings

import pandas as pd
import plotly.graph_objects as go
import pytest
from coloraide import Color
from plotly.colors import sample_colorscale
from test_query import ROWS, UNDATED_TARGET, make_frame

from app import charts
from esgdata.analysis import query
from esgdata.analysis.query import Filters
from esgdata.extraction import lexicon

HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(1)>"


@pytest.fixture
def frame() -> pd.DataFrame:
    return query.prepare(make_frame())


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


def _views(color: str) -> list[Color]:
    """A colour as seen with normal vision, deuteranopia and protanopia (Machado, full severity)."""
    c = Color(color)
    return [c, c.clone().filter("deutan", method="machado"), c.clone().filter("protan", method="machado")]


def test_theme_colours_stay_apart_for_colour_blind_eyes_too() -> None:
    colors = charts.THEME_COLORS
    assert list(colors) == list(lexicon.THEME_IDS)
    seen = {t: _views(c) for t, c in [*colors.items(), ("", charts.NO_THEME_COLOR)]}
    closest = min(
        (min(a.delta_e(b, method="2000") for a, b in zip(seen[x], seen[y], strict=True)), x, y)
        for x, y in itertools.combinations(seen, 2)
    )
    assert closest[0] >= 10, closest  # Climate and Energy were once 3 apart: two near-identical greens
    white = Color("white")
    assert all(Color(c).contrast(white) >= 1.7 for c in colors.values())  # visible on the page


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


# ---------------------------------------------------------------- readable charts


def _whole_steps(axis: object) -> bool:
    return axis.tickformat == ",d" and isinstance(axis.dtick, int) and axis.dtick >= 1


def test_count_axes_step_by_whole_numbers(frame: pd.DataFrame) -> None:
    assert _whole_steps(charts.build_theme_kind_figure(frame).layout.xaxis)
    assert _whole_steps(charts.build_pillar_figure(frame).layout.xaxis)
    assert _whole_steps(charts.build_monthly_figure(frame).layout.yaxis)
    assert _whole_steps(charts.build_theme_trend_figure(frame).layout.yaxis)
    assert [charts.count_step(n) for n in (0, 1, 3, 6, 7, 12, 13, 40, 61, 250)] == [
        1,
        1,
        1,
        1,
        2,
        2,
        5,
        10,
        20,
        50,
    ]


def test_one_month_of_data_is_one_bar_in_a_readable_range_with_no_time_of_day(frame: pd.DataFrame) -> None:
    one = query.apply(frame, Filters(organizations=("CECEP",)))
    fig = charts.build_monthly_figure(one)
    assert {t.xperiod for t in fig.data} == {"M1"}
    low, high = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert low < pd.Timestamp("2021-03-01") and high > pd.Timestamp("2021-04-01")
    formats = [stop.value for stop in fig.layout.xaxis.tickformatstops]
    assert formats and not any("%H" in f or "%M" in f.replace("%m", "") for f in formats)
    for build in (charts.build_timeline_figure, charts.build_roadmap_figure, charts.build_theme_trend_figure):
        assert build(frame).layout.xaxis.tickformatstops == fig.layout.xaxis.tickformatstops


def test_the_kind_legend_stays_when_the_filters_leave_one_kind(frame: pd.DataFrame) -> None:
    fig = charts.build_theme_kind_figure(query.apply(frame, Filters(kinds=("pledge",))))
    assert [t.name for t in fig.data] == ["pledge"]
    assert fig.layout.showlegend is True and fig.data[0].showlegend is True
    assert fig.layout.legend.title.text == "kind"


def test_the_pillar_split_says_a_commitment_can_touch_several_pillars(frame: pd.DataFrame) -> None:
    fig = charts.build_pillar_figure(frame)  # 6 commitments, 7 commitment-pillar pairs (b2 is S and G)
    subtitle = fig.layout.title.subtitle.text
    assert "6 commitments" in subtitle and "more than 100%" in subtitle
    single = charts.build_pillar_figure(query.apply(frame, Filters(organizations=("CECEP",))))
    assert "more than 100%" not in single.layout.title.subtitle.text


def _contrast(a: str, b: str) -> float:
    return float(Color(a).contrast(Color(b)))


def test_matrix_numbers_are_legible_on_every_cell_and_the_colour_bar_has_whole_ticks() -> None:
    rows = [(f"x{i}", f"{i}.txt", "2024-01-01", "t", "Org", "", "Org will act.", "pledge", "E", "climate", "",
             0.9, "en", 0, 10) for i in range(7)]  # fmt: skip
    rows += [("y1", "y.txt", "2024-01-01", "t", "Other", "", "Other will act.", "pledge", "G", "esg", "",
              0.9, "en", 0, 10)]  # fmt: skip
    (cells,) = charts.build_org_theme_figure(query.prepare(make_frame(rows))).data
    fills = sample_colorscale(
        cells.marker.colorscale and [list(s) for s in cells.marker.colorscale],
        [(v - cells.marker.cmin) / (cells.marker.cmax - cells.marker.cmin) for v in cells.marker.color],
    )
    for fill, text in zip(fills, cells.textfont.color, strict=True):
        r, g, b = (int(float(v)) for v in fill[4:-1].split(","))
        assert _contrast(f"#{r:02X}{g:02X}{b:02X}", text) >= 4.5
    ticks = list(cells.marker.colorbar.tickvals)
    assert ticks == sorted(set(ticks)) and all(isinstance(t, int) for t in ticks)
    assert ticks[0] == 1 and ticks[-1] <= 7
    assert charts.colorbar_ticks(1, 1) == [1] and charts.colorbar_ticks(1, 3) == [1, 2, 3]


def test_themes_over_time_shows_the_top_themes_of_the_view_and_says_so() -> None:
    themes = list(lexicon.THEME_IDS)
    rows = [(f"r{i}", f"{i}.txt", f"2024-0{1 + i % 3}-01", "t", "Org", "", "Org will act.", "pledge", "E",
             ";".join(themes[: 1 + i % len(themes)]), "", 0.9, "en", 0, 10) for i in range(40)]  # fmt: skip
    frame = query.prepare(make_frame(rows))
    fig = charts.build_theme_trend_figure(frame)
    assert len(fig.data) == charts.TREND_THEMES
    counts = query.theme_counts_over_time(frame)
    assert [t.customdata[0][0] for t in fig.data] == [
        t for t in lexicon.THEME_IDS if t in query.top_themes(counts, charts.TREND_THEMES)
    ]
    assert "6 most frequent of the 19 themes" in fig.layout.title.subtitle.text


def test_dragging_on_the_timeline_and_roadmap_selects_points(frame: pd.DataFrame) -> None:
    assert charts.build_timeline_figure(frame).layout.dragmode == "select"
    assert charts.build_roadmap_figure(frame).layout.dragmode == "select"


def test_the_roadmap_marks_the_target_year_of_an_undated_release_without_a_line() -> None:
    frame = query.prepare(make_frame([*ROWS, UNDATED_TARGET]))
    fig = charts.build_roadmap_figure(frame)
    ends = [t for t in fig.data if t.mode == "markers" and t.customdata is not None]
    symbols = {str(c[0]): s for t in ends for c, s in zip(t.customdata, t.marker.symbol, strict=True)}
    assert symbols["e1"] == "diamond-open" and symbols["a1"] == "diamond"
    (climate,) = [t for t in fig.data if t.mode == "lines+markers" and t.name == "Climate"]
    assert pd.Timestamp("2050-01-01") not in [pd.Timestamp(x) for x in climate.x if x is not None]
    assert any("undated release" in (t.name or "") for t in fig.data)


def test_titles_sit_in_their_own_band_above_the_legend_and_the_matrix_labels(frame: pd.DataFrame) -> None:
    for build in (charts.build_theme_kind_figure, charts.build_monthly_figure, charts.build_timeline_figure):
        layout = build(frame).layout
        assert layout.title.yref == "container" and layout.title.yanchor == "top"
        assert layout.legend.y == 1.0 and layout.legend.yanchor == "top" and layout.legend.x > 1
        assert layout.margin.t >= charts.TITLE_HEIGHT
    matrix = charts.build_org_theme_figure(frame).layout
    assert matrix.xaxis.side == "top" and matrix.margin.t > charts.TITLE_HEIGHT + 60
