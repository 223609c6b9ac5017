"""Training the decision layer: labels as the scorer matches them, held-out never read,
figures by organisation, and the same data always giving the same weights.

The releases here are written for the test (fictional organisations).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esgdata.errors import EsgDataError
from esgdata.extraction import training
from esgdata.extraction.training import LabelledRelease, align
from esgdata.models import Release

RELEASES = {
    "tarnwick": (
        "Tarnwick Power Sets Its 2040 Goal",
        [
            ("Tarnwick Power will reach net zero by 2040.", "target"),
            ("Tarnwick Power has always put the safety of its crews first.", "practice"),
            ("The company aims to expand its grid services.", "pledge"),
        ],
        ["Tarnwick Power opened an office in Leeds on Monday.", "The mayor attended the ceremony."],
    ),
    "orlen": (
        "Orlen Steel Publishes Its Report",
        [
            ("Orlen Steel plans to cut emissions 30 per cent by 2030.", "target"),
            ("The group continuously trains its young engineers.", "practice"),
            ("Orlen Steel is committed to protecting rivers near its mills.", "pledge"),
        ],
        ["The report was released in Warsaw.", "Analysts expect steel prices to rise."],
    ),
    "velmont": (
        "Velmont Grid Outlines Its Plan",
        [
            ("Velmont Grid will connect 5 GW of wind farms by 2028.", "target"),
            ("Velmont Grid always consults local communities before it builds.", "practice"),
            ("The company will strengthen its risk controls.", "pledge"),
        ],
        ["Velmont Grid was founded in 1998.", "The forum will open next Tuesday."],
    ),
}


@pytest.fixture(autouse=True)
def _no_shipped_training_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Train on the test's own releases only: the shipped ones make a test slow, not truer."""
    monkeypatch.setattr(training, "TRAINING_DATA", tmp_path / "no-training-data")


def labelled(source: str = "written") -> list[LabelledRelease]:
    out = []
    for org, (title, commitments, others) in RELEASES.items():
        sentences = [c for c, _ in commitments] + others
        release = Release(f"{org}-plan.txt", org, title, "2024-03-01", "", "en", "", tuple(sentences))
        gold = tuple({"text": t, "kind": k, "themes": [], "target_years": []} for t, k in commitments)
        out.append(LabelledRelease(release, org, gold, source))
    return out


def test_units_are_matched_to_gold_as_the_scorer_matches_rows() -> None:
    units = ["Acme will cut emissions by 2030.", "Acme opened a plant.", "Acme will cut emissions"]
    gold = ["Acme will cut emissions by 2030.", "Something else entirely was said here."]
    assert align(units, gold) == {0: 0}  # best overlap first, one to one, the rest unmatched


def test_a_unit_below_half_overlap_is_no_match() -> None:
    assert align(["Acme will plant trees."], ["Acme will build ten new solar farms in the desert."]) == {}


def test_examples_label_every_unit_and_group_it_by_organisation() -> None:
    ex = training.examples(labelled())
    assert sum(ex.labels) == 9 and len(ex.labels) == 15
    assert set(ex.groups) == set(RELEASES)
    assert {k for k in ex.kinds if k} == {"target", "pledge", "practice"}


def test_the_same_data_gives_the_same_weights(tmp_path: Path) -> None:
    data = labelled("gold")
    first, _ = training.train("en", data)
    second, _ = training.train("en", data)
    first.save(tmp_path / "a.json")
    second.save(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_the_report_names_the_data_and_the_grouped_cross_validation() -> None:
    weights, report = training.train("en", labelled("gold"))
    assert report["trained_on"]["organisations"] == 3
    assert report["cross_validation"]["grouped_by"] == "organisation"
    assert report["cross_validation"]["releases"] == 3
    assert weights.meta["sha"] and weights.language == "en"


def test_written_releases_train_every_fold_but_are_never_scored() -> None:
    data = labelled("gold")[:2] + labelled("written")[2:]
    ex = training.examples(data)
    probs, _ = training.cross_validate(ex)
    scored = {ex.releases[ex.release_of[i]].source for i in probs}
    assert scored == {"gold"}


def test_training_refuses_data_without_every_kind() -> None:
    data = [
        LabelledRelease(r.release, r.group, tuple(c for c in r.commitments if c["kind"] != "practice"))
        for r in labelled("gold")
    ]
    with pytest.raises(EsgDataError, match="every kind"):
        training.train("en", data)


def _shared(tmp_path: Path) -> Path:
    shared = tmp_path / "shared"
    (shared / "corpus" / "en").mkdir(parents=True)
    (shared / "eval" / "gold").mkdir(parents=True)
    lines = []
    for org, (title, commitments, others) in RELEASES.items():
        name = f"{org}-plan.txt"
        body = "\n\n".join(c for c, _ in commitments) + "\n\n" + "\n\n".join(others)
        text = f"{title}\n\nSource: {org}     Date: 2024-03-01\n\n{body}\n"
        (shared / "corpus" / "en" / name).write_text(text, encoding="utf-8")
        gold = [
            {"text": t, "kind": k, "themes": [], "target_years": [], "speaker": ""} for t, k in commitments
        ]
        lines.append(json.dumps({"source_file": name, "commitments": gold}))
    (shared / "eval" / "gold" / "en-test.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (shared / "eval" / "heldout.txt").write_text("# held out\nvelmont-plan.txt\n", encoding="utf-8")
    return shared


def test_held_out_releases_are_never_part_of_the_training_set(tmp_path: Path) -> None:
    shared = _shared(tmp_path)
    train = {r.release.source_file for r in training.gold_releases(shared, "en")}
    held = {r.release.source_file for r in training.gold_releases(shared, "en", heldout=True)}
    assert train == {"tarnwick-plan.txt", "orlen-plan.txt"}
    assert held == {"velmont-plan.txt"}
    assert "velmont-plan.txt" not in {r.release.source_file for r in training.training_set(shared, "en")}


def test_an_annotated_release_missing_from_the_corpus_is_named(tmp_path: Path) -> None:
    shared = _shared(tmp_path)
    (shared / "corpus" / "en" / "orlen-plan.txt").unlink()
    with pytest.raises(EsgDataError, match=r"orlen-plan\.txt is annotated but not in corpus/en"):
        training.gold_releases(shared, "en")


def test_evaluate_scores_held_out_releases_like_the_contracts_scorer(tmp_path: Path) -> None:
    shared = _shared(tmp_path)
    weights, _ = training.train("en", labelled("gold"))
    figures = training.evaluate(weights, training.gold_releases(shared, "en", heldout=True))
    assert figures["releases"] == 1 and figures["gold_commitments"] == 3
    assert 0.0 <= figures["commitment_f1"] <= 1.0


def test_the_model_commands_train_and_evaluate_from_a_training_folder(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from esgdata.cli import cli

    shared = _shared(tmp_path)
    runner = CliRunner()
    out = tmp_path / "weights"
    trained = runner.invoke(
        cli, ["model", "train", "--language", "en", "--training-dir", str(shared), "--out", str(out)]
    )
    assert trained.exit_code == 0, trained.output
    assert (out / "en.json").exists()
    assert "grouped cross-validation: commitment F1" in trained.output
    evaluated = runner.invoke(
        cli, ["model", "evaluate", "--language", "en", "--training-dir", str(shared), "--weights", str(out)]
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert "en held-out (1 releases of unseen organisations)" in evaluated.output
    assert "commitment_f1" in evaluated.output


def test_evaluate_without_labelled_releases_fails_with_a_sentence(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from esgdata.cli import cli

    result = CliRunner().invoke(cli, ["model", "evaluate", "--training-dir", str(tmp_path / "none")])
    assert result.exit_code != 0
    assert "no gold annotations there" in result.output


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_written_training_label_is_words_of_its_release_with_valid_values(language: str) -> None:
    from esgdata.extraction.lexicon import THEME_IDS

    shipped = Path(training.__file__).parent / "training_data" / "written"
    written = training.written_releases(language, shipped)
    assert written, "the package ships written training releases"
    for rel in written:
        assert rel.source == "written" and rel.group.startswith("written-")
        for c in rel.commitments:
            assert c["text"] and c["text"] in rel.release.body, (rel.release.source_file, c["text"])
            assert c["kind"] in ("target", "pledge", "practice")
            assert set(c["themes"]) <= set(THEME_IDS)
            assert all(1900 <= y <= 2200 for y in c["target_years"])


def test_written_labels_sit_in_the_text_they_label() -> None:
    source = (
        "=== acme-plan.txt\nAcme Plan\n\n"
        "@T|climate|2030|@Acme will cut emissions by 2030.@-@ It met on Monday.\n"
    )
    ((name, text, commitments),) = training.parse_written(source)
    assert name == "acme-plan.txt"
    assert text == "Acme Plan\n\nAcme will cut emissions by 2030. It met on Monday.\n"
    assert commitments == [
        {"text": "Acme will cut emissions by 2030.", "kind": "target", "themes": ["climate"],
         "target_years": [2030], "speaker": ""}
    ]  # fmt: skip
