"""How alike two statements are, in words (Latin) and characters (Chinese): for carrying
reviews across re-ingests and for grouping statements of the same promise."""

from __future__ import annotations

import re
from collections import Counter

_TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+")


def tokens(text: str) -> Counter[str]:
    """Lower-cased words and single Chinese characters, with their counts."""
    return Counter(t.lower() for t in _TOKEN.findall(text))


def overlap(a: str | Counter[str], b: str | Counter[str]) -> float:
    """Shared tokens over the larger token count: 1.0 for the same words, 0.0 for none shared."""
    ta = tokens(a) if isinstance(a, str) else a
    tb = tokens(b) if isinstance(b, str) else b
    if not ta or not tb:
        return 0.0
    return sum((ta & tb).values()) / max(sum(ta.values()), sum(tb.values()))
