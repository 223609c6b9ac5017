"""Plotly figures from a (filtered) commitments frame: pure functions, no Streamlit calls.

Colours are fixed per pillar, theme and kind, the same on every chart; hover text is escaped.
"""

# Every point carries customdata naming what it stands for, so a selection can become a filter.

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from esgdata.analysis import query
from esgdata.extraction import lexicon
from esgdata.models import KINDS, PILLARS

PILLAR_COLORS: dict[str, str] = {"E": "#2E7D32", "S": "#EF8F00", "G": "#6A1B9A"}
KIND_COLORS: dict[str, str] = {"target": "#C62828", "pledge": "#1565C0", "practice": "#546E7A"}
NO_THEME = "(no theme)"
NO_THEME_COLOR = "#9E9E9E"
# One qualitative palette for the 19 themes: any two differ by a CIEDE2000 distance of 10 or
# more for normal, deuteranope and protanope eyes alike (tests/test_charts.py measures it), and
# from the grey of "(no theme)". Chosen by search over OKLCH colours visible on white.
THEME_COLORS: dict[str, str] = {
    "climate": "#369375",
    "energy": "#C68206",
    "pollution": "#8C6450",
    "water": "#2794FB",
    "circular": "#7B9F5E",
    "ecology": "#44D94E",
    "green_finance": "#417A78",
    "health_safety": "#AD5010",
    "rural": "#D8AD97",
    "community": "#882255",
    "workforce": "#9F88AD",
    "innovation": "#463FD5",
    "international": "#88BCF6",
    "customers": "#5FCCC8",
    "esg": "#332288",
    "governance": "#3D627C",
    "risk_compliance": "#6A4136",
    "party": "#892504",
    "strategy": "#0077BB",
}


def theme_label(theme: str) -> str:
    """Readable name of a theme id ("" -> "(no theme)")."""
    return query.theme_labels().get(theme, theme) if theme else NO_THEME


def theme_color(theme: str) -> str:
    """The theme's colour on every chart."""
    return THEME_COLORS.get(theme, NO_THEME_COLOR)


def pillar_label(pillar: str) -> str:
    """E -> "Environmental"."""
    return PILLARS.get(pillar, pillar)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken at spaces (textwrap is too slow for thousands)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while len(word) > width:  # Chinese has no spaces: cut long runs
            room = width - len(line) - (1 if line else 0)
            if room <= 0:
                lines.append(line)
                line, room = "", width
            piece, word = word[:room], word[room:]
            line = f"{line} {piece}" if line else piece
        if len(line) + len(word) + (1 if line else 0) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [ln for ln in lines if ln]


def hover_text(text: str, width: int = 70, limit: int = 320) -> str:
    """Untrusted text made safe for a plotly hover label: escaped, shortened, wrapped."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    cjk = text.count(" ") < len(text) / 25  # Chinese runs without spaces: wrap by characters
    lines = _wrap(text, width // 2 if cjk else width) or [""]
    return "<br>".join(html.escape(line) for line in lines)


def _objects(values: Iterable[object]) -> np.ndarray:
    """An object array: plotly validates numpy arrays in bulk, lists item by item (10x slower)."""
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _groups(
    frame: pd.DataFrame, by: str, order: Iterable[str], columns: list[str]
) -> Iterator[tuple[str, dict[str, np.ndarray]]]:
    """(key, {column: values}) for each key of ``order`` present in ``frame[by]``, as numpy slices.

    The columns become numpy once; a boolean filter of the frame per key costs far more.
    """
    keys = frame[by].to_numpy(dtype=object)
    arrays = {c: frame[c].to_numpy() for c in columns}
    for key in order:
        idx = np.flatnonzero(keys == key)
        if len(idx):
            yield key, {c: a[idx] for c, a in arrays.items()}


def _table(rows: Iterable[list[object]]) -> np.ndarray:
    """A 2-D object array for customdata (one row per point)."""
    return np.array(list(rows), dtype=object)


TITLE_HEIGHT = 44  # pixels above the plot for the title; the legend starts below them
SUBTITLE_CHARS = 52  # a subtitle line fits the narrowest chart (a third of a 1400 px page)


def _legend(title: str) -> dict[str, object]:
    """The legend at the right of the plot, starting at its top edge: never over the title."""
    return {"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02, "title": {"text": title}}


def _layout(
    fig: go.Figure, *, title: str, height: int, subtitle: str = "", top: int = 0, **extra: object
) -> go.Figure:
    """Title at the top left in its own band (``top`` more pixels for labels above the plot)."""
    extra.setdefault("legend", _legend(""))
    lines = _wrap(subtitle, SUBTITLE_CHARS) if subtitle else []
    subtitle = "<br>".join(html.escape(line) for line in lines)
    band = TITLE_HEIGHT + 17 * len(lines) + (6 if lines else 0)
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 12, "l": 10},
            **({"subtitle": {"text": subtitle, "font": {"size": 12}}} if subtitle else {}),
        },
        height=height + band - TITLE_HEIGHT + top,
        margin={"l": 10, "r": 10, "t": band + top, "b": 10},
        hoverlabel={"align": "left"},
        **extra,
    )
    return fig


def count_step(most: int) -> int:
    """A whole-number tick step for a count axis up to ``most``: 1, 2, 5, 10, 20, 50… (about 6 ticks)."""
    raw = max(most, 1) / 6
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    return max(1, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _count_axis(most: int) -> dict[str, object]:
    """A count axis: whole numbers only, from zero."""
    return {"tickformat": ",d", "tick0": 0, "dtick": count_step(most), "rangemode": "tozero"}


# Date ticks never show a time of day: days, months or years by the zoom level.
DATE_TICKS: list[dict[str, object]] = [
    {"dtickrange": [None, "M1"], "value": "%Y-%m-%d"},
    {"dtickrange": ["M1", "M12"], "value": "%b %Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
]


def _date_axis(**extra: object) -> dict[str, object]:
    return {"type": "date", "tickformatstops": DATE_TICKS, **extra}


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title=title, height=220)


# ---------------------------------------------------------------- overview


def build_theme_kind_figure(df: pd.DataFrame) -> go.Figure:
    """Commitments by theme (readable names, largest on top), stacked and coloured by kind."""
    return theme_kind_figure(query.theme_kind_counts(df))


def theme_kind_figure(counts: pd.DataFrame) -> go.Figure:
    """The theme x kind figure from query.theme_kind_counts."""
    title = "Commitments by theme and kind"
    if counts.empty:
        return _empty(title, "No commitment with a theme matches these filters.")
    order = list(dict.fromkeys(counts["theme"]))
    fig = go.Figure()
    for kind in KINDS:
        part = counts[counts["kind"] == kind]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                name=kind,
                orientation="h",
                x=part["count"].to_numpy(),
                y=_objects(theme_label(t) for t in part["theme"]),
                customdata=_table([t, kind] for t in part["theme"]),
                marker_color=KIND_COLORS[kind],
                hovertemplate="%{y}<br>" + kind + ": %{x}<extra></extra>",
                showlegend=True,  # a lone kind still says what its colour means
            )
        )
    fig.update_yaxes(categoryorder="array", categoryarray=[theme_label(t) for t in reversed(order)])
    most = int(counts.groupby("theme")["count"].sum().max())
    fig.update_xaxes(title_text="commitments (one per theme it touches)", **_count_axis(most))
    return _layout(
        fig,
        title=title,
        height=120 + 24 * len(order),
        barmode="stack",
        showlegend=True,
        legend=_legend("kind"),
    )


def build_pillar_figure(df: pd.DataFrame) -> go.Figure:
    """How many commitments touch each pillar (a commitment may touch several)."""
    return pillar_figure(query.pillar_counts(df), len(df))


def pillar_note(counts: pd.DataFrame, total: int) -> str:
    """What the pillar shares are shares of, and why they may add up to more than 100%."""
    note = f"Share of the {total:,} commitments that touch each pillar"
    if int(counts["count"].sum()) > total:
        note += "; one commitment can touch several, so the shares add up to more than 100%"
    return note + "."


def pillar_figure(counts: pd.DataFrame, total: int) -> go.Figure:
    """The pillar split from query.pillar_counts; ``total`` commitments give the shares."""
    title = "Pillar split"
    if int(counts["count"].sum()) == 0:
        return _empty(title, "No commitment with a pillar matches these filters.")
    note = pillar_note(counts, total)
    total = total or 1
    fig = go.Figure(
        go.Bar(
            orientation="h",
            x=counts["count"].to_numpy(),
            y=_objects(f"{pillar_label(p)} ({p})" for p in counts["pillar"]),
            customdata=_table([p] for p in counts["pillar"]),
            marker_color=[PILLAR_COLORS[p] for p in counts["pillar"]],
            text=[f"{n} ({n / total:.0%})" for n in counts["count"]],
            textposition="auto",
            hovertemplate="%{y}: %{x} of " + f"{total:,}" + " commitments<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="commitments touching the pillar", **_count_axis(int(counts["count"].max())))
    return _layout(fig, title=title, subtitle=note, height=240)


def build_org_theme_figure(df: pd.DataFrame, top: int = 25) -> go.Figure:
    """Organisation x theme matrix of counts, drawn as square markers so a cell can be selected."""
    return org_theme_figure(query.organization_theme_counts(df, top=top))


def org_theme_figure(counts: pd.DataFrame) -> go.Figure:
    """The organisation x theme matrix from query.organization_theme_counts."""
    title = "Organisations and their themes"
    if counts.empty:
        return _empty(title, "No organisation with themed commitments matches these filters.")
    orgs = list(dict.fromkeys(counts["organization"]))
    themes = [t for t in lexicon.THEME_IDS if t in set(counts["theme"])]
    values = counts["count"].to_numpy()
    low, high = int(values.min()), int(values.max())
    fig = go.Figure(
        go.Scatter(
            x=_objects(theme_label(t) for t in counts["theme"]),
            y=counts["organization"].to_numpy(dtype=object),
            mode="markers+text",
            text=counts["count"].astype(str).to_numpy(dtype=object),
            textfont={"size": 12, "color": cell_text_colors(values, low, high)},
            customdata=counts[["organization", "theme"]].to_numpy(dtype=object),
            marker={
                "symbol": "square",
                "size": 26,
                "color": values,
                "colorscale": CELL_SCALE,
                "cmin": low,
                "cmax": max(high, low + 1),
                "showscale": True,
                "colorbar": {
                    "title": {"text": "commitments"},
                    "thickness": 12,
                    "tickmode": "array",
                    "tickvals": colorbar_ticks(low, high),
                    "tickformat": "d",
                },
                "line": {"width": 0},
            },
            hovertext=_objects(
                f"{html.escape(o)}<br>{theme_label(t)}: {n}"
                for o, t, n in zip(counts["organization"], counts["theme"], counts["count"], strict=True)
            ),
            hoverinfo="text",
            showlegend=False,
        )
    )
    names = [theme_label(t) for t in themes]
    # The theme names stand above the matrix, slanted; the title's band grows by their height.
    label_height = math.ceil(max(len(n) for n in names) * LABEL_CHAR_PX * math.sin(math.radians(45))) + 14
    fig.update_xaxes(categoryorder="array", categoryarray=names, tickangle=-45, side="top", automargin=False)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(orgs)))
    return _layout(fig, title=title, height=120 + 30 * len(orgs), top=label_height)


# Light to dark blue, light enough at 1 that a cell stands out from the white page.
CELL_SCALE: list[list[object]] = [[0.0, "#C6DBEF"], [0.5, "#4292C6"], [1.0, "#08306B"]]
LABEL_CHAR_PX = 6.5  # width of a character of a 12 px axis label (a generous average)


def cell_text_colors(values: np.ndarray, low: int, high: int) -> list[str]:
    """Black or white per matrix cell, whichever contrasts more with the cell's colour."""
    span = max(high - low, 1)
    fills = sample_colorscale(CELL_SCALE, [(int(v) - low) / span for v in values], colortype="tuple")
    out = []
    for fill in fills:
        r, g, b = (c / 255 if c > 1 else c for c in fill)
        lum = 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)
        out.append("#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF")
    return out


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def colorbar_ticks(low: int, high: int) -> list[int]:
    """Whole, distinct colour-bar ticks from ``low`` to ``high``."""
    step = count_step(high - low) if high > low else 1
    return list(range(low, high + 1, step))


def build_monthly_figure(df: pd.DataFrame) -> go.Figure:
    """Commitments per release month, stacked by pillar."""
    return monthly_figure(query.monthly_pillar_counts(df))


def monthly_figure(counts: pd.DataFrame) -> go.Figure:
    """Commitments per month by pillar from query.monthly_pillar_counts."""
    title = "Commitments per month by pillar"
    if counts.empty:
        return _empty(title, "No dated commitment matches these filters.")
    fig = go.Figure()
    for pillar in PILLARS:
        part = counts[counts["pillar"] == pillar]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                name=pillar_label(pillar),
                x=part["month"].to_numpy(),
                y=part["count"].to_numpy(),
                customdata=_table([pillar, m.strftime("%Y-%m-%d")] for m in part["month"]),
                marker_color=PILLAR_COLORS[pillar],
                hovertemplate="%{x|%b %Y}<br>" + pillar_label(pillar) + ": %{y}<extra></extra>",
                xperiod="M1",
                xperiodalignment="middle",  # a bar spans its month, even when it is the only one
                showlegend=True,
            )
        )
    first, last = counts["month"].min(), counts["month"].max()
    fig.update_xaxes(
        title_text="release month",
        # A month either side: one month of data is one bar in a readable range, not a full-width block.
        range=[first - pd.DateOffset(months=1), last + pd.DateOffset(months=2)],
        **_date_axis(),
    )
    most = int(counts.groupby("month")["count"].sum().max())
    fig.update_yaxes(title_text="commitments (per pillar)", **_count_axis(most))
    return _layout(fig, title=title, height=360, barmode="stack", showlegend=True, legend=_legend("pillar"))


# ---------------------------------------------------------------- timeline


def _hovers(frame: pd.DataFrame) -> list[str]:
    """Hover labels for commitments: who, when, kind, themes, then the escaped text."""
    out = []
    for org, speaker, day, kind, themes, text in zip(
        frame["organization"],
        frame["speaker"],
        frame["release_day"],
        frame["kind"],
        frame["themes"],
        frame["text"],
        strict=True,
    ):
        who = html.escape(str(org) or "(unknown organisation)")
        if speaker:
            who += f" — {html.escape(str(speaker))}"
        names = ", ".join(theme_label(t) for t in str(themes).split(";") if t) or NO_THEME
        when = f"{day:%Y-%m-%d}" if pd.notna(day) else "undated release"
        out.append(f"<b>{who}</b><br>{when} · {html.escape(str(kind))} · {names}<br>{hover_text(str(text))}")
    return out


def lanes(organizations: pd.Series, days: pd.Series, order: list[str]) -> list[float]:
    """A y per row: one lane per organisation (the first on top); rows of one day spread inside it."""
    lane = {o: len(order) - 1 - i for i, o in enumerate(order)}
    frame = pd.DataFrame({"org": organizations.to_numpy(), "day": days.to_numpy()})
    groups = frame.groupby(["org", "day"], sort=False, dropna=False)
    rank, size = groups.cumcount(), groups["org"].transform("size")
    return [lane[o] + 0.7 * (k + 0.5) / n - 0.35 for o, k, n in zip(frame["org"], rank, size, strict=True)]


def timeline_points(df: pd.DataFrame, limit: int = 2000) -> pd.DataFrame:
    """query.timeline_points with hover labels and a y inside their organisation's lane."""
    return timeline_layout(query.timeline_points(df, limit=limit))


def timeline_layout(points: pd.DataFrame) -> pd.DataFrame:
    """Timeline points (query.timeline_points' columns) with hover labels and a y in their lane."""
    orgs = list(points["organization"].value_counts().index)
    # Commitments of one organisation on one day would hide each other: they share the lane.
    return points.assign(
        hover=_hovers(points) if len(points) else [],
        y=lanes(points["organization"], points["release_day"], orgs) if len(points) else [],
    )


def build_timeline_figure(df: pd.DataFrame, limit: int = 2000) -> go.Figure:
    """Each commitment on its release date, one row per organisation, coloured by its first theme."""
    return timeline_figure(timeline_points(df, limit), total=len(df), limit=limit)


def timeline_figure(points: pd.DataFrame, *, total: int, limit: int) -> go.Figure:
    """The timeline from timeline_points; the title says when only the newest ``limit`` are drawn."""
    title = "Commitments on their release dates"
    if points.empty:
        return _empty(title, "No dated commitment matches these filters.")
    orgs = list(points["organization"].value_counts().index)
    columns = ["release_day", "y", "id", "hover"]
    traces = [
        go.Scatter(
            name=theme_label(theme),
            x=part["release_day"],
            y=part["y"].astype(float),
            mode="markers",
            marker={"color": theme_color(theme), "size": 9, "opacity": 0.8},
            customdata=part["id"].astype(object)[:, None],
            hovertext=part["hover"].astype(object),
            hoverinfo="text",
        )
        for theme, part in _groups(points, "theme", [*lexicon.THEME_IDS, ""], columns)
    ]
    fig = go.Figure(data=traces)
    shown = f" (newest {limit:,} of {total:,})" if total > limit else ""
    fig.update_yaxes(
        tickvals=list(range(len(orgs) - 1, -1, -1)),
        ticktext=orgs,
        range=[-0.6, len(orgs) - 0.4],
        zeroline=False,
    )
    fig.update_xaxes(title_text="release date", **_date_axis())
    return _layout(
        fig,
        title=title + shown,
        height=min(200 + 34 * len(orgs), 1400),
        legend=_legend("first theme"),
        dragmode="select",  # dragging draws a box that selects points; the toolbar still zooms
    )


def roadmap_rows(df: pd.DataFrame, top: int = 25, limit: int = 2000) -> pd.DataFrame:
    """query.roadmap with hover labels and lanes."""
    return roadmap_layout(query.roadmap(df, top=top, limit=limit))


def roadmap_layout(rows: pd.DataFrame) -> pd.DataFrame:
    """Roadmap rows (query.roadmap's columns) with hover labels and a y in their organisation's lane."""
    labels = [
        f"{h}<br><b>target year {int(y)}</b>" for h, y in zip(_hovers(rows), rows["target_year"], strict=True)
    ]
    orgs = list(dict.fromkeys(rows["organization"]))
    # The lines of one organisation spread inside its lane so they do not hide each other.
    y = lanes(rows["organization"], rows["organization"], orgs) if len(rows) else []
    return rows.assign(hover=labels, y=y)


def build_roadmap_figure(df: pd.DataFrame, top: int = 25, limit: int = 2000) -> go.Figure:
    """Target roadmap: a line from each release date to each target year, grouped by organisation."""
    return roadmap_figure(roadmap_rows(df, top, limit))


def roadmap_figure(rows: pd.DataFrame) -> go.Figure:
    """The roadmap from roadmap_rows: one lane per organisation, lines to diamonds at the target years."""
    title = "Target roadmap: who committed to what by when"
    if rows.empty:
        return _empty(title, "No dated commitment with a target year matches these filters.")
    orgs = list(dict.fromkeys(rows["organization"]))
    lane = {o: len(orgs) - 1 - i for i, o in enumerate(orgs)}  # first organisation on top
    traces = []
    columns = ["release_day", "target_day", "y", "hover", "id"]
    for theme, part in _groups(rows, "theme", [*lexicon.THEME_IDS, ""], columns):
        n = len(part["y"])
        # One line per row, separated by gaps (NaT/NaN), all in one trace per theme; a row of
        # an undated release has no start, so no line: only its target year's diamond.
        xs = np.full(3 * n, np.datetime64("NaT"), dtype="datetime64[us]")
        xs[0::3] = part["release_day"].astype("datetime64[us]")
        xs[1::3] = np.where(
            np.isnat(xs[0::3]), np.datetime64("NaT"), part["target_day"].astype("datetime64[us]")
        )
        ys = np.full(3 * n, np.nan)
        ys[0::3] = ys[1::3] = part["y"].astype(float)
        undated = np.isnat(part["release_day"].astype("datetime64[us]"))
        traces.append(
            go.Scatter(
                name=theme_label(theme),
                legendgroup=theme or NO_THEME,
                x=xs,
                y=ys,
                mode="lines+markers",
                line={"color": theme_color(theme), "width": 2},
                marker={"color": theme_color(theme), "size": 5},
                hoverinfo="skip",
            )
        )
        # The hover text sits once on each target-year end (a diamond), not along the line.
        traces.append(
            go.Scatter(
                name=theme_label(theme),
                legendgroup=theme or NO_THEME,
                showlegend=False,
                x=part["target_day"],
                y=part["y"].astype(float),
                mode="markers",
                marker={
                    "color": theme_color(theme),
                    "size": 10,
                    # Hollow: the release is undated, so the line to this target year has no start.
                    "symbol": _objects("diamond-open" if u else "diamond" for u in undated),
                    "line": {"width": 2, "color": theme_color(theme)},
                },
                hovertext=part["hover"].astype(object),
                hoverinfo="text",
                customdata=part["id"].astype(object)[:, None],
            )
        )
    if rows["release_day"].isna().any():
        traces.append(
            go.Scatter(
                name="◇ target of an undated release",
                x=[None],
                y=[None],
                mode="markers",
                marker={"color": NO_THEME_COLOR, "size": 10, "symbol": "diamond-open"},
                hoverinfo="skip",
            )
        )
    fig = go.Figure(data=traces)
    fig.update_yaxes(
        tickvals=[lane[o] for o in orgs], ticktext=orgs, range=[-0.6, len(orgs) - 0.4], zeroline=False
    )
    fig.update_xaxes(title_text="from the release date to the target year", **_date_axis())
    return _layout(
        fig, title=title, height=200 + 34 * len(orgs), legend=_legend("first theme"), dragmode="select"
    )


TREND_THEMES = 6  # lines on "Themes over time": more would be a tangle nobody can follow


def build_theme_trend_figure(df: pd.DataFrame, freq: str | None = None) -> go.Figure:
    """Commitments per theme over time for the view's top themes (months, quarters or years)."""
    freq = freq or query.auto_freq(df)
    return theme_trend_figure(query.theme_counts_over_time(df, freq), freq)


def theme_trend_figure(all_counts: pd.DataFrame, freq: str, top: int = TREND_THEMES) -> go.Figure:
    """Lines for the ``top`` themes of query.theme_counts_over_time (every theme of the view)."""
    unit = {"M": "month", "Q": "quarter", "Y": "year"}.get(freq, freq)
    title = f"Themes over time (per {unit})"
    if all_counts.empty:
        return _empty(title, "No dated commitment with a theme matches these filters.")
    themes = all_counts["theme"].nunique()
    counts = all_counts[all_counts["theme"].isin(query.top_themes(all_counts, top))]
    shown = counts["theme"].nunique()
    subtitle = (
        f"The {shown} most frequent of the {themes} themes in this view; "
        "choose themes in the sidebar for others."
        if themes > shown
        else f"Every theme in this view ({shown})."
    )
    traces = [
        go.Scatter(
            name=theme_label(theme),
            x=part["period"],
            y=part["count"],
            mode="lines+markers",
            line={"color": theme_color(theme)},
            marker={"color": theme_color(theme)},
            customdata=np.full((len(part["count"]), 1), theme, dtype=object),
            hovertemplate=theme_label(theme)
            + "<br>%{x|"
            + _PERIOD_FORMAT.get(freq, "%Y-%m")
            + "}: %{y}<extra></extra>",
        )
        for theme, part in _groups(counts, "theme", lexicon.THEME_IDS, ["period", "count"])
    ]
    fig = go.Figure(data=traces)
    fig.update_yaxes(title_text="commitments", **_count_axis(int(counts["count"].max())))
    fig.update_xaxes(title_text=f"release {unit}", **_date_axis())
    return _layout(fig, title=title, subtitle=subtitle, height=420, legend=_legend("theme"), showlegend=True)


_PERIOD_FORMAT = {"M": "%b %Y", "Q": "%b %Y", "Y": "%Y"}
