"""What the model sees of one unit: the rules' evidence as named features, plus words.

Evidence features say *why* a unit might commit, in terms that hold for organisations
nobody listed: which cue classes fire and where, who the subject of the committing clause
is (the release's own organisation, a pronoun or "the company" standing for it, a
government, another company, a person of another body), tense and aspect, the role of
every year (deadline, base, range start, past), quantities, and the unit's place in an
enumeration or a speech. Word features are lower-cased English words and word pairs, or
Chinese characters and character pairs, with digits folded so that "2030" and "2035"
look alike. Every feature is computed once per unit; given a model's vocabulary, word
features the model has no weight for are left out (they could not change its answer).
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

from ..models import Span
from . import cues as cue_rules
from . import organizations
from .matcher import fold

# Bump whenever a feature changes meaning: weights trained on other features are refused.
FEATURES_VERSION = 2
# Word features are many and each weak; scaled down, they refine the evidence instead of drowning it.
NGRAM_SCALE = 0.6

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d|21\d\d)(?!\d)")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_EN_WORD = re.compile(r"[a-z][a-z'\-]*|<[a-z]+>")
_ZH_CHAR = re.compile(r"[\u4e00-\u9fff]|<[a-z]+>|[a-z]+")

# Tense and aspect, the strongest signs of a promise against a report (English). Word lists
# are looked up in the unit's set of words (and phrases in its lower-cased text): far faster
# than a regular expression per list.
_EN_WORDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "will": (frozenset({"will", "shall"}), ("'ll ",)),
    "would": (frozenset({"would"}), ()),
    "negation": (frozenset({"not", "no", "never", "nor"}), ()),
    "already": (frozenset({"already", "previously"}), ("so far", "to date", "last year", "earlier this")),
    "since": (frozenset({"since"}), ("over the past", "in recent years", "for years", "over the years")),
    "next": (
        frozenset({"next"}),
        ("going forward", "in future", "in the future", "years ahead", "from now on"),
    ),
    "wish": (
        frozenset({"hope", "hopes", "hoped", "wish", "wishes", "wished", "urged", "invited"}),
        ("called on",),
    ),
    "goal_noun": (
        frozenset(
            f"{w}{s}"
            for w in (
                "goal",
                "target",
                "ambition",
                "aim",
                "objective",
                "roadmap",
                "plan",
                "pledge",
                "commitment",
            )
            for s in ("", "s")
        ),
        (),
    ),
}
_EN_ASPECT = {
    "is_to": re.compile(r"\b(?:is|are|was|were)\s+(?:(?:also|now|then)\s+)?to\s+(?:be\s+)?\w+"),
    "perfect": re.compile(r"\b(?:has|have|had)\s+(?:(?:also|now|already|since|been)\s+)?\w+(?:ed|en|t)\b"),
    "past": re.compile(r"\b(?:was|were|did|had)\b|\b\w{3,}ed\b(?!\s+(?:by|to)\b)"),
    "progressive": re.compile(r"\b(?:is|are|am)\s+\w+ing\b"),
    "present_s": re.compile(r"\b(?:it|the \w+|[A-Z]\w+)\s+(?:\w+s)\b(?!\s*')"),  # on the original case
    "question": re.compile(r"\?\s*$"),
    "quote": re.compile(r"[\"“”]"),
}
_ZH_ASPECT = {
    "jiang": re.compile(r"将(?!军|领|近|士)"),
    "yao": re.compile(r"(?<![重主需必首只纪摘概])要(?![求素点闻])"),
    "yi_done": re.compile(r"已经|已(?![知])|业已"),
    "le": re.compile(r"了(?![解])"),
    "zhengzai": re.compile(r"正在|正"),
    "ongoing": re.compile(r"持续|不断|始终|一直|一贯|坚持|常态化|长期"),
    "wish": re.compile(r"希望|期望|期待|寄语|盼"),
    "expect": re.compile(r"预计|预期|有望"),
    "plan": re.compile(r"计划|规划|目标|方案|路线图|愿景"),
    "strive": re.compile(r"力争|争取|努力|确保|致力"),
    "by_year": re.compile(r"(?:到|至|在)\s*\d{4}\s*年|\d{4}\s*年(?:前|底前|之前|以前)"),
    "since": re.compile(r"以来|多年来|近年来|此前|截至|截止"),
    "question": re.compile(r"[？?]\s*$"),
    "quote": re.compile(r"[“”「」]"),
    "negation": re.compile(r"不|没有|未"),
    "next": re.compile(r"下一步|今后|未来|接下来|下阶段|新征程"),
}

_EN_BASE = re.compile(
    r"(?:baseline|base year|relative to|compared (?:with|to)|against|versus|from|than|levels?)"
    r"\W+(?:\w+\W+){0,3}?(?:19[5-9]\d|20\d\d)|(?:19[5-9]\d|20\d\d)\s+(?:levels?|baseline)"
)
_ZH_BASE = re.compile(r"(?:以|较|比|相比|相较于?)\s*\d{4}\s*年")
_EN_RANGE_START = re.compile(r"\b(?:from|between)?\s*(\d{4})\s*(?:-|–|—|to|and|through)\s*\d{4}\b")
_ZH_RANGE_START = re.compile(r"(\d{4})\s*年?\s*(?:-|—|–|至|到|~)\s*\d{4}")
_EN_ENUM_TO = re.compile(r"^\W*(?:\w+,\s+)?to\s+[a-z]+", re.I)
_HEADLINE = re.compile(r"[.!?。！？;；:：”\"]\s*$")


@dataclass(frozen=True)
class Context:
    """What a unit's features need to know about its release."""

    language: str
    release_year: int | None = None
    self_names: tuple[str, ...] = ()  # the release organisation's names as the release writes them
    standalone: bool = False  # a sentence classified on its own has no place in a release


@dataclass
class UnitEvidence:
    """The rules' findings on one unit, relative to the unit's text."""

    text: str
    cues: list[Span] = field(default_factory=list)
    orgs: list[Span] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    quantity: bool = False
    marker: str = ""
    lead_in: bool = False
    speaker: str = ""
    paragraph: int = 0
    index_in_paragraph: int = 0
    folded: str = ""  # the text folded for matching (Traditional -> Simplified), same length


def _words_en(text: str) -> list[str]:
    low = _DIGITS.sub(lambda m: "<year>" if _YEAR.fullmatch(m.group()) else "<num>", text.lower())
    return _EN_WORD.findall(low)


def _chars_zh(folded: str) -> list[str]:
    low = _DIGITS.sub(lambda m: "<year>" if _YEAR.fullmatch(m.group()) else "<num>", folded)
    return _ZH_CHAR.findall(low)


def ngrams(
    text: str,
    language: str,
    folded: str = "",
    value: float = 1.0,
    vocabulary: Container[str] | None = None,
) -> dict[str, float]:
    """Words and word pairs (English) or characters and character pairs (Chinese), each with
    ``value``; only those in ``vocabulary`` when one is given."""
    tokens = _chars_zh((folded or fold(text)).lower()) if language == "zh" else _words_en(text)
    if not tokens:
        return {}
    names = ["w:" + t for t in tokens]
    names += ["b:" + a + "_" + b for a, b in zip(["^", *tokens], tokens, strict=False)]
    if vocabulary is None:
        return dict.fromkeys(names, value)
    return {n: value for n in names if n in vocabulary}


def _subject_role(ev: UnitEvidence, ctx: Context, start: int, upto: int) -> str:
    """Who the words between ``start`` and ``upto`` name: self, agent, other_org, general, person,
    name or none."""
    head = ev.text[start:upto]
    # The names are Simplified; the release may be Traditional.
    low = (ev.folded[start:upto] if ev.folded else fold(head)).lower()
    if any(name.lower() in low for name in ctx.self_names):
        return "self"
    if any(start <= o.start and o.end <= upto for o in ev.orgs):
        return "other_org"
    if ctx.language == "zh" and re.match(r"\W*[他她]", head):
        return "person"  # 他希望集团…: the speaker's wish, whoever it names next
    if ctx.language != "zh" and organizations.en_names(head):
        return "name"  # a capitalised name that is not the release's own: another body, or a person
    labels = {c.label for c in ev.cues if start <= c.start and c.end <= upto}
    if "agent" in labels:
        return "agent"
    if "general" in labels:
        return "general"
    if ctx.language == "zh":
        return "person" if re.search(r"[他她]", head) else "none"
    if re.search(r"\b(?:he|she|they)\b", low):
        return "person"
    return "none"


def evidence_features(ev: UnitEvidence, ctx: Context) -> dict[str, float]:
    """The rules' evidence on one unit as named binary features."""
    text, zh = ev.text, ctx.language == "zh"
    f: dict[str, float] = {}
    cues = ev.cues
    for c in cues:
        f["cue:" + c.label] = 1.0
    committing = [c for c in cues if c.label in cue_rules.COMMITTING]
    first = committing[0] if committing else None
    if first is not None:
        f["first:" + first.label] = 1.0
        start, upto = cue_rules.subject_clause(text, first, cues)
        if first.start < len(text) * 0.5:
            f["cue_early"] = 1.0
        if first.label == "manner" and not cue_rules.governs_verb(text, first):
            f["manner:no_verb"] = 1.0
        if zh and cue_rules.past_moment_before(text, first.start):
            f["past_moment"] = 1.0
    else:
        start, upto = 0, min(len(text), 40 if zh else 80)
    role = _subject_role(ev, ctx, start, upto)
    if role == "none" and start > 0:  # "By 2030, Acme will ...": look back to the sentence start
        role = _subject_role(ev, ctx, 0, upto)
    f["subj:" + role] = 1.0
    if first is not None:
        f[f"subj_cue:{role}_{first.label}"] = 1.0
    for c in cues:
        if c.label == "modal":
            clause_start, clause_end = cue_rules.subject_clause(text, c, cues)
            agent = cue_rules.has_agent(cues, ev.orgs, clause_start, clause_end) or (
                _subject_role(ev, ctx, clause_start, clause_end) == "self"
            )
            f["modal:" + ("agent" if agent else "no_agent")] = 1.0
    low = text if zh else text.lower()
    for name, pattern in (_ZH_ASPECT if zh else _EN_ASPECT).items():
        if pattern.search(text if name == "present_s" else low):
            f["asp:" + name] = 1.0
    if not zh:
        words = set(_EN_WORD.findall(low))
        for name, (singles, phrases) in _EN_WORDS.items():
            if not words.isdisjoint(singles) or any(p in low for p in phrases):
                f["asp:" + name] = 1.0
    years = [int(y) for y in _YEAR.findall(text)]
    if ev.years:
        f["year:deadline"] = 1.0
        if len(ev.years) > 1:
            f["year:several"] = 1.0
    if years and ctx.release_year and any(y < ctx.release_year for y in years):
        f["year:past"] = 1.0
    if years and not ev.years:
        f["year:no_deadline"] = 1.0
    if years and (_ZH_BASE if zh else _EN_BASE).search(low):
        f["year:base"] = 1.0
    if years and (_ZH_RANGE_START if zh else _EN_RANGE_START).search(low):
        f["year:range"] = 1.0
    if ev.quantity:
        f["quantity"] = 1.0
    if ev.marker:
        f["enum:item"] = 1.0
        if ev.speaker:
            f["enum:spoken"] = 1.0
        if not zh and _EN_ENUM_TO.match(text[len(ev.marker) :]):
            f["enum:to"] = 1.0
    if ev.lead_in:
        f["enum:lead_in"] = 1.0
    if ev.speaker:
        f["speaking"] = 1.0
    if ev.paragraph == 0 and not ctx.standalone:
        f["pos:first_paragraph"] = 1.0
        if ev.index_in_paragraph == 0:
            f["pos:first_unit"] = 1.0
    if text.rstrip().endswith((":", "：")):
        f["ends_colon"] = 1.0
    if not _HEADLINE.search(text):
        f["no_final_stop"] = 1.0
    size = len(text) // 2 if zh else len(text.split())
    f["len:" + ("short" if size < 8 else "long" if size > 60 else "mid")] = 1.0
    return f


def _context_features(ev: UnitEvidence, prev: UnitEvidence | None) -> dict[str, float]:
    """What the unit before, in the same paragraph, says about this one."""
    if prev is None or prev.paragraph != ev.paragraph:
        return {}
    f = {}
    if prev.text.rstrip().endswith((":", "：")):
        f["prev:colon"] = 1.0
    if prev.lead_in:
        f["prev:lead_in"] = 1.0
    if prev.marker and ev.marker:
        f["prev:item"] = 1.0
    if prev.speaker and prev.speaker == ev.speaker:
        f["prev:same_speaker"] = 1.0
    return f


def release_features(
    evidence: list[UnitEvidence], ctx: Context, vocabulary: Container[str] | None = None
) -> list[dict[str, float]]:
    """Features of every unit of a release, in order: evidence, context and scaled words (only
    the words in ``vocabulary``, a model's weighted features, when given)."""
    out = []
    for i, ev in enumerate(evidence):
        f = evidence_features(ev, ctx)
        f.update(_context_features(ev, evidence[i - 1] if i else None))
        f.update(ngrams(ev.text, ctx.language, ev.folded, NGRAM_SCALE, vocabulary))
        out.append(f)
    return out


_ROLES = {
    "self": "the release's organisation",
    "agent": "a word for the organisation",
    "other_org": "another organisation",
    "name": "another named body or person",
    "general": "a country, a government or the world",
    "person": "a person",
    "none": "no subject found",
}


def subject_of(feats: dict[str, float]) -> str:
    """Who the features say the subject is, in words."""
    role = next((k[5:] for k in feats if k.startswith("subj:")), "none")
    return _ROLES.get(role, role)


def describe(feature: str) -> str:
    """A feature name in words, for the evidence a reviewer reads."""
    kind, _, value = feature.partition(":")
    if kind == "w":
        return f"the word '{value}'"
    if kind == "b":
        return f"the words '{value.replace('_', ' ').replace('^', '(start)')}'"
    if kind == "subj":
        return f"subject: {_ROLES.get(value, value)}"
    names = {"cue": "cue", "first": "first cue", "asp": "aspect", "year": "year", "enum": "enumeration"}
    return f"{names[kind]} {value.replace('_', ' ')}" if kind in names else feature.replace("_", " ")
