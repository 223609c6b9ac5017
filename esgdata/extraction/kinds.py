"""Is a sentence a commitment, and of which kind? Cue rules over the cue lexicon.

- A future cue ("aims to", 力争) or a directive ("must", 要) makes a pledge; with a target
  year or a measurable quantity it is a target.
- A modal ("will", "would", 将) counts as a future cue only when the organisation (its name,
  "the company", "we", "it") is the subject of the modal's clause: "the plant will
  generate ..." is a forecast, "SGCC will bring down ..." a commitment.
- A practice cue ("has always", "adheres to", 始终坚持, 持续) makes a practice; a manner
  adverb ("actively", 积极) does too, but only when the organisation is the subject.
- The earliest of these cues decides between pledge and practice ("has always insisted
  on ..., striving to ..." is a practice).
- An enumeration item of a speech or a plan ("First, to focus on ...", 一是…) is a pledge.
- Not commitments: no cue; a lead-in ending with a colon; forecasts; statements about the
  world in general; hedged statements lose confidence, and so do statements that no
  organisation, speaker or enumeration stands behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..models import Span
from . import lexicon
from .matcher import Matcher

MIN_CONFIDENCE = 0.6
_COMMITTING = ("future", "modal", "directive", "practice")
_BASE = {
    "future": 0.75,
    "modal": 0.75,
    "directive": 0.7,
    "practice": 0.72,
    "manner": 0.55,
    "enumeration": 0.7,
}
_CLAUSE_BREAK = re.compile(r"[,;:，；：]|\b(?:that|and|but|which|while|when)\b|[“”\"]")
_CLAUSE_END = re.compile(r"[,;:，；：。]")
# A specific past moment before a practice cue makes it a report of an event (2020年，… / 12月15日，…).
_ZH_PAST_MOMENT = re.compile(
    r"\d{4}\s*年(?!以来|来|前|底前|左右)|[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日"
)


@dataclass(frozen=True)
class Decision:
    """The verdict on one unit: kind (None if not a commitment), the deciding cue, a confidence."""

    kind: str | None
    cue: Span | None
    confidence: float
    reason: str


@lru_cache(maxsize=2)
def cue_matcher(language: str) -> Matcher:
    """The cue lexicon of ``language`` compiled; labels are the cue kinds."""
    cues = lexicon.cues()[language]
    entries = {kind: words for kind, words in cues.items() if kind != "not"}
    return Matcher(entries, {kind: cues["not"] for kind in entries})


def _subject_clause(text: str, cue: Span) -> tuple[int, int]:
    """Offsets of the clause in front of a modal: where its subject must be."""
    prefix = text[: cue.start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(prefix)]
    start = breaks[-1] if breaks else 0
    if not prefix[start:].strip() and len(breaks) > 1:
        start = breaks[-2]  # "X, an appositive, is to ...": skip back over the appositive
    if not prefix[start:].strip():
        start = 0
    return start, cue.start


_AFTER_VERB = re.compile(r"(?:\b(?:more|most|how|so|as|very)|\w+ed)\s*$")


def _precedes_verb(text: str, cue: Span) -> bool:
    """'resolutely implemented', not 'contributed actively' or 'cooperate more deeply'."""
    if cue.label != "manner" or " " in cue.text or not cue.text.endswith("ly"):
        return True
    after = text[cue.end : cue.end + 20]
    return (
        bool(re.match(r"\s+[a-z]{3,}", after))
        and not re.match(r"\s+(?:to|and|in|on|at|with|for)\b", after)
        and not _AFTER_VERB.search(text[: cue.start])
    )


def _disposal(text: str, cues: list[Span], modal: Span) -> bool:
    """将 + object + 列为/作为/纳入…: the modal is the object marker 把, not a future tense."""
    end = _CLAUSE_END.search(text, modal.end)
    limit = end.start() if end else len(text)
    return any(c.label == "modal_object" and modal.end + 2 <= c.start < limit for c in cues)


def _has_agent(cues: list[Span], orgs: list[Span], start: int, end: int) -> bool:
    return any(start <= s.start and s.end <= end for s in orgs) or any(
        c.label == "agent" and start <= c.start and c.end <= end for c in cues
    )


def classify(
    text: str,
    cues: list[Span],
    *,
    language: str,
    orgs: list[Span],
    speaking: bool,
    marker: str,
    has_target: Callable[[], bool],
    lead_in: bool = False,
) -> Decision:
    """Decide one unit. ``cues`` and ``orgs`` are spans relative to ``text``, in order.

    ``has_target()`` (a year or a quantity in the unit) is asked only of pledges.
    """
    if text.rstrip().endswith((":", "：")):
        return Decision(None, None, 0.0, "lead-in to an enumeration")
    # "国家电网" is a name and "China's top automakers" a possessive: neither is a general subject.
    cues = [
        c
        for c in cues
        if c.label != "general"
        or not (any(o.start <= c.start < o.end for o in orgs) or text.startswith(("'s", "’s"), c.end))
    ]
    committing = []
    forecast_modal = None
    for c in cues:
        if c.label == "modal" and _disposal(text, cues, c):
            continue  # 将 X 列为 Y: "make X into Y", not "will"
        if c.label == "modal" and not (speaking and language == "zh"):
            start, end = _subject_clause(text, c)
            if not _has_agent(cues, orgs, start, end):
                forecast_modal = forecast_modal or c
                continue
        if c.label in _COMMITTING:
            committing.append(c)
    deciding = committing[0] if committing else None
    # Chinese puts adverbials first ("秉持…原则，中央企业推动…"): its subject may follow the cue.
    subject_end = len(text) if language == "zh" or not deciding else deciding.start
    agent_before = _has_agent(cues, orgs, 0, subject_end)
    backed = agent_before or speaking or bool(marker)
    words = len(text.split()) if language == "en" else len(text) // 2
    if lead_in and words < 8:  # "宋鑫要求，一是…": the items commit, the words before them do not
        return Decision(None, None, 0.0, "lead-in to an enumeration")
    if marker and (speaking or re.match(r"\s*to\s", text[len(marker) :])):
        # "First, to focus on ...": an item of a plan or a speech is an intention, whatever its verbs.
        kind, cue, confidence, reason = (
            "pledge",
            Span("enumeration", 0, len(marker), marker),
            _BASE["enumeration"],
            "enumerated item",
        )
        if deciding and deciding.label != "practice":
            cue, reason = deciding, f"enumerated item with {deciding.label} cue"
    elif deciding is None:
        manner = next((c for c in cues if c.label == "manner" and _precedes_verb(text, c)), None)
        if (
            manner
            and agent_before
            and not any(c.label == "event" for c in cues)
            and not (language == "zh" and _ZH_PAST_MOMENT.search(text, 0, manner.start))
        ):
            kind, cue, confidence, reason = (
                "practice",
                manner,
                _BASE["manner"],
                "manner adverb with the organisation as subject",
            )
        elif forecast_modal:
            return Decision(
                None,
                forecast_modal,
                0.0,
                f"'{forecast_modal.text}' without the organisation as its subject: a forecast",
            )
        else:
            return Decision(None, None, 0.0, "no commitment cue")
    else:
        kind = "practice" if deciding.label == "practice" else "pledge"
        cue, confidence, reason = deciding, _BASE[deciding.label], f"{deciding.label} cue"
        subject = [c for c in cues if c.start < deciding.start]
        if any(c.label == "forecast" for c in subject) and not agent_before:
            return Decision(None, deciding, 0.2, "forecast about a project, not a commitment")
        clause_start, clause_end = _subject_clause(text, deciding)
        if any(c.label == "general" and clause_start <= c.start for c in subject) and not _has_agent(
            cues, orgs, clause_start, clause_end
        ):
            return Decision(None, deciding, 0.25, "statement about the country or the world in general")
        if (
            kind == "practice"
            and not speaking
            and (
                any(c.label == "event" for c in subject)
                or (language == "zh" and _ZH_PAST_MOMENT.search(text, 0, deciding.start))
            )
        ):
            return Decision(None, deciding, 0.3, "a one-off past event, not a standing practice")
    if kind == "pledge" and has_target():
        kind, confidence = "target", confidence + 0.1
    confidence += 0.1 if backed else -0.2
    if any(c.label == "hedge" for c in cues):
        confidence -= 0.2
    if any(c.label == "event" for c in cues) and kind == "practice":
        confidence -= 0.15
    if words < 6 or words > 90:
        confidence -= 0.1
    confidence = round(min(max(confidence, 0.05), 0.99), 2)
    if confidence < MIN_CONFIDENCE:
        return Decision(None, cue, confidence, reason + ", too weak")
    return Decision(kind, cue, confidence, reason)
