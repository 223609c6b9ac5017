"""Sentences and enumeration items of a release body, with offsets into the body."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esgdata.extraction.segment import Unit, units


def texts(body: str, language: str) -> list[str]:
    return [u.text for u in units(body, language)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Mr. Song met Dr. Li in Beijing on Friday.",
        "The meeting was held at No.4 Building of the group headquarters.",
        "The meeting was held in Building No. 4 of the group headquarters.",
        "CECEP Solar Energy Co., Ltd. signed the contract in Beijing.",
        "China Energy Conservation and Environmental Protection Group Co. Ltd. signed it.",
        "The U.S. delegation arrived in Beijing to discuss climate cooperation.",
        "The forum opened on Sept. 29, 2021 in Beijing.",
        "The forum opened on Feb. 17, 2023 in Beijing.",
        "Prof. Wang and Ms. Chen of Sinopec Corp. attended the forum.",
    ],
)
def test_an_abbreviation_does_not_end_a_sentence(sentence: str) -> None:
    body = f"{sentence} The group will cut emissions."
    assert texts(body, "en") == [sentence, "The group will cut emissions."]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Output rose 3.5 percent in 2022. It is 1.5 times the 2015 level.",
            ["Output rose 3.5 percent in 2022.", "It is 1.5 times the 2015 level."],
        ),
        (
            'Song Xin said: "We will reach net zero." Then he left the hall.',
            ['Song Xin said: "We will reach net zero."', "Then he left the hall."],
        ),
        (
            "He called it \u201ca green future.\u201d The plan follows.",
            ["He called it \u201ca green future.\u201d", "The plan follows."],
        ),
        (
            "Will the group cut emissions? Yes! It will do so by 2030.",
            ["Will the group cut emissions?", "Yes!", "It will do so by 2030."],
        ),
    ],
)
def test_decimals_and_quotes_keep_english_sentences_whole(body: str, expected: list[str]) -> None:
    assert texts(body, "en") == expected


def test_sentences_run_together_without_a_space_are_split() -> None:
    body = "Song Xin attended the meeting and made a speech.Song noted that CECEP will grow."
    assert texts(body, "en") == [
        "Song Xin attended the meeting and made a speech.",
        "Song noted that CECEP will grow.",
    ]


def test_paragraphs_are_numbered_and_no_sentence_crosses_a_paragraph_break() -> None:
    body = "The group met in Beijing.\n\nIt will cut emissions. It will plant trees."
    got = units(body, "en")
    assert [(u.text, u.paragraph) for u in got] == [
        ("The group met in Beijing.", 0),
        ("It will cut emissions.", 1),
        ("It will plant trees.", 1),
    ]


def test_first_second_third_items_carry_their_marker() -> None:
    body = (
        "First, to focus on the main business. Second, to strengthen innovation. "
        "Third, to serve the people's livelihood."
    )
    got = units(body, "en")
    assert [u.text for u in got] == [
        "First, to focus on the main business.",
        "Second, to strengthen innovation.",
        "Third, to serve the people's livelihood.",
    ]
    assert [u.marker for u in got] == ["First,", "Second,", "Third,"]


def test_a_sentence_that_is_not_an_item_has_no_marker() -> None:
    got = units("The group will cut emissions by 2030.", "en")
    assert [u.marker for u in got] == [""]


def test_numbered_items_inside_one_sentence_give_one_unit_each() -> None:
    body = "The plan calls for: 1) cutting coal use; 2) building wind farms; 3) training staff."
    got = units(body, "en")
    assert [u.text for u in got] == [
        "The plan calls for:",
        "1) cutting coal use;",
        "2) building wind farms;",
        "3) training staff.",
    ]
    assert [u.marker for u in got] == ["", "1)", "2)", "3)"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "中国节能将坚持绿色发展。我们要加强科技创新！这是真的吗？",
            ["中国节能将坚持绿色发展。", "我们要加强科技创新！", "这是真的吗？"],
        ),
        (
            "宋鑫说：“我们一定要做好。”然后离开了会场。",
            ["宋鑫说：“我们一定要做好。”", "然后离开了会场。"],
        ),
        (
            "产量增长1.5倍。集团将继续推进节能减排。",
            ["产量增长1.5倍。", "集团将继续推进节能减排。"],
        ),
    ],
)
def test_chinese_sentences_end_at_full_stops_exclamations_and_questions(
    body: str, expected: list[str]
) -> None:
    assert texts(body, "zh") == expected


def test_chinese_yi_shi_er_shi_items_give_one_unit_each() -> None:
    body = "宋鑫强调，一是要坚持党的领导，二是要加强科技创新，三是要服务民生。"
    got = units(body, "zh")
    items = [u for u in got if u.marker]
    assert [u.marker for u in items] == ["一是", "二是", "三是"]
    assert [u.text for u in items] == [
        "一是要坚持党的领导",
        "二是要加强科技创新",
        "三是要服务民生。",
    ]
    assert "".join(u.text for u in got).startswith("宋鑫强调")


def test_chinese_bracketed_numbers_give_one_unit_each() -> None:
    body = "会议提出：（一）加强党的建设；（二）深化国企改革；（三）防范化解重大风险。"
    got = units(body, "zh")
    items = [u for u in got if u.marker]
    assert [u.marker for u in items] == ["（一）", "（二）", "（三）"]
    assert [u.text for u in items] == [
        "（一）加强党的建设",
        "（二）深化国企改革",
        "（三）防范化解重大风险。",
    ]


def test_a_lone_chinese_marker_is_not_an_enumeration() -> None:
    body = "宋鑫说一是要做好。"
    assert texts(body, "zh") == [body]


def _assert_well_formed(body: str, got: list[Unit]) -> None:
    for unit in got:
        assert unit.text == body[unit.start : unit.end]
        assert unit.text.strip(), "a unit is never empty"
        assert "\n\n" not in unit.text, "a unit never crosses a paragraph break"
        assert unit.paragraph == body[: unit.start].count("\n\n")
    for before, after in itertools.pairwise(got):
        assert before.end <= after.start, "units are in order and do not overlap"
        assert before.paragraph <= after.paragraph


ENGLISH_PIECES = st.sampled_from(
    [
        "The group",
        " will",
        " cut emissions",
        " by 2030",
        ".",
        ". ",
        "! ",
        "? ",
        ", ",
        "; ",
        ": ",
        " Mr.",
        " Dr.",
        " No.",
        " Co., Ltd.",
        " U.S.",
        " Sept. 29, 2021",
        " 3.5",
        ' "',
        "\u201c",
        "\u201d",
        " First,",
        " Second,",
        " 1) ",
        " 2) ",
        " (a) ",
        "\n",
        "\n\n",
        "\n\n\n",
        "  ",
        "speech.Song",
    ]
)
CHINESE_PIECES = st.sampled_from(
    [
        "中国节能",
        "将",
        "坚持绿色发展",
        "。",
        "！",
        "？",
        "，",
        "；",
        "：",
        "一是",
        "二是",
        "三是",
        "（一）",
        "（二）",
        "1.",
        "2、",
        "1.5倍",
        "“",
        "”",
        "\n",
        "\n\n",
        " ",
        "\u3000",
    ]
)


@settings(deadline=None, max_examples=300)
@given(body=st.lists(ENGLISH_PIECES, max_size=40).map("".join))
def test_english_units_are_exact_ordered_slices_of_the_body(body: str) -> None:
    _assert_well_formed(body, units(body, "en"))


@settings(deadline=None, max_examples=300)
@given(body=st.lists(CHINESE_PIECES, max_size=40).map("".join))
def test_chinese_units_are_exact_ordered_slices_of_the_body(body: str) -> None:
    _assert_well_formed(body, units(body, "zh"))


@pytest.mark.parametrize("language", ["en", "zh"])
@settings(deadline=None, max_examples=200)
@given(body=st.text(max_size=300))
def test_units_of_any_text_are_exact_ordered_slices_and_deterministic(language: str, body: str) -> None:
    got = units(body, language)
    _assert_well_formed(body, got)
    assert units(body, language) == got
