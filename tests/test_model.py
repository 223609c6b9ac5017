"""The weights files: what they hold, how they load, and what they refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esgdata.extraction import model
from esgdata.extraction.features import FEATURES_VERSION
from esgdata.extraction.model import KIND_CLASSES, LinearModel, ModelError


def tiny(**meta: object) -> LinearModel:
    return LinearModel(
        language="en",
        threshold=0.5,
        detect_intercept=-1.0,
        detect={"subj:self": 2.0, "cue:event": -3.0},
        kind_intercepts=(0.0, 0.5, 0.0),
        kind={"year:deadline": (-1.0, -1.0, 3.0)},
        meta=dict(meta),
    )


def test_weights_round_trip_through_their_json_file(tmp_path: Path) -> None:
    path = tmp_path / "en.json"
    tiny(note="x").save(path)
    loaded = model.read(path)
    assert loaded == tiny(note="x")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_shipped_weights_load_and_name_the_data_and_code_that_made_them(language: str) -> None:
    weights = model.shipped(language)
    assert weights.language == language
    assert 0 < weights.threshold < 1
    trained = weights.meta["trained_on"]
    assert trained["releases"] > 0 and trained["commitments"] > 0 and len(trained["data_sha256"]) == 64
    assert weights.meta["code"]["features_version"] == FEATURES_VERSION
    assert weights.meta["cross_validation"]["grouped_by"] == "organisation"


def test_weights_of_another_feature_version_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    doc = tiny().to_json()
    doc["features_version"] = FEATURES_VERSION + 1
    path = tmp_path / "en.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ModelError, match=r"features version .* retrain with `esgdata model train`"):
        model.read(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="pickle"), "not an esgdata weights file"),
        (lambda d: d["detect"].pop("weights"), "malformed weights"),
        (lambda d: d["kind"].update(classes=["a", "b", "c"]), "kind classes"),
    ],
)
def test_a_damaged_weights_file_names_itself_and_the_problem(tmp_path: Path, change, message) -> None:
    doc = tiny().to_json()
    change(doc)
    path = tmp_path / "en.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ModelError, match=message) as info:
        model.read(path)
    assert str(path) in str(info.value)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "en.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot read weights"):
        model.read(path)


def test_probability_follows_the_weights() -> None:
    weights = tiny()
    assert weights.probability({"subj:self": 1.0}) > 0.5 > weights.probability({"cue:event": 1.0})
    assert weights.probability({"unknown": 1.0}) == pytest.approx(1 / (1 + 2.718281828**1.0), rel=1e-6)


def test_kind_scores_are_a_distribution_over_the_three_kinds() -> None:
    scores = tiny().kind_scores({"year:deadline": 1.0})
    assert list(scores) == list(KIND_CLASSES)
    assert sum(scores.values()) == pytest.approx(1.0)


def test_a_target_needs_a_deadline_or_a_quantity_and_an_intention_with_a_deadline_is_a_target() -> None:
    weights = tiny()
    assert weights.kind_of({"year:deadline": 1.0}) == "target"
    assert weights.kind_of({}) == "pledge"
    leaning_target = LinearModel("en", 0.5, 0.0, {}, (0.0, 0.0, 5.0), {})
    assert leaning_target.kind_of({}) == "pledge"
    assert leaning_target.kind_of({"quantity": 1.0}) == "target"


def test_chinese_counting_words_alone_do_not_make_a_target() -> None:
    pledge_leaning = LinearModel("zh", 0.5, 0.0, {}, (0.0, 5.0, 0.0), {})
    assert pledge_leaning.kind_of({"quantity": 1.0}) == "pledge"
    assert pledge_leaning.kind_of({"year:deadline": 1.0}) == "target"


def test_weighed_most_names_the_features_that_pushed_towards_a_commitment() -> None:
    assert tiny().weighed_most({"subj:self": 1.0, "cue:event": 1.0}) == [("subj:self", 2.0)]
