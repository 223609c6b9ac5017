"""Target years and measurable quantities in a commitment.

A year counts as a target when the words around it look forward ("by 2030", "before
2060", "around 2025", "in 2035", 到2030年, 2060年前, 2028年左右). A range counts by its
end year ("between 2021 and 2025", 2021-2025). Years that are baselines ("relative to
2020", "against 2007 levels", 较2005年), dates (2019年6月, "June 2019"), history
("since 2012", 2012年以来) or before the release's own year are not targets.
"""

from __future__ import annotations

import re

_YEAR = r"(?:19[5-9]\d|20\d\d|21\d\d)"
_EN_FORWARD = re.compile(
    rf"\b(?:by|before|around|about|in|during|for|until|till|through|to|towards?|ahead of|no later than|"
    rf"(?:by |before |at )?the end of|end-|beyond|from now to|within|after|year)"
    rf"\s+(?:the\s+)?(?:year\s+)?({_YEAR})\b"
    rf"|\b({_YEAR})\s+(?:goals?|targets?|agenda|vision|plan|strategy|action|initiative|ambitions?"
    rf"|commitments?|deadline)\b",
    re.IGNORECASE,
)
_EN_RANGE = re.compile(rf"\b(?:between\s+)?({_YEAR})\s*(?:-|–|—|to|and|through)\s*({_YEAR})\b")
_EN_NOT_TARGET = re.compile(
    rf"(?:relative to|compared (?:with|to)|against|from|(?<!later )than|versus|vs\.?|over|on|since|as of|"
    rf"up from|down from|(?<!end )of|below|above|(?:January|February|March|April|May|June|July|August|"
    rf"September|October|November|December)(?:\s+\d{{1,2}},)?)"
    rf"\s+(?:the\s+|its\s+)?({_YEAR})\b(?!\s*(?:-|–|to)\s*{_YEAR})"
    rf"|\b({_YEAR})\s+levels?\b"
    rf"|\b(?:up from|down from|from|compared with|since)\b"
    rf"(?:[^,;]|(?<=\d),(?=\d)){{0,60}}?\b(?:in|of)\s+({_YEAR})\b",
    re.IGNORECASE,
)
_ZH_YEAR = re.compile(rf"({_YEAR})\s*年")
_ZH_NOT_TARGET_BEFORE = re.compile(r"(?:较|比|相比|对比|自|从|截至|截止|同比|相较)(?:于)?\s*$")
_ZH_NOT_TARGET_AFTER = re.compile(
    r"^\s*(?:\d{1,2}\s*月|以来|起|相比|水平|基础上|同期|的基础|印发|发布|出台|召开|举行|启动|开展的|代"
    r"|度(?:工作会议|报告|會議|工作會議|報告|会议|环境|環境|社会|社會|可持续|可持續|ESG))"
)
_ZH_FORMER = re.compile(r"原(?:先|定|訂|订|计划|計劃|本)")
_ZH_MOVED = re.compile(rf"(?:提早|提前|延后|延後|推迟|推遲)(?:至|到){_YEAR}")
_ZH_RANGE = re.compile(rf"({_YEAR})\s*(?:年)?\s*(?:-|—|–|至|到|~)\s*({_YEAR})\s*年")

# A quantity is a number with its unit: digits (most), a number word, or Chinese numerals. Each
# form is searched only when the text has its first character, which keeps the search cheap.
# Every alternative of the digit form starts with \d (the lookbehind of "3年" comes after its first
# digit), so the engine skips ahead to digits instead of trying each position.
_QUANTITY_DIGITS = re.compile(
    r"\d[\d,.]*\s*(?:%|percent|per cent|percentage points?|个百分点|％|成)"
    r"|\d[\d,.]*\s*(?:million|billion|trillion|thousand)?\s*(?:kW|MW|GW|TW|kWh|MWh|GWh|TWh|tonnes?|"
    r"tons?|bcm|cubic met(?:er|re)s?|yuan|dollars|euros|stations|units|vehicles|projects|bases|locations|"
    r"hectares|mu|"
    r"km|kilomet(?:er|re)s)\b"
    r"|\d[\d,.]*\s*(?:万|亿)?\s*(?:千瓦|瓦|吨|元|立方米|个|座|家|项|辆|户|人|亩|公里|倍)"
    r"|\d(?<![\d年]\d)\d?\s*年(?!\d)",
    re.IGNORECASE,
)
_NUMBER_WORDS = frozenset(
    {
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twenty",
        "thirty",
        "fifty",
        "hundred",
    }
)
_QUANTITY_WORDS = re.compile(
    rf"\b(?:{'|'.join(sorted(_NUMBER_WORDS))})\s+"
    r"(?:locations|bases|stations|projects|plants|centres|centers|major businesses)\b",
    re.IGNORECASE,
)
_ZH_NUMERAL = re.compile(r"[一二三四五六七八九十百千万亿]")
_QUANTITY_ZH = re.compile(
    r"(?:[二三四五六七八九十百千万亿]|[一二三四五六七八九十]{2,})[一二三四五六七八九十百千万亿]*\s*(?:个|座|家|项|倍)"
)
_DIGIT = re.compile(r"\d")


def _keep(year: int, release_year: int | None) -> bool:
    return release_year is None or year >= release_year


_ANY_YEAR = re.compile(_YEAR)


def target_years(text: str, language: str, release_year: int | None) -> list[int]:
    """Every target year ``text`` names, in order of first mention, without repeats."""
    if not _ANY_YEAR.search(text):
        return []
    found: list[tuple[int, int]] = []
    if language == "zh":
        ranges = {m.start(1): int(m[2]) for m in _ZH_RANGE.finditer(text)}
        for m in _ZH_YEAR.finditer(text):
            if m.start() in ranges:
                found.append((m.start(), ranges[m.start()]))
                continue
            if _ZH_NOT_TARGET_BEFORE.search(text[max(0, m.start() - 4) : m.start()]):
                continue
            if _ZH_NOT_TARGET_AFTER.match(text[m.end() : m.end() + 6]):
                continue
            if text.rfind("《", 0, m.start()) > text.rfind("》", 0, m.start()):
                continue  # a year in a document's title (《2020年度报告》) dates the document
            if _ZH_FORMER.search(text[max(0, m.start() - 6) : m.start()]) and _ZH_MOVED.search(text, m.end()):
                continue  # 原定2050年…提早至2040年: the old deadline, replaced by the new one
            found.append((m.start(), int(m[1])))
        # "FINE 2030行动" names its year without 年
        found += [
            (m.start(1), int(m[1]))
            for m in re.finditer(rf"(?<!\d)({_YEAR})(?=\s*(?:行动|目标|愿景|议程|倡议))", text)
        ]
    else:
        forward = list(_EN_FORWARD.finditer(text))
        # Blocked positions matter only to a forward-looking year: without one, skip the slow search.
        blocked = (
            {next(m.start(g) for g in (1, 2, 3) if m.group(g)) for m in _EN_NOT_TARGET.finditer(text)}
            if forward
            else set()
        )
        range_starts = set()
        for m in _EN_RANGE.finditer(text):
            range_starts.add(m.start(1))
            blocked.add(m.start(1))
            found.append((m.start(2), int(m[2])))
            blocked.add(m.start(2))
        for m in forward:
            pos = m.start(1) if m.group(1) else m.start(2)
            if pos in blocked and pos not in range_starts:
                continue
            if pos in range_starts:
                continue
            found.append((pos, int(m.group(1) or m.group(2))))
    years: list[int] = []
    for _, year in sorted(found):
        if _keep(year, release_year) and year not in years:
            years.append(year)
    return years


def quantity(text: str) -> re.Match[str] | None:
    """The first measurable quantity in ``text`` (a percentage, an amount with its unit)."""
    if _DIGIT.search(text):
        found = _QUANTITY_DIGITS.search(text)
        if found:
            return found
    if _ZH_NUMERAL.search(text):
        found = _QUANTITY_ZH.search(text)
        if found:
            return found
    if not _NUMBER_WORDS.isdisjoint(text.lower().split()):
        return _QUANTITY_WORDS.search(text)
    return None
