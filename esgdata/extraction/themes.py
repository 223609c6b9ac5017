"""ESG themes and pillars of a piece of text: the theme lexicon (English and Chinese) proposes and
decides by its rules, and a learned layer (theme_model.py) may overrule it when confident."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from ..models import Span
from . import lexicon, theme_model
from .matcher import Matcher

PILLAR_ORDER = ("E", "S", "G")
_CJK = re.compile(r"[\u3400-\u9fff]")


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


def _theme(label: str) -> str:
    return label.rstrip(WEAK + CONTEXT)


def _strong(label: str) -> bool:
    return not label.endswith((WEAK, CONTEXT))


def resolve_by_rules(spans: list[Span]) -> list[Span]:
    """Weak keywords (服务) count beside a strong theme of their pillar or alone; context ones only beside."""
    strong_pillars = {lexicon.pillar_of(s.label) for s in spans if _strong(s.label)}
    out = []
    for s in spans:
        if _strong(s.label):
            out.append(s)
        elif lexicon.pillar_of(s.label[:-1]) in strong_pillars or (
            s.label.endswith(WEAK) and not strong_pillars
        ):
            out.append(Span(s.label[:-1], s.start, s.end, s.text))
    return out


def _specific(words: str) -> bool:
    """A compound term ("risk control", 安全生产) names its theme more surely than one word (risk, 安全)."""
    words = words.strip()
    return len(words) >= 3 if _CJK.search(words) else any(c in words for c in " -")


def candidate_features(spans: list[Span], by_rules: set[str]) -> dict[str, dict[str, float]]:
    """Theme id -> the learned layer's features, for every theme with a keyword among ``spans``.

    Generic evidence only (keyword counts by kind, compound terms, the other themes named, which
    theme comes first; no keyword identities), so the weights carry over to words and
    organisations the training data never had; theme_model.FEATURES_VERSION names this code."""
    by_theme: dict[str, list[Span]] = {}
    for s in spans:
        by_theme.setdefault(_theme(s.label), []).append(s)
    strong_per_pillar = Counter(lexicon.pillar_of(s.label) for s in spans if _strong(s.label))
    first = min((s.start for s in spans), default=0)
    out = {}
    for theme, own in by_theme.items():
        strong = sum(1 for s in own if _strong(s.label))
        specific = sum(1 for s in own if _strong(s.label) and _specific(s.text))
        weak = sum(1 for s in own if s.label.endswith(WEAK))
        chosen = float(theme in by_rules)
        out[theme] = {
            "strong": math.log1p(strong),
            "specific": math.log1p(specific),
            "weak": math.log1p(weak),
            "context": math.log1p(len(own) - strong - weak),
            "by_rules": chosen,
            f"theme={theme}": 1.0,
            f"by_rules:theme={theme}": chosen,
            "same_pillar_strong": math.log1p(strong_per_pillar[lexicon.pillar_of(theme)] - strong),
            "other_strong": math.log1p(sum(strong_per_pillar.values()) - strong),
            "themes_named": math.log1p(len(by_theme)),
            "named_first": float(min(s.start for s in own) == first),
        }
    return out


def resolve_weak(spans: list[Span], model: theme_model.ThemeModel | None = None) -> list[Span]:
    """The spans that give the text its themes, labelled by theme id: the rules' choice, with the
    learned layer's confident vetoes and additions (``model``: the shipped weights by default)."""
    if not spans:
        return []
    model = model or theme_model.shipped()
    by_rules = {s.label for s in resolve_by_rules(spans)}
    kept = {
        theme
        for theme, features in candidate_features(spans, by_rules).items()
        if model.keeps(features, theme in by_rules)
    }
    return [Span(_theme(s.label), s.start, s.end, s.text) for s in spans if _theme(s.label) in kept]


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
