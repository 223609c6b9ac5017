"""Is a sentence a commitment, and of which kind? Cue rules over the cue lexicon.

- A future cue ("will", "aims to", 将, 力争) or a directive ("must", 要) makes a pledge;
  with a target year or a measurable quantity it is a target.
- A practice cue ("has always", "adheres to", 始终坚持, 持续) makes a practice; a manner
  adverb ("actively", 积极) does too, but only when the organisation is the subject.
- The earliest of these cues decides between pledge and practice ("has always insisted
  on ..., striving to ..." is a practice).
- An enumeration item in a leader's speech ("First, to focus on ...") is a pledge.
- Not commitments: no cue; a forecast about a single project ("the plant will generate");
  a reported "would" with no one reporting; a one-off event carried only by a manner adverb;
  statements with no organisation, speaker or enumeration behind them lose confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .matcher import Matcher
from .models import Span

MIN_CONFIDENCE = 0.5
_COMMITTING = ("future", "directive", "practice")
_BASE = {"future": 0.75, "directive": 0.7, "practice": 0.72, "manner": 0.55, "enumeration": 0.7}


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


def _first(spans: list[Span], *labels: str) -> Span | None:
    return next((s for s in spans if s.label in labels), None)


def classify(
    text: str,
    cues: list[Span],
    *,
    language: str,
    org_mentions: int,
    speaking: bool,
    marker: str,
    has_target: bool,
) -> Decision:
    """Decide one unit. ``cues`` are cue spans relative to ``text``, in order."""
    cues = [c for c in cues if c.label != "future" or c.text.lower() != "would" or speaking
            or any(r.label == "report" and r.start < c.start for r in cues)]
    deciding = _first(cues, *_COMMITTING)
    agent_before = org_mentions > 0 or any(
        c.label == "agent" and (deciding is None or c.start < deciding.start) for c in cues
    )
    backed = agent_before or speaking or bool(marker)
    if deciding is None:
        manner = _first(cues, "manner")
        if marker and speaking:
            kind, cue, confidence, reason = "pledge", Span("enumeration", 0, len(marker), marker), _BASE["enumeration"], "enumerated item of a speech"
        elif manner and agent_before and not _first(cues, "event"):
            kind, cue, confidence, reason = "practice", manner, _BASE["manner"], "manner adverb with the organisation as subject"
        else:
            return Decision(None, None, 0.0, "no commitment cue")
    else:
        kind = "practice" if deciding.label == "practice" else "pledge"
        cue, confidence, reason = deciding, _BASE[deciding.label], f"{deciding.label} cue"
        subject = [c for c in cues if c.start < deciding.start]
        if any(c.label == "forecast" for c in subject) and not agent_before:
            return Decision(None, deciding, 0.2, "forecast about a project, not a commitment")
        if any(c.label == "general" for c in subject) and not agent_before and not speaking:
            return Decision(None, deciding, 0.25, "statement about the world in general")
    if kind == "pledge" and has_target:
        kind, confidence = "target", confidence + 0.1
    if backed:
        confidence += 0.1
    else:
        confidence -= 0.2
    if any(c.label == "hedge" for c in cues):
        confidence -= 0.2
    if any(c.label == "event" for c in cues) and kind == "practice":
        confidence -= 0.15
    words = len(text.split()) if language == "en" else len(text) // 2
    if words < 6 or words > 90:
        confidence -= 0.1
    confidence = round(min(max(confidence, 0.05), 0.99), 2)
    if confidence < MIN_CONFIDENCE:
        return Decision(None, cue, confidence, reason + ", too weak")
    return Decision(kind, cue, confidence, reason)
