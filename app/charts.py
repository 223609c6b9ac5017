"""Plotly figures from a (filtered) commitments frame: pure functions, no Streamlit calls.

Colours are fixed per pillar, theme (in its pillar's family) and kind; hover text is escaped.
"""

# Every point carries customdata naming what it stands for, so a selection can become a filter.

from __future__ import annotations

import colorsys
import html
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from esgdata.analysis import query
from esgdata.extraction import lexicon
from esgdata.models import KINDS, PILLARS

PILLAR_COLORS: dict[str, str] = {"E": "#2E7D32", "S": "#EF8F00", "G": "#6A1B9A"}
KIND_COLORS: dict[str, str] = {"target": "#C62828", "pledge": "#1565C0", "practice": "#546E7A"}
NO_THEME = "(no theme)"
NO_THEME_COLOR = "#9E9E9E"
# Hue ranges (degrees) per pillar; themes are spread over them, lightness alternating.
_HUES: dict[str, tuple[float, float]] = {"E": (75, 190), "S": (350, 410), "G": (255, 320)}


def _theme_colors() -> dict[str, str]:
    out: dict[str, str] = {}
    for pillar, (low, high) in _HUES.items():
        ids = [t.id for t in lexicon.themes().values() if t.pillar == pillar]
        for i, tid in enumerate(ids):
            hue = (low + (high - low) * i / max(len(ids) - 1, 1)) % 360 / 360
            light = 0.34 if i % 2 == 0 else 0.48
            r, g, b = colorsys.hls_to_rgb(hue, light, 0.62)
            out[tid] = f"#{round(r * 255):02X}{round(g * 255):02X}{round(b * 255):02X}"
    return out


THEME_COLORS: dict[str, str] = _theme_colors()


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


_TOP_LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0}
_SIDE_LEGEND = {"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02}  # many themes: one per line


def _layout(fig: go.Figure, *, title: str, height: int, **extra: object) -> go.Figure:
    extra.setdefault("legend", _TOP_LEGEND)
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hoverlabel={"align": "left"},
        **extra,
    )
    return fig


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
            )
        )
    fig.update_yaxes(categoryorder="array", categoryarray=[theme_label(t) for t in reversed(order)])
    fig.update_xaxes(title_text="commitments")
    return _layout(fig, title=title, height=140 + 24 * len(order), barmode="stack")


def build_pillar_figure(df: pd.DataFrame) -> go.Figure:
    """How many commitments touch each pillar (a commitment may touch several)."""
    return pillar_figure(query.pillar_counts(df), len(df))


def pillar_figure(counts: pd.DataFrame, total: int) -> go.Figure:
    """The pillar split from query.pillar_counts; ``total`` commitments give the shares."""
    title = "Pillar split"
    if int(counts["count"].sum()) == 0:
        return _empty(title, "No commitment with a pillar matches these filters.")
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
            hovertemplate="%{y}: %{x} commitments<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="commitments")
    return _layout(fig, title=title, height=240)


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
    fig = go.Figure(
        go.Scatter(
            x=_objects(theme_label(t) for t in counts["theme"]),
            y=counts["organization"].to_numpy(dtype=object),
            mode="markers+text",
            text=counts["count"].astype(str).to_numpy(dtype=object),
            textfont={"size": 10},
            customdata=counts[["organization", "theme"]].to_numpy(dtype=object),
            marker={
                "symbol": "square",
                "size": 24,
                "color": counts["count"].to_numpy(),
                "colorscale": "YlGnBu",
                "showscale": True,
                "colorbar": {"title": {"text": "commitments"}, "thickness": 12, "tickformat": "d"},
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
    fig.update_xaxes(
        categoryorder="array",
        categoryarray=[theme_label(t) for t in themes],
        tickangle=-40,
        side="top",
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(orgs)))
    return _layout(fig, title=title, height=200 + 28 * len(orgs))


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
            )
        )
    fig.update_xaxes(title_text="release month")
    fig.update_yaxes(title_text="commitments")
    return _layout(fig, title=title, height=360, barmode="stack")


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
        out.append(
            f"<b>{who}</b><br>{day:%Y-%m-%d} · {html.escape(str(kind))} · {names}<br>{hover_text(str(text))}"
        )
    return out


def lanes(organizations: pd.Series, days: pd.Series, order: list[str]) -> list[float]:
    """A y per row: one lane per organisation (the first on top); rows of one day spread inside it."""
    lane = {o: len(order) - 1 - i for i, o in enumerate(order)}
    frame = pd.DataFrame({"org": organizations.to_numpy(), "day": days.to_numpy()})
    groups = frame.groupby(["org", "day"], sort=False, dropna=False)
    rank, size = groups.cumcount(), groups["org"].transform("size")
    return [lane[o] + 0.7 * (k + 0.5) / n - 0.35 for o, k, n in zip(frame["org"], rank, size, strict=True)]


def timeline_points(df: pd.DataFrame, limit: int = 2000) -> pd.DataFrame:
    """query.timeline_points with hover labels and a y inside their organisation's lane (worth caching)."""
    points = query.timeline_points(df, limit=limit)
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
    fig.update_xaxes(title_text="release date")
    return _layout(fig, title=title + shown, height=min(200 + 34 * len(orgs), 1400), legend=_SIDE_LEGEND)


def roadmap_rows(df: pd.DataFrame, top: int = 25, limit: int = 2000) -> pd.DataFrame:
    """query.roadmap with hover labels (worth caching)."""
    rows = query.roadmap(df, top=top, limit=limit)
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
        # One line per row, separated by gaps (NaT/NaN), all in one trace per theme.
        xs = np.full(3 * n, np.datetime64("NaT"), dtype="datetime64[us]")
        xs[0::3] = part["release_day"].astype("datetime64[us]")
        xs[1::3] = part["target_day"].astype("datetime64[us]")
        ys = np.full(3 * n, np.nan)
        ys[0::3] = ys[1::3] = part["y"].astype(float)
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
                marker={"color": theme_color(theme), "size": 10, "symbol": "diamond"},
                hovertext=part["hover"].astype(object),
                hoverinfo="text",
                customdata=part["id"].astype(object)[:, None],
            )
        )
    fig = go.Figure(data=traces)
    fig.update_yaxes(
        tickvals=[lane[o] for o in orgs], ticktext=orgs, range=[-0.6, len(orgs) - 0.4], zeroline=False
    )
    fig.update_xaxes(title_text="from the release date to the target year")
    return _layout(fig, title=title, height=200 + 34 * len(orgs), legend=_SIDE_LEGEND)


def build_theme_trend_figure(df: pd.DataFrame, freq: str | None = None) -> go.Figure:
    """Commitments per theme over time (months, quarters or years, by the span of the data)."""
    freq = freq or query.auto_freq(df)
    return theme_trend_figure(query.theme_counts_over_time(df, freq), freq)


def theme_trend_figure(counts: pd.DataFrame, freq: str) -> go.Figure:
    """Theme lines over time from query.theme_counts_over_time."""
    unit = {"M": "month", "Q": "quarter", "Y": "year"}.get(freq, freq)
    title = f"Themes over time (per {unit})"
    if counts.empty:
        return _empty(title, "No dated commitment with a theme matches these filters.")
    traces = [
        go.Scatter(
            name=theme_label(theme),
            x=part["period"],
            y=part["count"],
            mode="lines+markers",
            line={"color": theme_color(theme)},
            marker={"color": theme_color(theme)},
            customdata=np.full((len(part["count"]), 1), theme, dtype=object),
            hovertemplate=theme_label(theme) + "<br>%{x|%Y-%m}: %{y}<extra></extra>",
        )
        for theme, part in _groups(counts, "theme", lexicon.THEME_IDS, ["period", "count"])
    ]
    fig = go.Figure(data=traces)
    fig.update_yaxes(title_text="commitments", rangemode="tozero")
    return _layout(fig, title=title, height=420, legend=_SIDE_LEGEND)
