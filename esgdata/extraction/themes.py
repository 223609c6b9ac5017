"""ESG themes and pillars of a piece of text, from the theme lexicon (English and Chinese)."""

from __future__ import annotations

from functools import lru_cache

from ..models import Span
from . import lexicon
from .matcher import Matcher

PILLAR_ORDER = ("E", "S", "G")


WEAK = "~"  # label suffix of a weak keyword's span
CONTEXT = "^"  # label suffix of a context keyword's span


@lru_cache(maxsize=1)
def matcher() -> Matcher:
    """Every theme keyword of both languages, so mixed-language text is tagged too."""
    themes = lexicon.themes().values()
    entries = {t.id: [w for words in t.keywords.values() for w in words] for t in themes}
    entries.update({t.id + WEAK: [w for words in t.weak.values() for w in words] for t in themes})
    entries.update({t.id + CONTEXT: [w for words in t.context.values() for w in words] for t in themes})
    negatives = {t.id: [w for words in t.negatives.values() for w in words] for t in themes}
    negatives.update({t.id + suffix: negatives[t.id] for t in themes for suffix in (WEAK, CONTEXT)})
    return Matcher(entries, negatives)


def find(text: str, folded: str | None = None, low: str | None = None) -> list[Span]:
    """Theme keyword spans in ``text``; label = theme id, + "~" for weak and "^" for context keywords."""
    return matcher().find(text, folded, low)


def resolve_weak(spans: list[Span]) -> list[Span]:
    """Weak keywords (服务) count beside a strong theme of their pillar or alone; context ones only beside."""
    strong_pillars = {lexicon.pillar_of(s.label) for s in spans if not s.label.endswith((WEAK, CONTEXT))}
    out = []
    for s in spans:
        if not s.label.endswith((WEAK, CONTEXT)):
            out.append(s)
        elif lexicon.pillar_of(s.label[:-1]) in strong_pillars or (
            s.label.endswith(WEAK) and not strong_pillars
        ):
            out.append(Span(s.label[:-1], s.start, s.end, s.text))
    return out


def theme_ids(spans: list[Span]) -> tuple[str, ...]:
    """Theme ids in the order the text first names them."""
    seen: dict[str, None] = {}
    for span in spans:
        seen.setdefault(span.label, None)
    return tuple(seen)


def pillars(theme_ids: tuple[str, ...]) -> tuple[str, ...]:
    """E, S, G letters of the given themes, in that order."""
    present = {lexicon.pillar_of(t) for t in theme_ids}
    return tuple(p for p in PILLAR_ORDER if p in present)
