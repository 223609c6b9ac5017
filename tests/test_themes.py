"""Theme tagging (spec section 3) through classify_text: every theme id in both languages."""

from __future__ import annotations

import pytest
from conftest import SPEC_THEME_PILLARS

from esgdata.extraction import lexicon, theme_model, themes
from esgdata.extraction.pipeline import classify_text

# theme id -> (an English sentence, a Chinese sentence), both written for this test
SENTENCES = {
    "climate": (
        "The company will reach carbon neutrality across its operations.",
        "公司将如期实现碳中和目标。",
    ),
    "energy": (
        "The group will expand its solar and wind power capacity.",
        "集团将大力发展光伏和风电。",
    ),
    "pollution": (
        "We will fight to keep skies blue and curb air pollution.",
        "公司将坚决打好蓝天保卫战，减少大气污染。",
    ),
    "water": (
        "The company will upgrade its wastewater treatment plants.",
        "公司将提升城镇污水处理能力。",
    ),
    "circular": (
        "The group will expand recycling of solid waste.",
        "集团将加快固体废物资源化利用。",
    ),
    "ecology": ("We are committed to protecting biodiversity.", "公司始终坚持保护生物多样性。"),
    "green_finance": (
        "The company plans to issue green bonds to fund its transition.",
        "公司将积极发行绿色债券。",
    ),
    "health_safety": (
        "The company always puts work safety and occupational health first.",
        "公司始终把安全生产放在首位。",
    ),
    "rural": (
        "The group will support rural revitalization in its partner counties.",
        "集团将持续推进乡村振兴工作。",
    ),
    "community": (
        "The company will organise volunteer services for local residents.",
        "公司将积极开展志愿服务和公益活动。",
    ),
    "workforce": ("We will strengthen training for our employees.", "公司将加强员工培训。"),
    "innovation": (
        "The group will increase spending on research and development.",
        "集团将加大科技创新投入。",
    ),
    "international": (
        "The company will deepen cooperation with partners along the Belt and Road.",
        "公司将深化一带一路国际合作。",
    ),
    "customers": (
        "We will keep improving the quality of service to our customers.",
        "公司将不断提升客户服务质量。",
    ),
    "esg": ("The company will publish its ESG report every year.", "公司将每年发布社会责任报告。"),
    "governance": ("The group will improve corporate governance.", "集团将持续完善公司治理。"),
    "risk_compliance": (
        "The company will strengthen internal control and compliance.",
        "公司将加强内控合规管理。",
    ),
    "party": (
        "The group will strengthen Party building across all branches.",
        "集团将坚持党建引领。",
    ),
    "strategy": (
        "The company will focus on its main business and serve national strategies.",
        "公司将聚焦主责主业，服务国家战略。",
    ),
}

ROWS = [
    pytest.param(theme, sentence, id=f"{theme}-{lang}")
    for theme, pair in SENTENCES.items()
    for lang, sentence in zip(("en", "zh"), pair, strict=True)
]


def test_the_table_covers_every_theme_id_of_the_contract():
    assert tuple(SENTENCES) == lexicon.THEME_IDS
    assert len(lexicon.THEME_IDS) == 19


@pytest.mark.parametrize(("theme", "sentence"), ROWS)
def test_each_theme_is_tagged_in_english_and_in_chinese(theme, sentence):
    result = classify_text(sentence)
    assert theme in result["themes"], result["evidence"]["themes"]


@pytest.mark.parametrize(("theme", "sentence"), ROWS)
def test_pillars_are_exactly_the_pillars_of_the_themes_in_e_s_g_order(theme, sentence):
    result = classify_text(sentence)
    assert lexicon.pillar_of(theme) in result["pillars"]
    present = {lexicon.pillar_of(t) for t in result["themes"]}
    assert result["pillars"] == [p for p in ("E", "S", "G") if p in present]


@pytest.mark.parametrize(("theme", "pillar"), SPEC_THEME_PILLARS)
def test_each_theme_belongs_to_the_pillar_the_contract_gives_it(theme, pillar):
    assert lexicon.pillar_of(theme) == pillar


def test_a_sentence_with_themes_of_every_pillar_has_all_three_pillars():
    result = classify_text(
        "The company will cut carbon emissions, train its employees and improve corporate governance."
    )
    assert {"climate", "workforce", "governance"} <= set(result["themes"])
    assert result["pillars"] == ["E", "S", "G"]


@pytest.mark.parametrize(
    "sentence",
    [
        "China Energy Conservation and Environmental Protection Group will hold its annual "
        "meeting next month.",
        "China Energy Conservation and Environmental Protection Group will open an office in Shanghai.",
        "中国节能环保集团将召开年度会议。",
    ],
)
def test_an_organisation_name_gives_no_theme(sentence):
    result = classify_text(sentence)
    assert "energy" not in result["themes"]
    assert "pollution" not in result["themes"]
    assert "ecology" not in result["themes"]


def test_a_theme_word_outside_the_organisation_name_still_counts():
    result = classify_text(
        "China Energy Conservation and Environmental Protection Group will build more solar plants."
    )
    assert "energy" in result["themes"]
    assert [e["words"] for e in result["evidence"]["themes"] if e["theme"] == "energy"] == ["solar"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The company will increase its investment in the region.",
        "The company will increase its investment in training.",
        "公司将加大投资力度。",
    ],
)
def test_a_weak_keyword_alone_gives_no_green_finance(sentence):
    assert "green_finance" not in classify_text(sentence)["themes"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The company will increase its investment in solar power.",
        "The group plans to raise financing for its wastewater treatment plants.",
        "公司将加大光伏投资。",
    ],
)
def test_a_weak_keyword_counts_beside_another_environmental_theme(sentence):
    result = classify_text(sentence)
    assert "green_finance" in result["themes"]
    assert "E" in result["pillars"]


@pytest.mark.parametrize(
    ("sentence", "theme"),
    [
        ("公司将把ESG理念融入经营全过程。", "esg"),
        ("公司将推广CCUS技术。", "climate"),
        ("公司将建设5G基站。", "innovation"),
    ],
)
def test_a_latin_keyword_written_against_chinese_characters_is_tagged(sentence, theme):
    # Chinese text writes ESG, CCUS, 5G with no space around them; the zh lexicon lists them.
    assert theme in classify_text(sentence)["themes"]


@pytest.mark.parametrize(
    ("sentence", "theme"),
    [
        ("The group will safeguard national energy security.", "health_safety"),
        ("公司将保障国家能源安全。", "health_safety"),
        ("The company will improve the business environment for its partners.", "ecology"),
        ("The group will build a world-class enterprise.", "international"),
        ("公司将推动高质量发展。", "customers"),
    ],
)
def test_negative_wordings_do_not_give_the_theme_they_resemble(sentence, theme):
    assert theme not in classify_text(sentence)["themes"]


def test_themes_are_listed_once_each_in_the_order_the_text_names_them():
    result = classify_text("The company will train employees, cut carbon emissions and train more employees.")
    assert result["themes"] == ["workforce", "climate"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The board met on Tuesday in the capital.",
        "The delegation toured the new headquarters building.",
        "代表团于周二参观了新办公楼。",
        "会议由办公室主任主持。",
    ],
)
def test_a_sentence_without_theme_words_has_no_theme(sentence):
    result = classify_text(sentence)
    assert result["themes"] == [] and result["pillars"] == []


@pytest.mark.parametrize(
    ("sentence", "theme"),
    [
        ("公司将持续推进技术创新。", "innovation"),
        ("集团将层层压实安全责任。", "health_safety"),
        ("公司将逐步淘汰燃煤机组，推动节能减排。", "climate"),
        ("公司将加强党风廉政建设。", "risk_compliance"),
        ("集团将加强人才队伍建设。", "workforce"),
        ("公司将全力做好受灾群众安置工作。", "community"),
        ("The company will phase out coal from its power generation.", "climate"),
        ("The group will cut particulate and nitrogen oxides emissions at its plants.", "pollution"),
        ("The company will strengthen its whistleblowing channels and fight bribery.", "risk_compliance"),
        ("The company will disclose its climate-related risks every year.", "esg"),
        ("永續發展是公司的核心，公司將擴大再生能源使用。", "energy"),
    ],
)
def test_common_synonyms_of_the_contract_words_are_tagged(sentence, theme):
    assert theme in classify_text(sentence)["themes"]


@pytest.mark.parametrize(
    ("sentence", "theme"),
    [
        ("公司将保障供电安全。", "health_safety"),
        ("公司将维护国家粮食安全。", "health_safety"),
        ("公司将坚持可持续发展，加快发展光伏。", "esg"),  # generic beside a specific theme
    ],
)
def test_generic_or_negative_wordings_in_chinese_give_no_theme_they_resemble(sentence, theme):
    assert theme not in classify_text(sentence)["themes"]


def _spans(text):
    return themes.find(text)


def test_the_rules_alone_keep_weak_words_beside_a_strong_theme_of_their_pillar():
    # 全球 (weak, international) beside 供应链 (strong, customers): both S pillar.
    chosen = themes.theme_ids(themes.resolve_by_rules(_spans("公司将打造全球供应链。")))
    assert set(chosen) == {"international", "customers"}
    # A context word (投资) never stands alone.
    assert themes.theme_ids(themes.resolve_by_rules(_spans("公司将加大投资。"))) == ()


def _model(intercept, veto_below=0.3, add_above=0.7):
    return theme_model.ThemeModel(intercept, {}, veto_below, add_above)


def test_an_unsure_model_leaves_the_rules_decision_unchanged():
    for text in (
        "公司将打造全球供应链并加大投资。",
        "The company will invest in solar power and train staff.",
    ):
        spans = _spans(text)
        assert themes.resolve_weak(spans, _model(0.0)) == themes.resolve_by_rules(spans)


def test_a_confident_model_vetoes_themes_the_rules_kept():
    spans = _spans("The company will cut carbon emissions and train its employees.")
    assert themes.theme_ids(themes.resolve_weak(spans, _model(-10.0))) == ()
    # one theme only: a weight on its id
    model = theme_model.ThemeModel(0.0, {"theme=workforce": -10.0}, 0.3, 0.7)
    assert themes.theme_ids(themes.resolve_weak(spans, model)) == ("climate",)


def test_a_confident_model_adds_a_theme_the_rules_left_out():
    spans = _spans("公司将加大投资。")  # a context word alone: no theme by the rules
    assert themes.theme_ids(themes.resolve_weak(spans, _model(10.0))) == ("green_finance",)
    added = themes.resolve_weak(spans, _model(10.0))
    assert [(s.label, s.text) for s in added] == [("green_finance", "投资")]  # labels lose the suffix


def test_candidate_features_count_each_themes_own_evidence():
    spans = _spans("The company will cut carbon emissions, invest in solar power and invest in wind.")
    by_rules = {s.label for s in themes.resolve_by_rules(spans)}
    features = themes.candidate_features(spans, by_rules)
    assert set(features) == {"climate", "energy", "green_finance"}
    assert features["climate"]["named_first"] == 1.0 and features["energy"]["named_first"] == 0.0
    assert features["green_finance"]["strong"] == 0.0 and features["green_finance"]["context"] > 0
    assert features["energy"]["by_rules:theme=energy"] == 1.0
    assert features["climate"]["other_strong"] > 0  # the energy words


def test_no_spans_give_no_themes_without_loading_a_model():
    assert themes.resolve_weak([], _model(10.0)) == []
