"""Sentences and enumeration items of a release body, with their offsets into the body.

English sentences come from blingfire's sentence splitter, corrected where it splits after
a title (Mr., Dr., No.) or before a lower-case word. Chinese sentences end at 。！？ (and
closing quotes after them). An enumeration ("First, ... Second, ...", "1) ... 2) ...",
一是…二是…, （一）…（二）…) gives one unit per item, even inside one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import blingfire


@dataclass(frozen=True)
class Unit:
    """A sentence or an enumeration item: the span a commitment can be."""

    start: int
    end: int
    text: str
    paragraph: int
    marker: str = ""  # the enumeration marker that opens the item ("First,", "二是"), if any


_NO_BREAK_AFTER = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Sen|Gen|Gov|Rep|Jr|Sr|Messrs|vs|approx|Corp|Inc|Co|Ltd|Jan|Feb|"
    r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e|etc|U\.S|U\.K)\.)$"
)
_EN_ORDINAL = (
    r"(?:First(?:ly)?|Second(?:ly)?|Third(?:ly)?|Fourth(?:ly)?|Fifth(?:ly)?|Sixth(?:ly)?|Seventh(?:ly)?|"
    r"Finally|Lastly|Last|In addition|Besides|Moreover|Furthermore|Meanwhile)"
)
_EN_ITEM_START = re.compile(
    rf"^(?:{_EN_ORDINAL},?\s+|\(?(?:\d{{1,2}}|[a-h]|[ivx]{{1,4}})\)\s+|[IVX]{{1,4}}\.\s+)"
)
# Numbered items inside one sentence: "... calls for: 1) ...; 2) ...; 3) ..."
_EN_INLINE_ITEM = re.compile(r"(?:(?<=[\s:;,])|^)\(?(\d{1,2}|[a-h])\)\s+(?=\S)")
_EN_INLINE_ORDINAL = re.compile(r"(?<=;)\s+(?=(?:second(?:ly)?|third(?:ly)?|fourth(?:ly)?|finally|lastly),?\s)", re.IGNORECASE)

_ZH_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)\"]*|$)")
_ZH_NUM = "一二三四五六七八九十"
_ZH_MARKER = re.compile(
    rf"(?:[{_ZH_NUM}]是|其[{_ZH_NUM}]，|第[{_ZH_NUM}](?:，|、|是|条)|[（(][{_ZH_NUM}][）)]|(?<![\d.])\d{{1,2}}[.、．](?!\d)|[{_ZH_NUM}]、)"
)
_ZH_BREAK_BEFORE_MARKER = re.compile(rf"[；;，,：:。\s]+(?={_ZH_MARKER.pattern})")


_MISSING_SPACE = re.compile(r"(?<=[a-z][.!?])(?=[A-Z][a-z])|(?<=[a-z][.!?][”\"])(?=[A-Z][a-z])")


def _blingfire_spans(paragraph: str) -> list[tuple[int, int]]:
    _, raw = blingfire.text_to_sentences_and_offsets(paragraph)
    offsets = []
    for start, end in raw:  # "a speech.Song noted": sentences run together without a space
        cuts = [start, *(start + m.start() for m in _MISSING_SPACE.finditer(paragraph[start:end])), end]
        offsets.extend(zip(cuts, cuts[1:], strict=False))
    spans: list[tuple[int, int]] = []
    for start, end in offsets:
        if spans and (
            _NO_BREAK_AFTER.search(paragraph[spans[-1][0]:spans[-1][1]])
            or paragraph[start:start + 1].islower()
        ):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _split_inline_items(text: str, start: int) -> list[tuple[int, int, str]]:
    """(start, end, marker) pieces of one sentence; the sentence itself when it has no items."""
    cuts = [m.start() for m in _EN_INLINE_ITEM.finditer(text)]
    if len(cuts) < 2:
        cuts = [m.end() for m in _EN_INLINE_ORDINAL.finditer(text)]
        cuts = [0, *cuts] if cuts else []
    if len(cuts) < 2:
        return [(start, start + len(text), "")]
    pieces = []
    bounds = [0, *cuts, len(text)] if cuts[0] > 0 else [*cuts, len(text)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = text[a:b].rstrip()
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            marker = _EN_ITEM_START.match(piece)
            pieces.append((start + a + lead, start + a + lead + len(piece), marker.group(0).strip() if marker else ""))
    return pieces


def _english_units(paragraph: str, base: int, index: int) -> list[Unit]:
    units = []
    for s, e in _blingfire_spans(paragraph):
        for a, b, marker in _split_inline_items(paragraph[s:e], base + s):
            text = paragraph[a - base:b - base]
            if not marker:
                m = _EN_ITEM_START.match(text)
                marker = m.group(0).strip() if m else ""
            units.append(Unit(a, b, text, index, marker))
    return units


def _chinese_units(paragraph: str, base: int, index: int) -> list[Unit]:
    units = []
    for m in _ZH_SENTENCE.finditer(paragraph):
        if not m.group().strip():
            continue
        sentence_start = m.start()
        sentence = m.group()
        cuts = [0] + [x.end() for x in _ZH_BREAK_BEFORE_MARKER.finditer(sentence)]
        # One marker alone is no enumeration ("1.5倍", a stray "一是").
        markers = [c for c in cuts[1:] if _ZH_MARKER.match(sentence, c)]
        if len(markers) < 1 or (len(markers) == 1 and not _ZH_MARKER.match(sentence, 0) and not re.search(rf"[{_ZH_NUM}]是|[（(]一[）)]|第一", sentence[: markers[0]])):
            cuts = [0]
        for a, b in zip(cuts, [*cuts[1:], len(sentence)], strict=False):
            piece = sentence[a:b]
            stripped = piece.strip().rstrip("；;，,：:")
            if not stripped.strip("”’」』）)\""):
                continue
            offset = a + (len(piece) - len(piece.lstrip()))
            marker = _ZH_MARKER.match(stripped)
            start = base + sentence_start + offset
            units.append(Unit(start, start + len(stripped), stripped, index, marker.group(0) if marker else ""))
    return units


def units(body: str, language: str) -> list[Unit]:
    """Every sentence or enumeration item of ``body`` (paragraphs separated by blank lines)."""
    out: list[Unit] = []
    base = 0
    for index, paragraph in enumerate(body.split("\n\n")):
        if paragraph.strip():
            split = _chinese_units if language == "zh" else _english_units
            out.extend(split(paragraph, base, index))
        base += len(paragraph) + 2
    return out
