"""What the model sees: the evidence features, one test per class of failure on unseen releases.

Every release and sentence here is written for this test (fictional organisations); none is
copied from the corpus or the gold files.
"""

from __future__ import annotations

import pytest

from esgdata.extraction import features
from esgdata.extraction.pipeline import prepare
from esgdata.models import Release


def release(title: str, *paragraphs: str, language: str = "en", date: str = "2024-05-02") -> Release:
    return Release("written.txt", "h", title, date, "", language, "", tuple(paragraphs))


def features_of(rel: Release, sentence: str) -> dict[str, float]:
    """The features of the unit that holds ``sentence``."""
    prepared = prepare(rel)
    feats = features.release_features(prepared.evidence, prepared.context)
    for unit, f in zip(prepared.units, feats, strict=True):
        if sentence in unit.text:
            return {k: v for k, v in f.items() if not k.startswith(("w:", "b:"))}
    raise AssertionError(f"no unit holds {sentence!r}: {[u.text for u in prepared.units]}")


# 1. Unknown organisations: who is behind the release comes from the release itself.
def test_an_organisation_no_list_knows_is_found_in_the_title_and_is_the_subject() -> None:
    rel = release(
        "Tarnwick Power Sets a 2040 Net Zero Goal",
        "Tarnwick Power will close its last coal unit by 2030. Tarnwick Power runs 14 plants.",
    )
    assert prepare(rel).release.organization == "Tarnwick Power"
    assert features_of(rel, "will close")["subj:self"] == 1.0


@pytest.mark.parametrize("subject", ["The miner", "The carmaker", "The bank", "We", "It"])
def test_words_standing_for_the_organisation_are_an_agent_subject(subject: str) -> None:
    sentence = f"{subject} plans a 25 per cent cut in emissions by 2032."
    rel = release("Quarterly Update", sentence)
    f = features_of(rel, "plans a 25 per cent")
    assert f.get("subj:agent") == 1.0 or f.get("subj:self") == 1.0
    assert f["year:deadline"] == 1.0 and f["quantity"] == 1.0


def test_a_chinese_organisation_is_found_from_the_clauses_that_open_with_it() -> None:
    rel = release(
        "澜川能源发布碳中和路线图",
        "澜川能源表示，将在2030年前实现碳达峰。澜川能源在西部建设了多座风电场。",
        language="zh",
    )
    assert prepare(rel).release.organization == "澜川能源"
    assert features_of(rel, "将在2030年前")["subj:self"] == 1.0


# 2. Third parties: governments, officials, other companies.
def test_the_country_or_a_city_as_subject_is_a_general_subject() -> None:
    rel = release("Summit Report", "The country will reach net zero by 2060, the minister said.")
    assert features_of(rel, "The country will")["subj:general"] == 1.0
    zh = release("座谈会", "该市将全力做好服务保障工作。", language="zh")
    assert features_of(zh, "该市将")["subj:general"] == 1.0


def test_an_officials_wish_for_the_company_is_marked_as_a_wish() -> None:
    rel = release("座谈会", "他希望集团继续加大在当地的投入。", language="zh")
    f = features_of(rel, "他希望")
    assert f["asp:wish"] == 1.0 and f["subj:person"] == 1.0


def test_another_company_named_as_subject_is_not_the_organisation() -> None:
    rel = release(
        "Orlen Steel Opens Its Recycling Plant",
        "Orlen Steel opened the plant on Monday. Its partner Velmont Grid will supply wind power to it.",
    )
    f = features_of(rel, "Velmont Grid will")
    assert "subj:self" not in f and f["subj:name"] == 1.0


# 3. Targets without a modal.
@pytest.mark.parametrize(
    ("sentence", "aspect"),
    [
        ("Net zero is to be reached across the fleet by 2045.", "asp:is_to"),
        ("Hybrids are to account for half of deliveries by 2027.", "asp:is_to"),
        ("The refiner targets a 30 per cent drop in flaring by 2031, its plan shows.", "asp:goal_noun"),
        ("The plan lays out the ambition of carbon neutrality before 2055.", "asp:goal_noun"),
    ],
)
def test_a_target_without_a_modal_has_a_deadline_and_a_forward_aspect(sentence: str, aspect: str) -> None:
    f = features_of(release("Plan", sentence, date="2024-01-10"), sentence[:20])
    assert f["year:deadline"] == 1.0 and f[aspect] == 1.0


@pytest.mark.parametrize(
    ("sentence", "aspect", "base"),
    [
        ("到2027年，清洁能源装机占比达到55%。", "asp:by_year", False),
        ("预计2026年实现碳达峰。", "asp:expect", False),
        ("以2022年为基准，到2030年单位产值能耗下降20%。", "asp:by_year", True),
    ],
)
def test_a_chinese_target_without_a_modal_has_its_deadline(sentence: str, aspect: str, base: bool) -> None:
    f = features_of(release("规划", sentence, language="zh", date="2024-01-10"), sentence[:6])
    assert f["year:deadline"] == 1.0 and f[aspect] == 1.0
    assert f.get("year:base") == (1.0 if base else None)


# 4. Directives in meeting reports.
def test_items_of_a_leaders_speech_are_spoken_enumerated_directives() -> None:
    rel = release(
        "安全生产会议",
        "董事长林海涛强调，一要压紧压实安全责任，二要强化隐患排查治理，三要健全应急体系。",
        language="zh",
    )
    f = features_of(rel, "二要强化")
    assert f["enum:item"] == 1.0 and f["enum:spoken"] == 1.0 and f["asp:yao"] == 1.0


def test_an_english_enumerated_item_is_marked_as_an_item() -> None:
    rel = release(
        "Work Conference", "Chairman Lin Haitao set out two tasks. First, let innovation lead growth."
    )
    assert features_of(rel, "let innovation")["enum:item"] == 1.0


# 5. Past narrative.
@pytest.mark.parametrize(
    ("sentence", "feature"),
    [
        ("The company completed its target of 2 GW of solar ahead of time.", "cue:achieved"),
        ("The forum will open next Tuesday in Shanghai.", "modal:no_agent"),
        ("Over the past decade the group has planted 3 million trees.", "asp:since"),
    ],
)
def test_past_narrative_and_schedules_carry_their_marks(sentence: str, feature: str) -> None:
    assert features_of(release("News", sentence), sentence[:15])[feature] == 1.0


def test_chinese_reports_of_the_past_carry_their_marks() -> None:
    rel = release("回顾", "多年来，公司已实现全部矿区复垦。", language="zh")
    f = features_of(rel, "已实现")
    assert f["asp:since"] == 1.0 and f["asp:yi_done"] == 1.0 and f["cue:achieved"] == 1.0


# 6. Standing practice in the past tense.
def test_a_standing_practice_told_in_the_past_tense_has_the_organisation_as_subject() -> None:
    rel = release("ESG Report", "The Group linked executive pay to its emission goals.")
    f = features_of(rel, "linked executive pay")
    assert (f.get("subj:agent") or f.get("subj:self")) == 1.0 and f["asp:past"] == 1.0


def test_a_chinese_standing_practice_is_ongoing() -> None:
    rel = release("社会责任报告", "公司一贯坚持安全第一、预防为主。", language="zh")
    f = features_of(rel, "一贯坚持")
    assert f["asp:ongoing"] == 1.0 and f["cue:practice"] == 1.0


# 7. Years: base years and range starts are told from deadlines.
def test_a_base_year_is_a_base_and_not_a_deadline() -> None:
    rel = release("Plan", "The company will cut emissions 40 per cent from a 2018 baseline by 2030.")
    prepared = prepare(rel)
    assert prepared.evidence[0].years == [2030]
    assert features_of(rel, "from a 2018")["year:base"] == 1.0


def test_a_range_start_is_marked_as_a_range() -> None:
    rel = release(
        "Plan", "The group will invest in 2021-2025 to double its wind capacity.", date="2021-03-01"
    )
    assert features_of(rel, "will invest")["year:range"] == 1.0


def test_a_sentence_classified_alone_has_no_position_in_a_release() -> None:
    rel = Release("\x00sentence", "", "", "", "", "en", "", ("The company will plant trees.",))
    prepared = prepare(rel)
    f = features.release_features(prepared.evidence, prepared.context)[0]
    assert not any(k.startswith("pos:") for k in f)


def test_features_are_the_same_for_the_same_release() -> None:
    rel = release("Plan", "Acme will cut emissions by 2030. It has always put safety first.")
    a = prepare(rel)
    b = prepare(rel)
    assert features.release_features(a.evidence, a.context) == features.release_features(
        b.evidence, b.context
    )
