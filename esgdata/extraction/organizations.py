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
# A company name opens a clause (or follows 与/和/及) and never starts with a pronoun or a verb.
_ZH_COMPANY = re.compile(
    r"(?:^|(?<=[，。；：、\s“”《》（）()与和及]))(?![他她我你该本其各此这])"
    r"([\u4e00-\u9fff]{2,14}?(?:集团有限公司|集团公司|集团|股份有限公司|有限公司|公司))"
)
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
    names = en_names(company.group(1)) if company else []
    return names[0] if names else ""


def release_organization(title: str, paragraphs: tuple[str, ...], language: str) -> str:
    """The organisation a release is about: named in the title, else the most named in the opening."""
    in_title = [s.label for s in find(title) if not is_publisher(s.label)]
    if in_title:
        return in_title[0]
    opening = "\n".join(paragraphs[:3])
    counts = Counter(s.label for s in find(opening) if not is_publisher(s.label))
    if counts:
        return counts.most_common(1)[0][0]
    named = _title_names(title, "\n".join(paragraphs), language)
    return named[0] if named else _unknown(title, language) or _unknown(opening, language)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that open a capitalised phrase without being part of a name.
_EN_FUNCTION = _wordset(
    "The A An This That These Those Its It Their Our We He She They In On At By For From With As To Of And "
    "But Under Over After Before During Since Through Today Yesterday Speaking According When While If "
    "Meanwhile Also Mr Mrs Ms Dr First Second Third Finally Having Because"
)
# Places, roles, months and topics: part of a name, never a name alone.
_EN_NOT_NAME = _EN_FUNCTION | _wordset(
    "China Chinese Beijing Hong Kong State National Central Global World International New Chairman "
    "President Chief Executive Officer CEO General Manager Secretary Party Committee Board Group Company "
    "Corporation January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Net Zero Carbon Climate Energy Green ESG COP "
    "Report Plan Strategy Sustainability Environmental Social Ministry Investment Leadership India"
)
_EN_NAME = re.compile(r"(?<![\w'’])[A-Z][\w&'’\-]*(?:[ \t]+(?:[A-Z][\w&\-]*|of|de|&)){0,4}")
_ZH_HEAD = re.compile(
    r"(?:^|[。！？；，：\n“”「」])\s*([\u4e00-\u9fff]{2,6}?)(?=表示|宣布|发布|将|正式|加入|启动|召开|举行|提出|承诺|"
    r"计划|致力|积极|持续|始终|坚持|已|在|于|与|也|亦|还|的|把|通过|以|对|是|会)"
)
_ZH_NOT_HEAD = re.compile(
    r"[\d年月日]|^(?:我国|中国|全国|国家|世界|全球|各地|全社会|会议|他|她|我们|公司|集团|企业|双方|目标|行动|项目)"
)


def en_names(text: str) -> list[str]:
    """Capitalised name phrases of ``text`` with leading function words and possessives dropped."""
    names = []
    for m in _EN_NAME.finditer(text):
        words = [w.removesuffix("'s").removesuffix("’s") for w in m.group().split()]
        while words and (words[0] in _EN_FUNCTION or words[0] in ("of", "de", "&")):
            words = words[1:]
        while words and words[-1] in ("of", "de", "&"):
            words = words[:-1]
        if words and not all(w in _EN_NOT_NAME for w in words):
            names.append(" ".join(words))
    return names


@lru_cache(maxsize=1)
def _job_titles() -> frozenset[str]:
    return frozenset(t.lower() for t in lexicon.people()["titles_en"])


def _is_person(name: str, body: str) -> bool:
    """A surname of the lexicon, or a name the body gives a job title to ("Chairman Tom Reed",
    "Tom Reed, chief executive of ...")."""
    if name.split()[0] in lexicon.people()["surnames_en"]:
        return True
    titles = _job_titles()
    start = body.find(name)
    while start >= 0:
        before = body[max(0, start - 25) : start].lower().split()
        after = body[start + len(name) : start + len(name) + 40]
        if (before and before[-1] in titles) or (
            after.startswith(",") and any(w.strip(",") in titles for w in after.lower().split()[:3])
        ):
            return True
        start = body.find(name, start + len(name))
    return False


@lru_cache(maxsize=8)
def _title_names(title: str, body: str, language: str) -> list[str]:
    """Names in the title that the body keeps using, most used first (people left out)."""
    if language == "zh":
        heads = Counter(h for h in _ZH_HEAD.findall(title + "。" + body) if not _ZH_NOT_HEAD.search(h))
        lead = title.lstrip('“"《【[ ')
        surnames = lexicon.people()["surnames_zh"]
        return [
            h
            for h, n in heads.most_common(5)
            if ((lead.startswith(h) and n >= 2) or n >= 4) and not (len(h) <= 3 and h[0] in surnames)
        ]
    words = " " + " ".join(re.findall(r"[\w'&\-]+", title.lower())) + " "
    counts = Counter(en_names(body))
    found: list[str] = []
    for name, count in counts.most_common(12):
        first = name.split()[0]
        in_title = f" {name.lower()} " in words or (len(first) >= 4 and f" {first.lower()} " in words)
        if in_title and count + counts[first] >= 2 and not _is_person(name, body):
            found.append(name)
            if len(first) >= 4 and first not in _EN_NOT_NAME and counts[first] + count >= 3:
                found.append(first)
    return found


def release_names(
    title: str, paragraphs: tuple[str, ...], language: str, organization: str
) -> tuple[str, ...]:
    """The names a release uses for its own organisation: the lexicon's aliases, an abbreviation
    defined in the body, and the title's name that the body keeps using."""
    known = lexicon.organizations().get(organization)
    names = [a for aliases in known.aliases.values() for a in aliases] if known else [organization]
    body = "\n".join(paragraphs)
    names += (_ZH_ALIAS if language == "zh" else _EN_ABBREVIATION).findall(body[:3000])
    names += _title_names(title, body, language)
    return tuple(dict.fromkeys(n for n in names if len(n) >= 2))
