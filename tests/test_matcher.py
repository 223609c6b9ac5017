"""Keyword matching: folding, word boundaries, plurals, wildcards, acronyms, negatives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esgdata.extraction.matcher import Matcher, fold


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    """(label, matched words) pairs, checking every span points at its words in ``text``."""
    spans = matcher.find(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
    return [(s.label, s.text) for s in spans]


THEMES = Matcher(
    {
        "climate": [
            "carbon",
            "carbon neutrality",
            "low carbon",
            "climate change",
            "emission",
            "decarboni*",
            "CO2",
        ],
        "energy": ["energy", "energy saving", "battery", "wind power"],
        "esg": ["ESG"],
        "safety": ["safety", "work safety"],
        "ecology": ["生态文明", "绿水青山"],
        "zh_climate": ["碳达峰", "节能"],
    },
    {"safety": ["food safety"]},
)


def test_the_longest_keyword_wins_at_a_position() -> None:
    assert found(THEMES, "carbon neutrality by 2060") == [("climate", "carbon neutrality")]
    assert found(THEMES, "energy saving lamps") == [("energy", "energy saving")]


def test_matches_do_not_overlap() -> None:
    spans = THEMES.find("low carbon neutrality")
    assert [(s.label, s.text) for s in spans] == [("climate", "low carbon")]


@pytest.mark.parametrize(
    "text",
    ["carbonated drinks", "the scarbon sample", "energetic staff", "safetynet"],
)
def test_latin_keywords_match_whole_words_only(text: str) -> None:
    assert found(THEMES, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "low carbon",
        "low-carbon",
        "low\u2013carbon",
        "low\u2014carbon",
        "low\ncarbon",
        "low   carbon",
    ],
)
def test_a_space_in_a_keyword_matches_any_separator(text: str) -> None:
    assert found(THEMES, f"a {text} economy") == [("climate", text)]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("emissions", "climate"),
        ("batteries", "energy"),
        ("Emission", "climate"),
        ("CARBON", "climate"),
        ("Work Safety", "safety"),
    ],
)
def test_plurals_and_other_cases_of_ordinary_keywords_match(text: str, label: str) -> None:
    assert found(THEMES, f"about {text} today") == [(label, text)]


@pytest.mark.parametrize("word", ["decarbonisation", "decarbonization", "decarbonize", "decarboni"])
def test_a_trailing_star_matches_any_word_ending(word: str) -> None:
    assert found(THEMES, f"deep {word} now") == [("climate", word)]


def test_a_star_keyword_still_needs_a_word_start() -> None:
    assert found(THEMES, "predecarbonisation") == []


def test_a_keyword_in_capitals_is_case_sensitive() -> None:
    assert found(THEMES, "an ESG report") == [("esg", "ESG")]
    assert found(THEMES, "an esg report, an Esg report") == []
    assert found(THEMES, "CO2 but not co2") == [("climate", "CO2")]


def test_case_sensitive_names_match_only_as_written() -> None:
    names = Matcher({"Shell": ["Shell"], "BP": ["BP"]}, case_sensitive=True)
    assert found(names, "Shell and BP signed") == [("Shell", "Shell"), ("BP", "BP")]
    assert found(names, "a sea shell and a bp hose") == []


def test_a_negative_removes_the_match_it_overlaps() -> None:
    assert found(THEMES, "work safety and food safety") == [("safety", "work safety")]


def test_a_negative_subtracts_only_its_own_label() -> None:
    matcher = Matcher(
        {"energy": ["energy security"], "health_safety": ["security", "energy security"]},
        {"health_safety": ["energy security"]},
    )
    assert found(matcher, "national energy security") == [("energy", "energy security")]
    assert found(matcher, "work security") == [("health_safety", "security")]


def test_one_keyword_listed_under_two_labels_gives_both() -> None:
    matcher = Matcher({"a": ["green bond"], "b": ["green bond"]})
    assert sorted(found(matcher, "a green bond")) == [("a", "green bond"), ("b", "green bond")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("推进碳達峰與節能", [("zh_climate", "碳達峰"), ("zh_climate", "節能")]),
        ("建設生態文明", [("ecology", "生態文明")]),
        ("綠水青山就是金山銀山", [("ecology", "綠水青山")]),
        ("中国节能推进碳达峰", [("zh_climate", "节能"), ("zh_climate", "碳达峰")]),
    ],
)
def test_traditional_chinese_is_matched_by_simplified_keywords(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(THEMES, text) == expected


def test_chinese_keywords_match_inside_running_text() -> None:
    assert found(THEMES, "力争实现碳达峰目标") == [("zh_climate", "碳达峰")]


def test_full_width_letters_are_matched_by_half_width_keywords() -> None:
    assert found(THEMES, "ＥＳＧ 报告") == [("esg", "ＥＳＧ")]


@pytest.mark.parametrize(
    ("text", "acronym"),
    [
        pytest.param("发布ESG报告", "ESG", id="ESG between two chinese words"),
        pytest.param("以ESG推动发展", "ESG", id="ESG after a chinese word"),
        pytest.param("发布ＥＳＧ报告", "ＥＳＧ", id="full-width ESG between chinese words"),
    ],
)
def test_a_latin_keyword_matches_directly_between_chinese_characters(text: str, acronym: str) -> None:
    """Chinese writes no spaces around Latin words: 发布ESG报告 names ESG."""
    assert found(THEMES, text) == [("esg", acronym)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("low-carbon", "low carbon"),
        ("a\u2014b\u2013c\u00a0d\u3000e\nf", "a b c d e f"),
        ("ＥＳＧ２０２３", "ESG2023"),
        ("中國節能環保集團", "中国节能环保集团"),
        ("CECEP\u2019s", "CECEP's"),
    ],
)
def test_fold_normalises_separators_width_and_script(text: str, expected: str) -> None:
    assert fold(text) == expected


@settings(deadline=None, max_examples=500)
@given(text=st.text(max_size=200))
def test_fold_preserves_the_length_of_any_text(text: str) -> None:
    assert len(fold(text)) == len(text)


@settings(deadline=None, max_examples=300)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("中國國際節能環保綠色發展碳達峰雙碳與生態文明 -—\n")),
        max_size=80,
    )
)
def test_fold_preserves_the_length_of_chinese_text(text: str) -> None:
    assert len(fold(text)) == len(text)


@settings(deadline=None, max_examples=200)
@given(text=st.text(max_size=200))
def test_every_span_found_points_at_its_own_words(text: str) -> None:
    spans = THEMES.find(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
    starts = [(s.start, s.end) for s in spans]
    assert starts == sorted(starts)
