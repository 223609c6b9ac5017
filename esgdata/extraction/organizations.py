"""Who is behind a release, and which organisations a sentence names."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..models import Span
from . import lexicon
from .matcher import Matcher

# An organisation the lexicon does not know, named the way releases name companies.
_EN_COMPANY = re.compile(
    r"\b((?:[A-Z][\w&.\-]*\s){0,6}?(?:[A-Z][\w&.\-]*\s)?"
    r"(?:Group|Corporation|Corp\.|Company|Co\., Ltd\.?|Limited|Holdings|Commission|Ministry))\b"
)
_EN_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9&\-]{1,12})\)")
_ZH_COMPANY = re.compile(r"([\u4e00-\u9fff]{2,14}?(?:集团有限公司|集团公司|集团|股份有限公司|有限公司|公司))")
_ZH_ALIAS = re.compile(r"[（(]以下简称[“\"]?([\u4e00-\u9fffA-Za-z]{2,10})[”\"]?[）)]")


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    entries = {
        org.key: [alias for names in org.aliases.values() for alias in names]
        for org in lexicon.organizations().values()
    }
    return Matcher(entries, case_sensitive=True)


def find(text: str, folded: str | None = None, low: str | None = None) -> list[Span]:
    """Known organisations named in ``text`` (label = the organisation's short name)."""
    return _matcher().find(text, folded, low)


def is_publisher(key: str) -> bool:
    """True for news agencies, which report commitments rather than make them."""
    org = lexicon.organizations().get(key)
    return bool(org and org.publisher)


def _unknown(text: str, language: str) -> str:
    if language == "zh":
        alias = _ZH_ALIAS.search(text)
        if alias:
            return alias.group(1)
        company = _ZH_COMPANY.search(text)
        return company.group(1) if company else ""
    abbreviation = _EN_ABBREVIATION.search(text)
    company = _EN_COMPANY.search(text)
    if abbreviation and company and abbreviation.start() - company.end() <= 2:
        return abbreviation.group(1)
    return company.group(1).strip() if company else ""


def release_organization(title: str, paragraphs: tuple[str, ...], language: str) -> str:
    """The organisation a release is about: named in the title, else the most named in the opening."""
    in_title = [s.label for s in find(title) if not is_publisher(s.label)]
    if in_title:
        return in_title[0]
    opening = "\n".join(paragraphs[:3])
    counts = Counter(s.label for s in find(opening) if not is_publisher(s.label))
    if counts:
        return counts.most_common(1)[0][0]
    return _unknown(title, language) or _unknown(opening, language)
