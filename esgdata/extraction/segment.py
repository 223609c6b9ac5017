"""Sentences and enumeration items of a release body, with their offsets into the body.

English sentences come from blingfire's sentence splitter, corrected where it splits after
a title (Mr., Dr., No.) or before a lower-case word. Chinese sentences end at 。！？ (and
closing quotes after them). An enumeration ("First, ... Second, ...", "1) ... 2) ...",
一是…二是…, （一）…（二）…) gives one unit per item, even inside one sentence.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon


@dataclass(frozen=True)
class Unit:
    """A sentence or an enumeration item: the span a commitment can be."""

    start: int
    end: int
    text: str
    paragraph: int
    marker: str = ""  # the enumeration marker that opens the item ("First,", "二是"), if any
    lead_in: bool = False  # the words before an enumeration's first item ("He put forward:")


_NO_BREAK_AFTER = re.compile(
    r"(?:(?<![\w.])(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Sen|Gen|Gov|Rep|Jr|Sr|Messrs|vs|approx|Corp|Inc|Co|Ltd|Jan|Feb|"
    r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e|etc|U\.S|U\.K|[IVX]{1,4}|[A-Z])\.)$"
)
_EN_ORDINAL = (
    r"(?:First(?:ly)?|Second(?:ly)?|Third(?:ly)?|Fourth(?:ly)?|Fifth(?:ly)?|Sixth(?:ly)?|Seventh(?:ly)?|"
    r"Finally|Lastly|Last|In addition|Besides|Moreover|Furthermore|Meanwhile)"
)
_EN_ITEM_START = re.compile(
    rf"^(?:{_EN_ORDINAL},\s+|\(?(?:\d{{1,2}}|[a-h]|[ivx]{{1,4}})\)\s+|[IVX]{{1,4}}\.\s+)"
)
# Numbered items inside one sentence: "... calls for: 1) ...; 2) ...; 3) ..."
_EN_INLINE_ITEM = re.compile(r"(?:(?<=[\s:;,])|^)\(?(\d{1,2}|[a-h])\)\s+(?=\S)")
_EN_INLINE_ORDINAL = re.compile(
    r"(?<=[;:])\s+(?=(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|finally|lastly),\s)",
    re.IGNORECASE,
)

_ZH_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)\"]*|$)")
_ZH_NUM = "一二三四五六七八九十"
_ZH_MARKER = re.compile(
    rf"(?:[{_ZH_NUM}]是|[{_ZH_NUM}]要(?![求素点])|其[{_ZH_NUM}]，|第[{_ZH_NUM}](?:，|、|是|条)|[（(][{_ZH_NUM}][）)]|(?<![\d.])\d{{1,2}}[.、．](?!\d)|[{_ZH_NUM}]、)"
)
_ZH_CLAUSE_BREAK = re.compile(r"[；;]\s*(?=\S)")
_ZH_BREAK_BEFORE_MARKER = re.compile(rf"[；;，,：:。\s]+(?={_ZH_MARKER.pattern})")


_MISSING_SPACE = re.compile(r"[a-z][.!?][”\"]?(?=[A-Z][a-z])")  # a break falls at the match's end


def _sentence_offsets(text: str) -> list[tuple[int, int]]:
    # Imported here: loading blingfire takes a tenth of a second or more, which Chinese releases,
    # and commands that extract nothing, need not pay.
    import blingfire

    # text_to_sentences keeps each sentence verbatim, so finding them in order gives the offsets
    # far faster than blingfire's own offsets function; fall back to it if a sentence was altered.
    spans, pos = [], 0
    flat = text.replace("\n", " ")  # blingfire turns line breaks inside a sentence into spaces
    for sentence in blingfire.text_to_sentences(text).split("\n"):
        if not sentence:
            continue
        start = flat.find(sentence, pos)
        if start < 0:
            return list(blingfire.text_to_sentences_and_offsets(text)[1])
        spans.append((start, start + len(sentence)))
        pos = start + len(sentence)
    return spans


def _english_spans(body: str) -> list[tuple[int, int]]:
    """Sentence spans of a whole body; never across a paragraph break."""
    cuts: list[tuple[int, int]] = []
    forced = sorted(
        {m.end() for m in re.finditer(r"\n\n+", body)} | {m.end() for m in _MISSING_SPACE.finditer(body)}
    )
    for start, end in _sentence_offsets(body):
        lo, hi = bisect.bisect_right(forced, start), bisect.bisect_left(forced, end)
        breaks = [start, *forced[lo:hi], end]
        for a, b in itertools.pairwise(breaks):
            chunk = body[a:b]
            stripped = chunk.strip()
            if stripped:
                lead = len(chunk) - len(chunk.lstrip())
                cuts.append((a + lead, a + lead + len(stripped)))
    spans: list[tuple[int, int]] = []
    for start, end in cuts:
        if (
            spans
            and "\n\n" not in body[spans[-1][1] : start]
            and (
                _NO_BREAK_AFTER.search(body, max(spans[-1][0], spans[-1][1] - 10), spans[-1][1])
                or body[start : start + 1].islower()
            )
        ):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _split_inline_items(text: str, start: int) -> list[tuple[int, int, str]]:
    """(start, end, marker) pieces of one sentence; the sentence itself when it has no items."""
    cuts = [m.start() for m in _EN_INLINE_ITEM.finditer(text)] if ")" in text else []
    if len(cuts) < 2:
        cuts = [m.end() for m in _EN_INLINE_ORDINAL.finditer(text)] if (";" in text or ":" in text) else []
        cuts = [0, *cuts] if cuts else []
    if len(cuts) < 2:
        return [(start, start + len(text), "")]
    pieces = []
    bounds = [0, *cuts, len(text)] if cuts[0] > 0 else [*cuts, len(text)]
    for a, b in itertools.pairwise(bounds):
        piece = text[a:b].rstrip()
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            marker = _EN_ITEM_START.match(piece)
            pieces.append(
                (
                    start + a + lead,
                    start + a + lead + len(piece),
                    marker.group(0).strip() if marker else "",
                )
            )
    return pieces


def _english_units(body: str, paragraph_starts: list[int]) -> list[Unit]:
    units = []
    for s, e in _english_spans(body):
        index = bisect.bisect_right(paragraph_starts, s) - 1
        for a, b, marker in _split_inline_items(body[s:e], s):
            text = body[a:b]
            if not marker:
                m = _EN_ITEM_START.match(text)
                marker = m.group(0).strip() if m else ""
            units.append(Unit(a, b, text, index, marker))
    return _mark_lead_ins(units)


def _mark_lead_ins(units: list[Unit]) -> list[Unit]:
    """A unit without a marker, in the same paragraph as a following first item, introduces it."""
    out = []
    for i, unit in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else None
        if (
            not unit.marker
            and nxt is not None
            and nxt.paragraph == unit.paragraph
            and nxt.marker
            and _is_first_marker(nxt.marker)
            and (
                unit.text.endswith((":", "："))
                or (nxt.start - unit.end <= 2 and not unit.text.endswith((".", "。", "!", "?", "！", "？")))
            )
        ):
            unit = Unit(unit.start, unit.end, unit.text, unit.paragraph, unit.marker, lead_in=True)
        out.append(unit)
    return out


def _is_first_marker(marker: str) -> bool:
    return bool(
        re.match(
            r"(?:First|first|1\)|\(1\)|\(a\)|a\)|I\.|一是|（一）|\(一\)|第一|1[.、．]|一、|其一)",
            marker,
        )
    )


@lru_cache(maxsize=1)
def _zh_announcement() -> re.Pattern[str]:
    verbs = sorted({*lexicon.people()["verbs_zh"], "宣布", "表态", "承诺"}, key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(map(re.escape, verbs))})[：:](?=.{{12}})")


def _chinese_units(paragraph: str, base: int, index: int) -> list[Unit]:
    units = []
    for m in _ZH_SENTENCE.finditer(paragraph):
        if not m.group().strip():
            continue
        sentence_start = m.start()
        sentence = m.group()
        # "…郑重对外宣布：净零排放将是…": what is announced stands as its own unit.
        cuts = [0] + [x.end() for x in _zh_announcement().finditer(sentence)]
        cuts += [x.end() for x in _ZH_BREAK_BEFORE_MARKER.finditer(sentence)]
        # Clauses joined by semicolons are parallel statements, each its own unit.
        cuts += [x.end() for x in _ZH_CLAUSE_BREAK.finditer(sentence)]
        cuts = sorted(set(cuts))
        # One marker alone is no enumeration ("1.5倍", a stray "一是").
        markers = [c for c in cuts[1:] if _ZH_MARKER.match(sentence, c)]
        if (
            len(markers) == 1
            and not _ZH_MARKER.match(sentence, 0)
            and not re.search(rf"[{_ZH_NUM}]是|[（(]一[）)]|第一", sentence[: markers[0]])
        ):
            cuts = [c for c in cuts if c not in markers]  # one marker alone is no enumeration
        for a, b in zip(cuts, [*cuts[1:], len(sentence)], strict=False):
            piece = sentence[a:b]
            stripped = piece.strip().rstrip("；;，,：:")
            if not stripped.strip('”’」』）)"'):
                continue
            offset = a + (len(piece) - len(piece.lstrip()))
            marker = _ZH_MARKER.match(stripped)
            start = base + sentence_start + offset
            units.append(
                Unit(start, start + len(stripped), stripped, index, marker.group(0) if marker else "")
            )
    return units


def units(body: str, language: str) -> list[Unit]:
    """Every sentence or enumeration item of ``body`` (paragraphs separated by blank lines)."""
    paragraphs = body.split("\n\n")
    starts, base = [], 0
    for paragraph in paragraphs:
        starts.append(base)
        base += len(paragraph) + 2
    if language != "zh":
        return _english_units(body, starts)
    out: list[Unit] = []
    for index, (paragraph, start) in enumerate(zip(paragraphs, starts, strict=True)):
        if paragraph.strip():
            out.extend(_chinese_units(paragraph, start, index))
    return _mark_lead_ins(out)
