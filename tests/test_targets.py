"""Target years and measurable quantities (esgdata.extraction.targets)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esgdata.extraction.targets import quantity, target_years

# (language, text, release year, expected target years)
YEARS = [
    # forward-looking words before the year
    ("en", "CECEP will peak its emissions by 2028.", 2023, [2028]),
    ("en", "The group will reach carbon neutrality before 2060.", 2023, [2060]),
    ("en", "Emissions will peak around 2026.", 2023, [2026]),
    ("en", "The new line will open in 2025.", 2023, [2025]),
    ("en", "The company set out its 2030 targets for clean power.", 2023, [2030]),
    ("en", "It will expand capacity by 2030, by 2040 and again by 2030.", 2023, [2030, 2040]),
    ("en", "The plant will close by the end of 2027.", 2023, [2027]),
    ("en", "The group will stop using coal no later than 2035.", 2023, [2035]),
    # a range counts by its end year
    ("en", "Between 2021 and 2025 the company will add 5 GW.", 2021, [2025]),
    ("en", "From 2024 to 2026 the group will retrofit its boilers.", 2023, [2026]),
    ("en", "During 2024-2028 it will build ten stations.", 2023, [2028]),
    # baselines are not targets
    ("en", "It will cut emissions by 30% by 2030 relative to 2020.", 2023, [2030]),
    ("en", "It will cut emissions by 30% by 2030 compared with 2024.", 2023, [2030]),
    ("en", "It will cut intensity 40% against 2027 levels by 2035.", 2023, [2035]),
    # dates and history are not targets
    ("en", "In June 2024 the group pledged to be carbon neutral by 2050.", 2023, [2050]),
    ("en", "Since 2012 the group has planted trees and will do so until 2030.", 2023, [2030]),
    # years before the release's own year are not targets
    ("en", "By 2020 the group had cut emissions and by 2030 it will halve them.", 2023, [2030]),
    ("en", "The group met its goal by 2015.", 2023, []),
    ("en", "The group will peak emissions by 2028.", None, [2028]),
    # Chinese
    ("zh", "到2030年，公司将把单位产值能耗降低20%。", 2023, [2030]),
    ("zh", "公司力争2060年前实现碳中和。", 2023, [2060]),
    ("zh", "集团碳排放将在2028年左右达峰。", 2023, [2028]),
    ("zh", "碳排放强度较2005年下降65%以上，到2030年实现达峰。", 2023, [2030]),
    ("zh", "2024年6月，公司发布了到2035年的行动方案。", 2023, [2035]),
    ("zh", "2012年以来，公司累计节能1000万吨标准煤。", 2023, []),
    ("zh", "2024-2026年期间，公司将新建10座电站。", 2023, [2026]),
    ("zh", "2024年至2027年，集团将完成改造。", 2023, [2027]),
    ("zh", "到2020年，公司已完成目标。", 2023, []),
]


@pytest.mark.parametrize(("language", "text", "release_year", "expected"), YEARS)
def test_target_years_are_the_forward_looking_years_of_a_sentence(language, text, release_year, expected):
    assert target_years(text, language, release_year) == expected


def test_a_sentence_without_a_year_has_no_target_years():
    assert target_years("The company will keep improving.", "en", 2023) == []
    assert target_years("公司将持续改进。", "zh", 2023) == []


QUANTITIES = [
    "The company will cut energy use by 18%.",
    "It will raise the share of clean power to 60 percent.",
    "It will lower emission intensity by 5 percentage points.",
    "The group plans to invest 10 billion yuan.",
    "The plant will save 200,000 tonnes of coal.",
    "It will add 500 MW of wind capacity.",
    "The group will build three stations.",
    "公司将把单位产值能耗降低20%。",
    "公司将建成10个零碳园区。",
    "集团将新增装机2300万千瓦。",
]


@pytest.mark.parametrize("text", QUANTITIES)
def test_a_measurable_quantity_is_found_with_its_unit(text):
    m = quantity(text)
    assert m is not None
    assert m.group() in text
    assert any(ch.isdigit() for ch in m.group()) or m.group().startswith("three")


@pytest.mark.parametrize(
    "text",
    ["The company will keep improving its services.", "公司将持续改进服务。", "by 2030"],
)
def test_a_sentence_without_an_amount_has_no_quantity(text):
    assert quantity(text) is None


@settings(deadline=None)
@given(year=st.integers(2000, 2099), data=st.data())
def test_by_a_year_at_or_after_the_release_year_is_that_target_year(year, data):
    release_year = data.draw(st.integers(2000, year))
    assert target_years(f"The company will cut emissions by {year}.", "en", release_year) == [year]


@settings(deadline=None)
@given(year=st.integers(2000, 2099))
def test_chinese_dao_a_year_is_that_target_year(year):
    assert target_years(f"到{year}年，公司将实现目标。", "zh", 2000) == [year]


_PHRASES = ["by", "before", "around", "in", "until", "since", "relative to", "against", "from"]


@settings(deadline=None)
@given(
    parts=st.lists(st.tuples(st.sampled_from(_PHRASES), st.integers(1950, 2150)), min_size=1, max_size=8),
    release_year=st.one_of(st.none(), st.integers(1990, 2100)),
)
def test_target_years_are_unique_and_never_before_the_release_year(parts, release_year):
    text = ", ".join(f"{phrase} {year}" for phrase, year in parts) + "."
    years = target_years(text, "en", release_year)
    assert len(years) == len(set(years))
    assert all(str(y) in text for y in years)
    if release_year is not None:
        assert all(y >= release_year for y in years)


@settings(deadline=None)
@given(
    years=st.lists(st.integers(1990, 2100), min_size=1, max_size=6),
    release_year=st.one_of(st.none(), st.integers(1990, 2100)),
)
def test_chinese_target_years_are_unique_and_never_before_the_release_year(years, release_year):
    text = "，".join(f"到{y}年" for y in years) + "。"
    found = target_years(text, "zh", release_year)
    assert len(found) == len(set(found))
    assert set(found) <= set(years)
    if release_year is not None:
        assert all(y >= release_year for y in found)


def test_a_starting_point_in_a_from_to_phrase_is_not_a_target():
    text = "The group intends to raise its charging points from 186,000 in 2020 to over 4 million by 2030."
    assert target_years(text, "en", None) == [2030]


def test_a_chinese_year_something_was_issued_in_is_not_a_target():
    assert target_years("为了落实国资委2022年印发的方案，力争在2025年完成。", "zh", None) == [2025]


@pytest.mark.parametrize("text", ["这是很突出的一个亮点", "建设一个平台"])
def test_one_of_something_in_chinese_is_no_measurable_quantity(text):
    assert quantity(text) is None


@pytest.mark.parametrize(
    ("sentence", "years"),
    [
        ("公司在《2022年度社会责任报告》中表示，将于2030年前实现碳达峰。", [2030]),
        ("要贯彻落实集团2023年度工作会议精神，确保2025年完成改造任务。", [2025]),
        ("公司把原定2050年实现的净零目标提前至2045年。", [2045]),
        ("公司把原訂2030年的綠電比例由40%調高為60%。", [2030]),
        ("其余燃煤机组将在2030年代初全部淘汰。", []),
    ],
    ids=["document title", "annual meeting", "deadline moved", "ratio raised", "decade"],
)
def test_chinese_years_that_date_a_document_a_meeting_or_a_replaced_deadline_are_not_targets(sentence, years):
    assert target_years(sentence, "zh", 2024) == years
