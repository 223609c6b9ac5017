"""Release dates: every written form of the spec to YYYY-MM-DD, and no guessed dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esgdata.readers.dates import parse_date

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CN_DIGITS = "〇一二三四五六七八九"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _cn_year(year: int) -> str:
    """2023 -> 二〇二三 (digit by digit, as releases write years)."""
    return "".join(CN_DIGITS[int(d)] for d in str(year))


def _cn_small(n: int) -> str:
    """1..31 -> 一, 十, 十七, 二十, 三十一 (as releases write months and days)."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[units]
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[units] if units else "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-02-17", "2023-02-17"),
        ("2023/2/17", "2023-02-17"),
        ("2023.2.17", "2023-02-17"),
        ("February 17, 2023", "2023-02-17"),
        ("Feb. 17, 2023", "2023-02-17"),
        ("17 Feb 2023", "2023-02-17"),
        ("17 February 2023", "2023-02-17"),
        ("Sept. 29, 2021", "2021-09-29"),
        ("September 29th, 2021", "2021-09-29"),
        ("2023年2月17日", "2023-02-17"),
        ("2023 年 2 月 17 日", "2023-02-17"),
        ("2023年12月31号", "2023-12-31"),
        ("二〇二三年二月十七日", "2023-02-17"),
        ("二〇二一年十二月三十一日", "2021-12-31"),
        ("二〇二〇年十月十日", "2020-10-10"),
        ("２０２３年２月１７日", "2023-02-17"),
        ("２０２３－０２－１７", "2023-02-17"),
        ("17/02/2023", "2023-02-17"),  # day > 12: only one reading
        ("02/17/2023", "2023-02-17"),
        ("February 29, 2024", "2024-02-29"),
    ],
)
def test_every_written_form_of_the_spec_gives_the_iso_date(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date: 2023-02-17", "2023-02-17"),
        ("BEIJING, Feb. 17, 2023 (Xinhua) -- CECEP said on Friday", "2023-02-17"),
        ("新华社北京2023年4月21日电 中国节能召开大会", "2023-04-21"),
        ("发布时间：2021年12月10日　来源：中国宝武报", "2021-12-10"),
    ],
)
def test_a_date_is_found_inside_a_longer_line(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_the_first_date_written_wins() -> None:
    assert parse_date("Signed on March 3, 2021 and renewed on 2022-05-06") == "2021-03-03"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Feb 2023", id="no day"),
        pytest.param("February 2023", id="no day, full month"),
        pytest.param("February 17", id="no year"),
        pytest.param("2023年2月", id="chinese, no day"),
        pytest.param("2023-02-30", id="february 30th"),
        pytest.param("February 29, 2023", id="not a leap year"),
        pytest.param("二〇二三年二月三十日", id="chinese february 30th"),
        pytest.param("2023-13-01", id="month 13"),
        pytest.param("03/04/2023", id="ambiguous day and month"),
        pytest.param("The group will peak emissions by 2030.", id="a year only"),
        pytest.param("no date here", id="no date"),
        pytest.param("", id="empty"),
    ],
)
def test_an_incomplete_impossible_or_ambiguous_date_is_refused(text: str) -> None:
    assert parse_date(text) is None


STYLES = {
    "iso": lambda d: d.isoformat(),
    "slashes": lambda d: f"{d.year}/{d.month}/{d.day}",
    "month name first": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "abbreviated month with a dot": lambda d: f"{MONTHS[d.month - 1][:3]}. {d.day}, {d.year}",
    "day first": lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    "chinese with digits": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "chinese numerals": lambda d: f"{_cn_year(d.year)}年{_cn_small(d.month)}月{_cn_small(d.day)}日",
    "full-width digits": lambda d: f"{d.year}年{d.month}月{d.day}日".translate(FULLWIDTH),
    "full-width iso": lambda d: d.isoformat().translate(FULLWIDTH).replace("-", "－"),
}


@pytest.mark.parametrize("style", sorted(STYLES))
@settings(deadline=None, max_examples=150)
@given(day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_date_written_in_a_supported_style_parses_back(style: str, day: dt.date) -> None:
    written = STYLES[style](day)
    assert parse_date(written) == day.isoformat(), written


@settings(deadline=None, max_examples=300)
@given(text=st.text(max_size=200))
def test_parse_date_never_raises_and_returns_none_or_a_real_iso_date(text: str) -> None:
    result = parse_date(text)
    assert result is None or dt.date.fromisoformat(result).isoformat() == result


DATE_ALPHABET = st.sampled_from(
    [
        *"0123456789０１２３４５６７８９年月日号/-.,: 〇一二三四五六七八九十",
        *["Feb", "Sept.", "March", "th", "of", " 2023", " 29"],
    ]
)


@settings(deadline=None, max_examples=300)
@given(pieces=st.lists(DATE_ALPHABET, max_size=30))
def test_parse_date_never_raises_on_date_like_noise(pieces: list[str]) -> None:
    result = parse_date("".join(pieces))
    assert result is None or dt.date.fromisoformat(result).isoformat() == result


# --- info lines ----------------------------------------------------------------------------

from esgdata.readers.dates import info_line_date, labelled_date, lone_date  # noqa: E402


@pytest.mark.parametrize(
    "line",
    [
        "发布时间：2021-06-03 来源：党群工作部 浏览次数：1532 【字号：大 中 小】",
        "來源：新華網　發佈時間：２０２１年６月３日",
        "日期：2021/6/3　作者：宣传部",
        "Published: 3 June 2021 | 3 min read",
        "Source: CECEP  Date: 2021-06-03",
        "Posted on June 3, 2021 by the Press Office",
        "更新时间：2021-06-08　发布时间：2021-06-03",
    ],
)
def test_a_labelled_publication_date_is_read_from_an_info_line(line: str) -> None:
    assert labelled_date(line) == "2021-06-03"
    assert info_line_date(line) == "2021-06-03"


@pytest.mark.parametrize(
    "line",
    [
        "On March 18, 2022, the ranking was published by a magazine.",
        "The report published on March 18, 2022 was read by many.",
        "2021年3月18日，集团曾印发安全生产专项整治三年行动实施方案。",
        "会议时间是2022年3月18日，会议地点在北京，参加人员为各部门负责人。",
    ],
)
def test_a_date_told_in_a_sentence_is_no_info_line_date(line: str) -> None:
    assert info_line_date(line) is None
    assert lone_date(line) is None


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("2021-06-03 10:20 | 来源：中国节能 | 浏览：456", "2021-06-03"),
        ("Jun 3, 2021 09:00 AM | Press release", "2021-06-03"),
        ("2021年6月3日 星期四", "2021-06-03"),
    ],
)
def test_an_unlabelled_info_line_gives_its_date(line: str, date: str) -> None:
    assert info_line_date(line) == date


def test_a_lone_date_line_holds_only_a_date_a_time_and_a_weekday() -> None:
    assert lone_date("３ June 2021") == "2021-06-03"
    assert lone_date("2021-06-03 10:30:00") == "2021-06-03"
    assert lone_date("2021-06-03 Press release") is None


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
@settings(max_examples=100, deadline=None)
def test_any_date_after_a_full_width_label_is_read(day: dt.date) -> None:
    line = f"发布时间：{day.year}年{day.month}月{day.day}日　浏览次数：{day.day * 7}".translate(FULLWIDTH)
    assert labelled_date(line) == day.isoformat()
