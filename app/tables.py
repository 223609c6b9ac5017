"""Tables a person can read: every cell shown whole (long text wraps), the page scrolls, not the table.

Streamlit's grid draws on a canvas with one row height for all rows; the widths and the row height
are chosen here from the text, with the grid's own font metrics (Source Sans, 14 px).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

# Advance widths (px) of the grid's 14 px Source Sans, measured in chromium; others by their class.
_ASCII_PX = (
    "!4.1 \"6.0 #7.0 $7.0 %11.6 &8.6 '3.5 (4.3 )4.3 *5.9 +7.0 ,3.5 -4.4 .3.5 /4.9 :3.5 ;3.5 <7.0 =7.0"
    " >7.0 ?6.0 @11.9 A7.7 B8.3 C8.0 D8.7 E7.4 F7.0 G8.7 H9.2 I3.7 J6.8 K8.2 L6.9 M10.2 N9.1 O9.3 P8.0"
    " Q9.3 R8.0 S7.5 T7.6 U9.1 V7.3 W11.1 X7.2 Y6.7 Z7.6 [4.3 \\4.9 ]4.3 ^7.0 _7.0 `7.6 a7.1 b7.8 c6.4"
    " d7.8 e7.0 f4.1 g7.1 h7.7 i3.5 j3.5 k7.0 l3.6 m11.7 n7.7 o7.6 p7.8 q7.8 r4.9 s5.9 t4.8 u7.7 v6.6"
    " w10.1 x6.3 y6.6 z6.0 {4.3 |3.4 }4.3 ~7.0"
)
CHAR_PX: dict[str, float] = {item[0]: float(item[1:]) for item in _ASCII_PX.split(" ")} | {" ": 2.8}
for _digit in "0123456789":
    CHAR_PX[_digit] = 7.0
WIDE_PX = 14.0  # Chinese characters and full-width punctuation
OTHER_PX = 8.5  # any other character: a generous guess

PADDING_PX = 18  # the grid's cell padding, both sides, and a pixel to spare
EM_PX = 13.0  # height of "ABCi09jgqpy" in the grid's font, from which it spaces its lines
LINE_PX = 1.4 * EM_PX
MIN_WRAP_ROW = 65  # the grid wraps text only in rows taller than 4 rem (64 px)
MAX_LINES = 12  # a longer cell ends in "…" rather than make every row of its page huge
MAX_AUTO_WIDTH = 240  # a column sized to its longest cell grows to this, then wraps


def char_px(ch: str) -> float:
    """The width of one character in the grid's font."""
    if ch in CHAR_PX:
        return CHAR_PX[ch]
    if ch in "\u200b\u2060":
        return 0.0
    return WIDE_PX if unicodedata.east_asian_width(ch) in ("W", "F") else OTHER_PX


def text_px(text: str) -> float:
    """The width of ``text`` on one line."""
    return sum(char_px(ch) for ch in text)


SOFT_BREAK = "\u2060\n"  # a break inside a word (Chinese has no spaces): unwrap() removes it whole


def wrap_text(text: str, width: float) -> str:
    """``text`` broken into lines that fit a cell ``width`` px wide: at spaces, else inside a word.

    The grid can wrap by itself, but it guesses how many characters to measure from the
    average width of all the text it drew, so after Chinese rows it leaves English lines
    whole, and cut off. Lines broken here are each measured whole, and fit.
    """
    room = width - PADDING_PX
    out: list[str] = []
    line, used = "", 0.0
    for word in " ".join(str(text).split()).split(" "):
        w = text_px(word)
        gap = char_px(" ") if line else 0.0
        if used + gap + w <= room:
            line, used = (f"{line} {word}" if line else word), used + gap + w
            continue
        if line:
            out.append(line + "\n")
            line, used = "", 0.0
        for ch in word:  # a word wider than the cell is cut by characters
            if used + char_px(ch) > room and line:
                out.append(line + SOFT_BREAK)
                line, used = "", 0.0
            line, used = line + ch, used + char_px(ch)
    out.append(line)
    return _thin("".join(out))


def _thin(text: str) -> str:
    """A zero-width space after each wide character: see the note below."""
    # The grid turns line breaks into spaces and breaks lines at spaces itself, but it decides
    # whether a text needs breaking by measuring as many characters as 1.5 lines of the page's
    # average character would fill. Chinese characters (14 px) raise that average so far that
    # English text is judged short and drawn on one line, cut. Zero-width characters bring a
    # Chinese text's average back to that of English; nobody sees them and unwrap() drops them.
    if not any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text):
        return text
    return "".join(ch + "\u200b" if unicodedata.east_asian_width(ch) in ("W", "F") else ch for ch in text)


def unwrap(text: str) -> str:
    """The text as it was before wrap_text (runs of white space as one space)."""
    return str(text).replace(SOFT_BREAK, "").replace("\u200b", "").replace("\n", " ")


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a cell ``width`` px wide (see wrap_text)."""
    return wrap_text(text, width).count("\n") + 1


def row_height(lines: int) -> int:
    """A row tall enough for ``lines`` lines of text, as the grid lays them out."""
    if lines <= 1:
        return 35
    # The grid spaces lines 1.4 x the height of "ABCi09jgqpy" apart and pads the cell.
    return max(MIN_WRAP_ROW, math.ceil(EM_PX + LINE_PX * (lines - 1) + 7))


def cell_text(value: Any) -> str:
    """What the grid shows for a value (dates as days, blanks as nothing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def shorten(text: str, width: float, lines: int = MAX_LINES) -> str:
    """``text`` cut (with "…") to what ``lines`` lines of ``width`` px hold."""
    if wrapped_lines(text, width) <= lines:
        return wrap_text(text, width)
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if wrapped_lines(text[:mid].rstrip() + " …", width) <= lines:
            low = mid
        else:
            high = mid - 1
    return wrap_text(text[:low].rstrip() + " …", width)


def layout(
    frame: pd.DataFrame, wrap: Mapping[str, int], labels: Mapping[str, str], *, minimum: Mapping[str, int]
) -> tuple[pd.DataFrame, dict[str, int], int]:
    """(frame with over-long cells shortened, a width per column, the row height) for the grid.

    ``wrap`` columns get that width and wrap; the others are as wide as their label and longest
    cell (at least ``minimum``), up to MAX_AUTO_WIDTH, then wrap too.
    """
    texts = {c: [cell_text(v) for v in frame[c]] for c in frame.columns}
    widths: dict[str, int] = {}
    for column in frame.columns:
        label = text_px(labels.get(column, column)) + PADDING_PX + 16  # room for a sort arrow
        if column in wrap:
            widths[column] = max(wrap[column], math.ceil(label))
        else:
            longest = max((text_px(t) for t in texts[column]), default=0.0) + PADDING_PX
            widest = max(longest, label, minimum.get(column, 0))
            widths[column] = math.ceil(min(widest, max(MAX_AUTO_WIDTH, label)))
    out = frame.copy()
    most = 1
    for column in frame.columns:
        if frame[column].dtype.kind in "biufcmM":
            continue
        cells = [shorten(t, widths[column]) for t in texts[column]]
        if cells != texts[column] or column in wrap:
            out[column] = cells
        most = max([most, *(c.count("\n") + 1 for c in cells)])
    return out, widths, row_height(most)


def show(
    frame: pd.DataFrame,
    *,
    wrap: Mapping[str, int] | None = None,
    column_config: Mapping[str, Any] | None = None,
    minimum: Mapping[str, int] | None = None,
    fixed: Mapping[str, int] | None = None,
    **kwargs: Any,
) -> Any:
    """st.dataframe sized to its content: column widths and row height chosen so no text is cut."""
    config: dict[str, Any] = dict(column_config or {})
    labels = {}
    for column in frame.columns:
        entry = config.get(column)
        if entry is None and column in config:
            continue  # hidden
        label = entry if isinstance(entry, str) else (entry or {}).get("label") or column
        labels[column] = str(label)
    shown = [c for c in frame.columns if c in labels]
    fixed = fixed or {}  # columns drawn as they are (links): a width, no line breaks
    laid = [c for c in shown if c not in fixed]
    cells, widths, height = layout(frame[laid], wrap or {}, labels, minimum=minimum or {})
    cells = cells.assign(**{c: frame[c] for c in fixed if c in frame.columns})[shown]
    widths = {**widths, **{c: w for c, w in fixed.items() if c in frame.columns}}
    for column in shown:
        entry = config.get(column)
        if entry is None or isinstance(entry, str):
            config[column] = st.column_config.Column(labels[column], width=widths[column])
        else:
            config[column] = {**entry, "width": widths[column]}
    return st.dataframe(
        cells,
        column_config=config,
        row_height=height,
        height="content",
        hide_index=True,
        width="stretch",
        **kwargs,
    )
