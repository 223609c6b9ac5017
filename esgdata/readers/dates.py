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
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")


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


def parse_date(text: str) -> str | None:
    """The first complete date written in ``text`` as YYYY-MM-DD, or None."""
    text = text.translate(_FULLWIDTH)
    found: list[tuple[int, str | None]] = []
    if m := _YMD.search(text):
        found.append((m.start(), _iso(int(m[1]), int(m[2]), int(m[3]))))
    if m := _CN_YMD.search(text):
        with contextlib.suppress(KeyError, ValueError):  # 十十 or 〇〇年 are no numbers
            found.append((m.start(), _iso(_cn_number(m[1]), _cn_number(m[2]), _cn_number(m[3]))))
    if m := _TEXTUAL.search(text):
        found.append((m.start(), _textual(m[0])))
    if m := _DMY_NUMERIC.search(text):
        first, second = int(m[1]), int(m[2])
        if first > 12 or second > 12 or first == second:  # 17/02/2023 or 02/17/2023
            found.append((m.start(), _iso(int(m[3]), min(first, second), max(first, second))))
        # 03/04/2023 is March or April depending on the writer's country: no guess.
    for _, iso in sorted(found):
        if iso:
            return iso
    return None
