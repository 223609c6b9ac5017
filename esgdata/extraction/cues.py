"""Commitment cues (the cue lexicon) and the facts around a cue that the model weighs.

The cue classes are in ``lexicons/cues.yaml``: future ("aims to", 力争), modal ("will", 将),
directive ("must", 要), practice ("has always", 始终坚持), manner ("actively", 积极), and the
words that argue against a commitment (events, forecasts, general subjects, hedges). These
helpers say where a cue's subject is, whether 将 is a future tense or the object marker
("将 X 列为 Y"), whether a manner adverb governs a verb, and whether a specific past moment
comes first (2020年，… reports an event). None of them decides anything on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..models import Span
from . import lexicon
from .matcher import Matcher

COMMITTING = ("future", "modal", "directive", "practice", "manner")
_CLAUSE_BREAK = re.compile(r"[,;:，；：]|\b(?:that|and|but|which|while|when)\b|[“”\"]")
_CLAUSE_END = re.compile(r"[,;:，；：。]")
# A specific past moment (2020年，… / 12月15日，…): what follows reports an event.
_ZH_PAST_MOMENT = re.compile(
    r"\d{4}\s*年(?!以来|来|前|底前|左右)|[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日"
)


@lru_cache(maxsize=2)
def cue_matcher(language: str) -> Matcher:
    """The cue lexicon of ``language`` compiled; labels are the cue kinds."""
    cues = lexicon.cues()[language]
    entries = {kind: words for kind, words in cues.items() if kind != "not"}
    return Matcher(entries, {kind: cues["not"] for kind in entries})


def subject_clause(text: str, cue: Span, cues: Sequence[Span] = ()) -> tuple[int, int]:
    """Offsets of the clause in front of a cue: where its subject must be. A reporting verb
    ends a clause too: in "the company said the plant will ...", the plant is the subject."""
    prefix = text[: cue.start]
    breaks = sorted(
        [m.end() for m in _CLAUSE_BREAK.finditer(prefix)]
        + [c.end for c in cues if c.label == "report" and c.end <= cue.start]
    )
    start = breaks[-1] if breaks else 0
    if not prefix[start:].strip() and len(breaks) > 1:
        start = breaks[-2]  # "X, an appositive, is to ...": skip back over the appositive
    if not prefix[start:].strip():
        start = 0
    return start, cue.start


_AFTER_VERB = re.compile(r"(?:\b(?:more|most|how|so|as|very)|\w+ed)\s*$")


def governs_verb(text: str, cue: Span) -> bool:
    """'resolutely implemented', not 'contributed actively' or 'cooperate more deeply'."""
    if cue.label != "manner" or " " in cue.text or not cue.text.endswith("ly"):
        return True
    after = text[cue.end : cue.end + 20]
    return (
        bool(re.match(r"\s+[a-z]{3,}", after))
        and not re.match(r"\s+(?:to|and|in|on|at|with|for)\b", after)
        and not _AFTER_VERB.search(text[: cue.start])
    )


def is_disposal(text: str, cues: list[Span], modal: Span) -> bool:
    """将 + object + 列为/作为/纳入…: the modal is the object marker 把, not a future tense."""
    end = _CLAUSE_END.search(text, modal.end)
    limit = end.start() if end else len(text)
    return any(c.label == "modal_object" and modal.end + 2 <= c.start < limit for c in cues)


def has_agent(cues: list[Span], orgs: list[Span], start: int, end: int) -> bool:
    """An organisation's name or a word standing for one ("the company", 公司) within the offsets."""
    return any(start <= s.start and s.end <= end for s in orgs) or any(
        c.label == "agent" and start <= c.start and c.end <= end for c in cues
    )


def past_moment_before(text: str, end: int) -> bool:
    """A specific past date or year (2020年, 12月15日) in ``text`` before offset ``end`` (Chinese)."""
    return bool(_ZH_PAST_MOMENT.search(text, 0, end))


def meaningful(text: str, cues: list[Span], orgs: list[Span]) -> list[Span]:
    """Cues that mean what their class says: no general subject inside a name ("国家电网") or a
    possessive ("China's top automakers"), no 将 used as the object marker."""
    out = []
    for c in cues:
        if c.label == "general" and (
            any(o.start <= c.start < o.end for o in orgs) or text.startswith(("'s", "’s"), c.end)
        ):
            continue
        if c.label == "modal" and is_disposal(text, cues, c):
            continue
        out.append(c)
    return out
