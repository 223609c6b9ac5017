"""Keyword matching for the lexicons (themes, cues, organisations), in English and Chinese.

Rules, in the order they apply:

1. Text is folded before matching, keeping every offset: Traditional Chinese to
   Simplified, full-width ASCII to half-width, and every space, hyphen, dash or line
   break to a plain space. A space in a keyword matches one or more of those.
2. Keywords written all in capitals (``ESG``, ``BRI``, ``R&D``) match case-sensitively;
   every other keyword ignores case.
3. Latin-script keywords match whole words only (a Chinese character next to one is a
   boundary: 推动ESG理念 names ESG), and also match their plural
   (``+s``/``+es``); a trailing ``*`` matches any word ending (``innovat*``).
   Chinese keywords match anywhere.
4. At each position the longest keyword wins; matches never overlap (left-most first).
5. A negative wording of a label removes every match of that label it overlaps
   ("energy security" is not work safety).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from ..models import Span

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEPARATORS = (
    "\t\n\r\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000-\u2010\u2011\u2012\u2013\u2014\u2015"
)
_FOLD_TABLE: dict[int, str] = {ord(c): " " for c in _SEPARATORS}
_FOLD_TABLE.update({c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
_FOLD_TABLE.update({ord("’"): "'", ord("‘"): "'"})


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Length-preserving normal form used for matching (see the module rules)."""
    folded = text.translate(_FOLD_TABLE)
    if _CJK.search(folded):
        simplified: str = _t2s().convert(folded)  # type: ignore[attr-defined]
        if len(simplified) == len(folded):
            folded = simplified
    return folded


def lower(folded: str) -> str:
    """Lower-case without changing the length (a few letters lower to two characters)."""
    low = folded.lower()
    if len(low) == len(folded):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)


def normalize_keyword(keyword: str) -> str:
    """The form keywords are compared in: folded, single-spaced, lower-case unless an acronym."""
    key = " ".join(fold(keyword).split())
    return key if is_acronym(key) else lower(key)


def is_acronym(keyword: str) -> bool:
    """ESG, BRI, R&D, COVID-19: capitals (and digits or symbols), at least two letters."""
    letters = [c for c in keyword if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and not _CJK.search(keyword)


_LATIN_WORD = r"[^\W\u3400-\u9fff\uf900-\ufaff]"  # a word character that is not Chinese


def _word_char(ch: str) -> bool:
    return (ch.isalnum() or ch == "_") and not _CJK.match(ch)


def _plurals(key: str) -> list[str]:
    if key[-1:] == "y" and key[-2:-1] not in ("a", "e", "o", "u"):
        return [key, key[:-1] + "ies"]
    return [key, key + "s", key + "es"]


def trie_pattern(words: Iterable[str], *, not_after: str = "") -> str:
    """One regex for many keywords, longest alternative first at every branch; with ``not_after``
    (a one-character class), a keyword cannot start right after such a character.

    That check follows each keyword's first character (``k(?<!X.)ey`` rather than ``(?<!X)key``):
    the pattern then opens with plain letters, and the engine skips ahead to positions that
    start a keyword instead of trying every position."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    behind = f"(?<!{not_after}(?s:.))" if not_after else ""

    def render(node: dict, top: bool = False) -> str:  # type: ignore[type-arg]
        terminal = "" in node
        alts = []
        for ch in sorted((c for c in node if c), reverse=True):
            if ch == " ":
                head = " +"
            elif ch == "*":
                head = r"\w*"
            else:
                head = re.escape(ch)
            if top and behind:
                head += behind
            alts.append(head + render(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and len(alts[0]) <= 2 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if terminal else body

    return render(trie, top=True)


class _Group:
    """One script's keywords, compiled on first use in the form that scans a text fastest.

    Latin keywords must start a word. Checked before the keyword (``(?<!x)key``), every position
    of a text is tried, which is quick where nearly every position is a letter anyway (English);
    checked after its first character (trie_pattern's ``not_after``), the engine skips straight to
    letters that start a keyword, which is far quicker in Chinese text. Both find the same spans.
    """

    def __init__(self, name: str, words: set[str]) -> None:
        self.name = name
        self._words = words
        self._compiled: dict[bool, re.Pattern[str]] = {}

    def regex(self, cjk_text: bool) -> re.Pattern[str]:
        """The compiled keywords, for a text that has Chinese characters or not."""
        skip_ahead = cjk_text and self.name == "latin"
        found = self._compiled.get(skip_ahead)
        if found is None:
            if self.name != "latin":
                # Case-sensitive patterns scan faster without lookarounds; _scan checks word boundaries.
                source = trie_pattern(self._words)
            elif skip_ahead:
                source = rf"{trie_pattern(self._words, not_after=_LATIN_WORD)}(?!{_LATIN_WORD})"
            else:
                source = rf"(?<!{_LATIN_WORD}){trie_pattern(self._words)}(?!{_LATIN_WORD})"
            found = self._compiled[skip_ahead] = re.compile(source)
        return found


class Matcher:
    """Compiled lexicon: ``find(text)`` returns the labelled keyword spans (rules above)."""

    def __init__(
        self,
        entries: Mapping[str, Iterable[str]],
        negatives: Mapping[str, Iterable[str]] | None = None,
        *,
        case_sensitive: bool = False,
    ) -> None:
        self._case_sensitive = case_sensitive  # proper names: "Shell" the company, not a shell
        self._labels: dict[str, tuple[str, ...]] = {}
        self._negative_labels: dict[str, tuple[str, ...]] = {}
        self._patterns = self._compile(entries, self._labels)
        self._negatives = self._compile(negatives or {}, self._negative_labels)

    def _compile(
        self, entries: Mapping[str, Iterable[str]], labels: dict[str, tuple[str, ...]]
    ) -> list[_Group]:
        groups: dict[str, set[str]] = {"latin": set(), "acronym": set(), "cjk": set()}
        found: dict[str, set[str]] = {}
        for label, keywords in entries.items():
            for keyword in keywords:
                key = " ".join(fold(keyword).split()) if self._case_sensitive else normalize_keyword(keyword)
                if not key:
                    continue
                if _CJK.search(key):
                    variants, group = [key], "cjk"
                else:
                    group = "acronym" if self._case_sensitive or is_acronym(key) else "latin"
                    variants = [key] if key.endswith("*") else _plurals(key)
                for variant in variants:
                    groups[group].add(variant)
                    found.setdefault(variant, set()).add(label)
        labels.update({key: tuple(sorted(names)) for key, names in found.items()})  # sorted once, not per hit
        return [_Group(group, words) for group, words in groups.items() if words]

    @staticmethod
    def _lookup(matched: str, labels: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        key = " ".join(matched.split()) if "  " in matched else matched
        found = labels.get(key)
        if found is not None:
            return found
        # A wildcard keyword matched: the longest wildcard stem that starts the match.
        for end in range(len(key), 0, -1):
            found = labels.get(key[:end] + "*")
            if found is not None:
                return found
        return ()

    def _scan(
        self,
        folded: str,
        low: str,
        groups: list[_Group],
        labels: dict[str, tuple[str, ...]],
        has_cjk: bool,
    ) -> list[tuple[int, int, str]]:
        hits = []
        end_of_text = len(folded)
        for group in groups:
            if group.name == "cjk" and not has_cjk:
                continue
            acronym = group.name == "acronym"
            for m in group.regex(has_cjk).finditer(folded if acronym else low):
                start, end = m.span()
                if acronym and (
                    (start and _word_char(folded[start - 1]))
                    or (end < end_of_text and _word_char(folded[end]))
                ):
                    continue
                for label in self._lookup(m.group(), labels):
                    hits.append((start, end, label))
        return hits

    def find(self, text: str, folded: str | None = None, low: str | None = None) -> list[Span]:
        """Labelled spans in ``text`` (pass ``fold(text)`` and ``lower(fold(text))`` when you have them)."""
        folded = fold(text) if folded is None else folded
        low = lower(folded) if low is None else low
        has_cjk = bool(_CJK.search(folded))
        hits = self._scan(folded, low, self._patterns, self._labels, has_cjk)
        if not hits:
            return []
        # Longest first at each start; then drop anything overlapping a kept span.
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        kept: list[tuple[int, int, str]] = []
        taken_until = -1
        first_of_start: tuple[int, int] | None = None
        for start, end, label in hits:
            if first_of_start and (start, end) == first_of_start:
                kept.append((start, end, label))  # same words, another label
                continue
            if start >= taken_until:
                kept.append((start, end, label))
                taken_until = end
                first_of_start = (start, end)
        if self._negatives:
            blocked: dict[str, list[tuple[int, int]]] = {}
            for ns, ne, nlab in self._scan(folded, low, self._negatives, self._negative_labels, has_cjk):
                blocked.setdefault(nlab, []).append((ns, ne))
            if blocked:
                kept = [
                    (s, e, lab)
                    for s, e, lab in kept
                    if not any(s < ne and ns < e for ns, ne in blocked.get(lab, ()))
                ]
        return [Span(label, s, e, text[s:e]) for s, e, label in kept]
