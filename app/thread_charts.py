"""Plotly figures of threads (one promise followed across releases): pure functions, no Streamlit calls.

Statements keep the kind colours of app/charts.py, target years the colour of the thread's
main theme; every piece of release text in a hover label or title is escaped.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.charts import KIND_COLORS, _empty, _layout, hover_text, theme_color
from esgdata.models import KINDS

# A thread's delivery status, and the status of one delivery link, each with a fixed colour.
THREAD_STATUSES: tuple[str, ...] = ("promised", "repeated", "reported done")
THREAD_STATUS_COLORS: dict[str, str] = {
    "promised": "#90A4AE",
    "repeated": "#F9A825",
    "reported done": "#2E7D32",
}
LINK_STATUSES: tuple[str, ...] = ("proposed", "confirmed", "rejected")
LINK_COLORS: dict[str, str] = {"proposed": "#9CCC65", "confirmed": "#2E7D32", "rejected": "#9E9E9E"}


def _split(cell: object) -> list[str]:
    return [v for v in str(cell or "").split(";") if v]


def main_theme(statements: pd.DataFrame) -> str:
    """The theme most of a thread's statements name first ("" when none names one)."""
    firsts = [_split(t)[0] for t in statements["themes"] if _split(t)] if len(statements) else []
    if not firsts:
        return ""
    counts = pd.Series(firsts).value_counts()
    return str(counts.index[0])


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d}" if isinstance(value, pd.Timestamp) and not pd.isna(value) else "undated"


def build_thread_timeline_figure(
    statements: pd.DataFrame, deliveries: pd.DataFrame, *, title: str = "The promise over time"
) -> go.Figure:
    """Each statement on its release date (one row each, oldest on top), lines to the target years it
    names (diamonds), and each reported delivery on its release date (stars, by link status).

    ``statements``: id, release_day (datetime), kind, text, themes, target_years, in thread order.
    ``deliveries``: achievement_id, release_date (ISO text), text, status, score.
    Undated statements and deliveries are left out (they have no place on a time axis).
    """
    title = html.escape(title)
    dated = statements[statements["release_day"].notna()].reset_index(drop=True)
    if dated.empty:
        return _empty(title, "No dated statement in this thread.")
    numbers = {cid: i + 1 for i, cid in enumerate(statements["id"].astype(str))}
    lanes = list(range(len(dated)))
    ticks = [
        f"#{numbers[str(cid)]} · {_day(day)}"
        for cid, day in zip(dated["id"], dated["release_day"], strict=True)
    ]
    traces: list[go.Scatter] = []

    # Target years: a dotted line from the statement to each year it names, a diamond on the year.
    color = theme_color(main_theme(statements))
    xs: list[object] = []
    ys: list[float | None] = []
    ends_x: list[pd.Timestamp] = []
    ends_y: list[int] = []
    ends_hover: list[str] = []
    ends_data: list[list[object]] = []
    for lane, (cid, day, years) in enumerate(
        zip(dated["id"], dated["release_day"], dated["target_years"], strict=True)
    ):
        for year in (int(y) for y in _split(years) if y.isdigit()):
            target = pd.Timestamp(year=year, month=1, day=1)
            xs += [day, target, None]
            ys += [lane, lane, None]
            ends_x.append(target)
            ends_y.append(lane)
            ends_hover.append(
                f"<b>target year {year}</b><br>named on {_day(day)} (statement #{numbers[str(cid)]})"
            )
            ends_data.append([str(cid), year])
    if ends_x:
        traces.append(
            go.Scatter(
                name="target year",
                legendgroup="target year",
                x=xs,
                y=ys,
                mode="lines",
                line={"color": color, "width": 2, "dash": "dot"},
                hoverinfo="skip",
            )
        )
        traces.append(
            go.Scatter(
                name="target year",
                legendgroup="target year",
                showlegend=False,
                x=ends_x,
                y=ends_y,
                mode="markers+text",
                marker={"color": color, "size": 13, "symbol": "diamond"},
                text=[str(d[1]) for d in ends_data],
                textposition="top center",
                hovertext=ends_hover,
                hoverinfo="text",
                customdata=np.array(ends_data, dtype=object),
            )
        )

    # Statements, one trace per kind so the legend reads target / pledge / practice.
    for kind in [*KINDS, *sorted(set(dated["kind"].astype(str)) - set(KINDS))]:
        idx = np.flatnonzero(dated["kind"].astype(str).to_numpy() == kind)
        if not len(idx):
            continue
        part = dated.iloc[idx]
        hovers = [
            f"<b>statement #{numbers[str(cid)]} · {_day(day)} · {html.escape(kind)}</b><br>"
            + (f"target years {html.escape(', '.join(_split(years)))}<br>" if _split(years) else "")
            + hover_text(str(text))
            for cid, day, years, text in zip(
                part["id"], part["release_day"], part["target_years"], part["text"], strict=True
            )
        ]
        traces.append(
            go.Scatter(
                name=f"{kind} statement",
                x=part["release_day"],
                y=[lanes[i] for i in idx],
                mode="markers",
                marker={
                    "color": KIND_COLORS.get(kind, "#616161"),
                    "size": 14,
                    "line": {"width": 1, "color": "white"},
                },
                hovertext=hovers,
                hoverinfo="text",
                customdata=np.array([[str(c)] for c in part["id"]], dtype=object),
            )
        )

    # Reported delivery: a star on the release that says it was done.
    days = pd.to_datetime(deliveries["release_date"].replace("", None), format="%Y-%m-%d", errors="coerce")
    done = deliveries.assign(_day=days)[days.notna()].reset_index(drop=True)
    first_lane = len(dated)
    for status in [*LINK_STATUSES, *sorted(set(done["status"].astype(str)) - set(LINK_STATUSES))]:
        idx = np.flatnonzero(done["status"].astype(str).to_numpy() == status)
        if not len(idx):
            continue
        part = done.iloc[idx]
        traces.append(
            go.Scatter(
                name=f"reported done ({status})",
                x=part["_day"],
                y=[first_lane + int(i) for i in idx],
                mode="markers",
                marker={"color": LINK_COLORS.get(status, "#616161"), "size": 18, "symbol": "star"},
                hovertext=[
                    f"<b>reported done · {_day(day)} · {html.escape(status)}</b><br>"
                    f"score {float(score):.2f}<br>{hover_text(str(text))}"
                    for day, score, text in zip(part["_day"], part["score"], part["text"], strict=True)
                ],
                hoverinfo="text",
                customdata=np.array([[str(a)] for a in part["achievement_id"]], dtype=object),
            )
        )
    ticks += [f"done · {_day(day)}" for day in done["_day"]]
    fig = go.Figure(data=traces)
    n = len(ticks)
    fig.update_yaxes(
        tickvals=list(range(n)), ticktext=ticks, range=[n - 0.4, -0.6], zeroline=False, showgrid=False
    )
    fig.update_xaxes(title_text="release date, and the target years the statements name")
    return _layout(fig, title=title, height=min(200 + 44 * n, 900))


def build_thread_status_figure(threads: pd.DataFrame, top: int = 20) -> go.Figure:
    """Threads per organisation (the ``top`` with most), stacked by delivery status."""
    title = "Threads by delivery status"
    if threads.empty:
        return _empty(title, "No thread matches these filters.")
    counts = threads.groupby(["organization", "delivery_status"]).size().reset_index(name="count")
    totals = counts.groupby("organization")["count"].sum().reset_index()
    totals = totals.sort_values(["count", "organization"], ascending=[False, True])
    orgs = [str(o) for o in totals["organization"][:top]]
    counts = counts[counts["organization"].isin(orgs)]
    labels = {o: html.escape(o or "(unknown organisation)") for o in orgs}
    fig = go.Figure()
    for status in THREAD_STATUSES:
        part = counts[counts["delivery_status"] == status]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                name=status,
                orientation="h",
                x=part["count"].to_numpy(),
                y=[labels[str(o)] for o in part["organization"]],
                customdata=np.array([[str(o), status] for o in part["organization"]], dtype=object),
                marker_color=THREAD_STATUS_COLORS[status],
                hovertemplate="%{y}<br>" + status + ": %{x} threads<extra></extra>",
            )
        )
    fig.update_yaxes(categoryorder="array", categoryarray=[labels[o] for o in reversed(orgs)])
    most = int(totals["count"].max())
    fig.update_xaxes(title_text="threads", tickformat="d", dtick=1 if most <= 10 else None)
    shown = f" (the {top} organisations with most)" if len(totals) > top else ""
    return _layout(fig, title=title + shown, height=140 + 26 * len(orgs), barmode="stack")


def thread_title(organization: str, label: str) -> str:
    """A figure title for one thread (plain text; the builder escapes it)."""
    return f"{organization or 'unknown organisation'} · {label}"
