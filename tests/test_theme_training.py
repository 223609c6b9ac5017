"""Training the learned theme layer: gold lines in (held-out releases skipped), JSON weights out,
figures grouped by organisation."""

from __future__ import annotations

import json

import pytest

from esgdata.errors import EsgDataError
from esgdata.extraction import theme_model, theme_training
from esgdata.extraction.theme_training import Example

# Sentences written for this test: (organisation, text, gold themes).
WRITTEN = [
    ("alpha", "The company will cut carbon emissions and expand solar power.", {"climate", "energy"}),
    ("alpha", "The company will train its employees and serve its customers.", {"workforce"}),
    ("alpha", "公司将加快发展光伏和风电。", {"energy"}),
    (
        "beta",
        "The group will reach carbon neutrality and support rural revitalization.",
        {"climate", "rural"},
    ),
    ("beta", "集团将持续推进乡村振兴和定点帮扶。", {"rural"}),
    ("beta", "集团将提升客户服务质量。", {"customers"}),
    ("gamma", "公司将加强安全生产，强化应急管理。", {"health_safety"}),
    ("gamma", "The company will strengthen internal control and compliance.", {"risk_compliance"}),
    ("gamma", "公司将推进技术创新，服务全球客户。", {"innovation", "customers"}),
    ("delta", "The group will improve corporate governance and Party building.", {"governance", "party"}),
    ("delta", "集团将深化国企改革，完善公司治理。", {"governance"}),
    ("delta", "The company will invest in wind power across its global operations.", {"energy"}),
    ("epsilon", "公司将坚决打好蓝天保卫战。", {"pollution"}),
    ("epsilon", "The company will recycle solid waste and save water.", {"circular", "water"}),
    ("epsilon", "公司将积极发行绿色债券，支持清洁能源。", {"green_finance", "energy"}),
]


def _examples():
    return [
        Example(text, frozenset(t), "zh" if text[0] > "\u3000" else "en", org) for org, text, t in WRITTEN
    ]


def _gold_line(source_file, commitments):
    return json.dumps({"source_file": source_file, "commitments": commitments}, ensure_ascii=False)


def test_gold_examples_skip_held_out_releases_and_group_by_organisation(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "en-a.jsonl").write_text(
        _gold_line("alpha-one.txt", [{"text": "We will cut emissions.", "themes": ["climate"]}])
        + "\n\n"
        + _gold_line("beta-two.txt", [{"text": "We will train staff.", "themes": ["workforce"]}])
        + "\n",
        encoding="utf-8",
    )
    (gold / "zh-a.jsonl").write_text(
        _gold_line("gamma-三.txt", [{"text": "公司将节能。", "themes": ["energy"]}]) + "\n", encoding="utf-8"
    )
    heldout = tmp_path / "heldout.txt"
    heldout.write_text("# held out: beta\nbeta-two.txt\n", encoding="utf-8")
    examples = theme_training.gold_examples(gold, heldout)
    assert [(e.group, e.language, e.text, set(e.themes)) for e in examples] == [
        ("alpha", "en", "We will cut emissions.", {"climate"}),
        ("gamma", "zh", "公司将节能。", {"energy"}),
    ]
    assert len(theme_training.gold_examples(gold, None)) == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "en-bad.jsonl:2: not a gold release line"),
        (_gold_line("x.txt", [{"text": "We will grow.", "themes": ["growth"]}]), "unknown theme ids"),
        (json.dumps({"commitments": []}), "en-bad.jsonl:2"),
    ],
)
def test_a_broken_gold_line_is_reported_with_its_file_and_line(tmp_path, line, message):
    (tmp_path / "en-bad.jsonl").write_text(_gold_line("ok.txt", []) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EsgDataError, match=message):
        theme_training.gold_examples(tmp_path)


def test_training_is_deterministic_and_gives_loadable_json_weights(tmp_path):
    first = theme_training.fit(_examples())
    assert theme_training.fit(_examples()) == first
    first.save(tmp_path / "themes.json")
    loaded = theme_model.read(tmp_path / "themes.json")
    assert loaded == first and loaded.meta["examples"] == len(WRITTEN) and loaded.meta["organisations"] == 5


def test_training_needs_right_and_wrong_candidates():
    only_right = [Example("The company will cut carbon emissions.", frozenset({"climate"}), "en", "a")]
    with pytest.raises(EsgDataError, match="right and ones that are wrong"):
        theme_training.fit(only_right)


def test_cross_validation_scores_each_language_with_rules_and_model():
    figures = theme_training.cross_validate(_examples(), folds=5)
    assert set(figures) == {"en", "zh"}
    for scores in figures.values():
        assert scores["rules"].examples == scores["model"].examples > 0
        for s in scores.values():
            assert 0.0 <= s.theme_f1 <= 1.0 and 0.0 <= s.pillar_f1 <= 1.0
    with pytest.raises(EsgDataError, match="at least 6 organisations"):
        theme_training.cross_validate(_examples(), folds=6)


def test_score_counts_themes_and_pillars_micro():
    examples = [Example("x", frozenset({"climate", "rural"}), "en", "a")]
    scores = theme_training.score(examples, [{"climate", "energy"}])
    assert scores.theme_f1 == 0.5  # 1 right, 1 wrong, 1 missed
    assert scores.pillar_f1 == 0.667  # E right, S missed, nothing extra (energy is E too)


def test_the_shipped_weights_are_what_training_on_the_gold_gives(shared):
    """Fails when the lexicon or the gold changed without retraining (python bench/themes_cv.py --write)."""
    examples = theme_training.gold_examples(shared / "eval" / "gold", shared / "eval" / "heldout.txt")
    retrained = theme_training.fit(examples)
    shipped = theme_model.shipped()
    assert retrained.meta == shipped.meta
    assert retrained.weights.keys() == shipped.weights.keys()
    assert all(abs(retrained.weights[k] - w) < 1e-4 for k, w in shipped.weights.items())
