"""Untrusted text (titles, bodies, commitments, file names) made safe for Markdown and HTML.

The only HTML built from release text is built here, from escaped pieces.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.charts import KIND_COLORS, theme_color

KIND_TINTS: dict[str, str] = {"target": "#FFCDD2", "pledge": "#BBDEFB", "practice": "#CFD8DC"}
# ASCII punctuation Markdown (and Streamlit's :color[...] and $math$ extensions) may act on.
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:&=\"'")


def md(text: object) -> str:
    """Text for st.markdown, st.error and friends: every Markdown-active character escaped."""
    out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
    return " ".join(out.split("\n"))


_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


def web_url(value: object) -> str:
    """``value`` if it is an http(s) address safe to put in a link, else "" (no javascript:, no quotes)."""
    text = "" if value is None else str(value).strip()
    if not text or _URL_UNSAFE.search(text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


@dataclass(frozen=True)
class Mark:
    """A span of text to highlight: a commitment (by kind), a theme word or a cue."""

    start: int
    end: int
    role: str  # "commitment", "focus" (the selected commitment), "theme" or "cue"
    kind: str = ""  # commitment kind, or the theme id for a theme word
    title: str = ""  # tooltip


_LAYER = {"commitment": 0, "focus": 0, "cue": 1, "theme": 2}


def _open(mark: Mark) -> str:
    title = f' title="{html.escape(mark.title, quote=True)}"' if mark.title else ""
    if mark.role in ("commitment", "focus"):
        tint = KIND_TINTS.get(mark.kind, "#FFF59D")
        line = KIND_COLORS.get(mark.kind, "#616161")
        outline = f"outline:2px solid {line};" if mark.role == "focus" else ""
        style = f"background:{tint};border-bottom:2px solid {line};{outline}padding:0 2px;border-radius:2px"
        return f'<mark class="esg-{html.escape(mark.kind, quote=True)}" style="{style}"{title}>'
    if mark.role == "cue":
        return f'<span class="esg-cue" style="text-decoration:underline 2px;font-style:italic"{title}>'
    color = theme_color(mark.kind)
    return f'<span class="esg-theme" style="font-weight:600;border-bottom:2px dotted {color}"{title}>'


def _close(mark: Mark) -> str:
    return "</mark>" if mark.role in ("commitment", "focus") else "</span>"


def highlight_html(text: str, marks: Sequence[Mark], *, offset: int = 0) -> str:
    """``text`` as escaped HTML paragraphs, each mark highlighted (cue, theme words inside a commitment).

    Marks carry body offsets; ``offset`` is where ``text`` starts in the body.
    """
    n = len(text)
    outer: list[Mark] = []
    inner: list[Mark] = []
    for m in sorted(marks, key=lambda m: (m.start, m.end)):
        start, end = max(m.start - offset, 0), min(m.end - offset, n)
        if m.role in ("commitment", "focus"):
            start = max(start, outer[-1].end if outer else 0)  # no two commitments share a character
            if start < end:
                outer.append(Mark(start, end, m.role, m.kind, m.title))
        elif start < end:
            inner.append(Mark(start, end, m.role, m.kind, m.title))
    cuts = {0, n}
    for m in (*outer, *inner):
        cuts.update((m.start, m.end))
    breaks = []  # runs of two or more newlines: paragraph breaks
    i = text.find("\n\n")
    while i >= 0:
        j = i
        while j < n and text[j] == "\n":
            j += 1
        breaks.append((i, j))
        i = text.find("\n\n", j)
    cuts = {c for c in cuts if not any(i < c < j for i, j in breaks)}
    for i, j in breaks:
        cuts.update((i, j))
    parts = ["<p>"]
    current: Mark | None = None
    for a, b in itertools.pairwise(sorted(cuts)):
        piece = text[a:b]
        if len(piece) >= 2 and piece.strip("\n") == "":
            if current is not None:  # a paragraph break closes the mark; it reopens after
                parts.append(_close(current))
                current = None
            parts.append("</p><p>")
            continue
        covering = next((m for m in outer if m.start <= a and b <= m.end), None)
        if covering is not current:
            if current is not None:
                parts.append(_close(current))
            if covering is not None:
                parts.append(_open(covering))
            current = covering
        nested = sorted((m for m in inner if m.start <= a and b <= m.end), key=lambda m: _LAYER[m.role])
        body = html.escape(piece).replace("\n", "<br>")
        parts.append("".join(_open(m) for m in nested) + body + "".join(_close(m) for m in reversed(nested)))
    if current is not None:
        parts.append(_close(current))
    parts.append("</p>")
    return "".join(parts)


def kind_legend_html() -> str:
    """A one-line legend of the kind colours (built from constants only)."""
    items = [
        f'<mark style="background:{KIND_TINTS[k]};border-bottom:2px solid {KIND_COLORS[k]};'
        f'padding:0 4px;margin-right:8px">{k}</mark>'
        for k in KIND_TINTS
    ]
    return "Highlighted by kind: " + "".join(items)


def wording_diff_html(pieces: Sequence[tuple[str, str]], side: str) -> str:
    """One side of a wording comparison as escaped HTML: on the "old" side removed words struck
    through in red, on the "new" side added words underlined in green (esgdata.review.wording_diff)."""
    parts = []
    for op, text in pieces:
        body = html.escape(text)
        if op == "same":
            parts.append(body)
        elif op == "removed" and side == "old":
            parts.append(f'<del class="esg-removed" style="background:#FFCDD2">{body}</del>')
        elif op == "added" and side == "new":
            parts.append(f'<ins class="esg-added" style="background:#C8E6C9">{body}</ins>')
    return "".join(parts)
