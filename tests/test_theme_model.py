"""The learned theme layer's weights file: format and version checked on load, clear errors."""

from __future__ import annotations

import json

import pytest

from esgdata.extraction import theme_model, theme_training
from esgdata.extraction.theme_model import ThemeModel, ThemeModelError


def _doc(**changes):
    doc = ThemeModel(-0.5, {"strong": 2.0, "theme=climate": 0.25}, 0.3, 0.7, {"examples": 3}).to_json()
    doc.update(changes)
    return doc


def test_weights_survive_a_round_trip_through_their_json_file(tmp_path):
    model = ThemeModel(-0.5, {"strong": 2.0, "theme=climate": 0.25}, 0.3, 0.7, {"examples": 3})
    path = tmp_path / "weights" / "themes.json"
    model.save(path)
    assert theme_model.read(path) == model
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == theme_model.FORMAT


def test_probability_is_the_logistic_of_the_weighted_features():
    model = ThemeModel(-0.5, {"strong": 2.0}, 0.3, 0.7)
    assert model.probability({}) == pytest.approx(1 / (1 + 2.718281828**0.5))
    assert model.probability({"strong": 1.0, "unknown feature": 5.0}) == pytest.approx(
        1 / (1 + 2.718281828**-1.5)
    )


def test_the_rules_decision_stands_between_the_two_thresholds():
    unsure = ThemeModel(0.0, {}, 0.3, 0.7)  # p = 0.5
    assert unsure.keeps({}, by_rules=True) and not unsure.keeps({}, by_rules=False)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, 2], "not an esgdata theme weights file"),
        (_doc(format="esgdata-linear-1"), "not an esgdata theme weights file"),
        (_doc(features_version="0"), "retrain with"),
        (_doc(weights=["strong"]), "malformed theme weights"),
        (_doc(intercept="high"), "malformed theme weights"),
        (_doc(veto_below=0.8, add_above=0.2), "thresholds"),
    ],
)
def test_a_bad_weights_document_is_refused_with_a_reason(doc, message):
    with pytest.raises(ThemeModelError, match=message) as caught:
        theme_model.from_json(doc, "weights/themes.json")
    assert "weights/themes.json" in str(caught.value)


def test_an_unreadable_weights_file_is_named_in_the_error(tmp_path):
    missing = tmp_path / "themes.json"
    with pytest.raises(ThemeModelError, match=r"themes\.json: cannot read"):
        theme_model.read(missing)
    missing.write_text("{not json", encoding="utf-8")
    with pytest.raises(ThemeModelError, match="cannot read"):
        theme_model.read(missing)


def test_the_shipped_weights_load_with_the_thresholds_training_sets():
    model = theme_model.shipped()
    assert (model.veto_below, model.add_above) == (theme_training.VETO_BELOW, theme_training.ADD_ABOVE)
    assert model.meta["examples"] > 0 and model.weights["strong"] > 0  # a strong keyword is evidence
