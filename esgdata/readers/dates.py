"""Release dates: every common written form to YYYY-MM-DD, and never a guessed date.

Numeric and Chinese forms are read by rule (their order is fixed: year, month, day);
forms with English month names go to dateutil, and a date missing its year, month or
day is refused rather than completed from today's date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from dateutil import parser as dateutil_parser

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMERAL = "〇零○Ｏ一二三四五六七八九十"

_YMD = re.compile(
    r"(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?:\s*[日号號])?(?!\d)"
)
_CN_YMD = re.compile(rf"([{_CN_NUMERAL}]{{4}})年([{_CN_NUMERAL}]{{1,3}})月([{_CN_NUMERAL}]{{1,3}})[日号]")
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_TEXTUAL = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
_DMY_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")


def _cn_number(text: str) -> int:
    """二〇二三 -> 2023 (digit by digit); 十七 -> 17, 二十 -> 20, 十 -> 10."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _textual(text: str) -> str | None:
    # Two different defaults: a field dateutil had to fill in differs between them.
    try:
        a = dateutil_parser.parse(text, default=dt.datetime(1901, 1, 1))
        b = dateutil_parser.parse(text, default=dt.datetime(1902, 2, 2))
    except (ValueError, OverflowError):
        return None
    return a.date().isoformat() if a.date() == b.date() else None


def find_date(text: str) -> tuple[str, int, int] | None:
    """The first complete date written in ``text``: (YYYY-MM-DD, start, end), or None."""
    text = text.translate(_FULLWIDTH)  # one character for one: offsets stay valid
    found: list[tuple[int, int, str | None]] = []
    if m := _YMD.search(text):
        found.append((m.start(), m.end(), _iso(int(m[1]), int(m[2]), int(m[3]))))
    if m := _CN_YMD.search(text):
        with contextlib.suppress(KeyError, ValueError):  # 十十 or 〇〇年 are no numbers
            found.append((m.start(), m.end(), _iso(_cn_number(m[1]), _cn_number(m[2]), _cn_number(m[3]))))
    if m := _TEXTUAL.search(text):
        found.append((m.start(), m.end(), _textual(m[0])))
    if m := _DMY_NUMERIC.search(text):
        first, second = int(m[1]), int(m[2])
        if first > 12 or second > 12 or first == second:  # 17/02/2023 or 02/17/2023
            found.append((m.start(), m.end(), _iso(int(m[3]), min(first, second), max(first, second))))
        # 03/04/2023 is March or April depending on the writer's country: no guess.
    for start, end, iso in sorted(found):
        if iso:
            return iso, start, end
    return None


def parse_date(text: str) -> str | None:
    """The first complete date written in ``text`` as YYYY-MM-DD, or None."""
    found = find_date(text)
    return found[0] if found else None


# --- info lines: the line near a heading that says when a page was published ---------------

_PUBLISHED_LABELS = (
    "发布时间|發布時間|發佈時間|发布日期|發布日期|發佈日期|发表时间|發表時間|发表日期|發表日期|发文日期|"
    "成文日期|印发日期|印發日期|发稿时间|發稿時間|日期|时间|時間|发布|發布|發佈|"
    r"published\s+on|published\s+date|publication\s+date|date\s+published|published|release\s+date|"
    r"released\s+on|released|posted\s+on|posted|issued\s+on|issued|date"
)
_UPDATED_LABELS = r"更新时间|更新時間|更新日期|last\s+updated|updated\s+on|updated|modified"
_OTHER_LABELS = (
    "来源|來源|稿源|出处|出處|作者|编辑|編輯|责任编辑|責任編輯|责编|浏览次数|瀏覽次數|浏览量|瀏覽量|浏览|瀏覽|"
    r"点击数|點擊數|点击|點擊|阅读|閱讀|字号|字號|分享到|source|author|by|views|editor|category"
)
_LABEL = re.compile(
    rf"(?<![A-Za-z])(?:(?P<published>{_PUBLISHED_LABELS})|(?P<updated>{_UPDATED_LABELS})|(?P<other>{_OTHER_LABELS}))"
    r"(?![A-Za-z])\s*[:：]?\s*",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"星期[一二三四五六日天]|週[一二三四五六日]|周[一二三四五六日]|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?",
    re.IGNORECASE,
)
_FIELD_VALUE = re.compile(rf"(?:{_OTHER_LABELS})\s*[:：]\s*\S*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s|/·•,，;；:：()（）\[\]【】<>《》\-–—_]+")
INFO_LINE_MAX = 160  # an info line is short; a longer line is body text


def _stands_as_label(line: str, m: re.Match[str]) -> bool:
    """A label opens the line, follows a separator, or has its colon; a word inside a sentence does not."""
    if any(c in m.group(0) for c in ":："):
        return True
    before = line[: m.start()].rstrip()
    return not before or before[-1] in "|·•/,;—–-【[(（　"


def labelled_date(line: str) -> str | None:
    """The publication date an info line gives after a label (发布时间：…, Published: …), or None.

    "Updated" dates count only when the line gives no publication date.
    """
    if len(line) > INFO_LINE_MAX:
        return None
    matches = list(_LABEL.finditer(line))
    published: str | None = None
    updated: str | None = None
    for i, m in enumerate(matches):
        if m.group("other") or not _stands_as_label(line, m):
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        segment = line[m.end() : end]
        found = find_date(segment)
        if found is None or found[1] > 3:  # the date follows its label
            continue
        if m.group("published") and published is None:
            published = found[0]
        elif m.group("updated") and updated is None:
            updated = found[0]
    return published or updated


def info_line_date(line: str) -> str | None:
    """The date of a short line that is only a date and page facts ("2021-06-03 10:20 | 来源：新华网").

    A sentence that mentions a date ("On March 18, 2022, the ranking was published") is not one.
    """
    if len(line) > INFO_LINE_MAX:
        return None
    labelled = labelled_date(line)
    if labelled:
        return labelled
    found = find_date(line)
    if found is None:
        return None
    rest = line[: found[1]] + " " + line[found[2] :]
    rest = _FIELD_VALUE.sub(" ", _WEEKDAY.sub(" ", _TIME.sub(" ", rest)))
    words = [w for w in _SEPARATORS.split(rest) if w]
    cjk = sum(1 for w in words for ch in w if "\u3400" <= ch <= "\u9fff")
    latin_words = sum(1 for w in words if not any("\u3400" <= ch <= "\u9fff" for ch in w))
    return found[0] if latin_words <= 3 and cjk <= 8 else None


def lone_date(line: str) -> str | None:
    """The date of a line that holds nothing else (bar a time and a weekday), or None."""
    if len(line) > 60:
        return None
    found = find_date(line)
    if found is None:
        return None
    rest = line[: found[1]] + " " + line[found[2] :]
    rest = _WEEKDAY.sub(" ", _TIME.sub(" ", rest))
    return found[0] if not [w for w in _SEPARATORS.split(rest) if w] else None
