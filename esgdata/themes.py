"""ESG themes and pillars of a piece of text, from the theme lexicon (English and Chinese)."""

from __future__ import annotations

from functools import lru_cache

from . import lexicon
from .matcher import Matcher
from .models import Span

PILLAR_ORDER = ("E", "S", "G")


@lru_cache(maxsize=1)
def matcher() -> Matcher:
    """Every theme keyword of both languages, so mixed-language text is tagged too."""
    themes = lexicon.themes().values()
    entries = {t.id: [w for words in t.keywords.values() for w in words] for t in themes}
    negatives = {t.id: [w for words in t.negatives.values() for w in words] for t in themes}
    return Matcher(entries, negatives)


def find(text: str, folded: str | None = None) -> list[Span]:
    """Theme keyword spans in ``text``; label = theme id."""
    return matcher().find(text, folded)


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
