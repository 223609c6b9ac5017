"""Theme tagging (spec section 3) through classify_text: every theme id in both languages."""

from __future__ import annotations

import pytest
from conftest import SPEC_THEME_PILLARS

from esgdata.extraction import lexicon
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
