"""Training the learned theme layer: gold commitments in, theme weights out, figures measured
by cross-validation grouped by organisation (an organisation is never both trained on and scored).

Examples are the commitments of gold annotations (the contract's format, one release a line) with
their themes. Releases listed in a held-out file are skipped unread. scikit-learn fits the
model; the result is plain JSON weights (theme_model.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import EsgDataError
from ..models import Span
from . import lexicon, organizations, themes
from .matcher import fold
from .theme_model import ThemeModel

SEED = 0
C = 1.0  # inverse regularisation strength, chosen by grouped cross-validation
VETO_BELOW = 0.3  # the model drops a theme the rules kept only below this probability
ADD_ABOVE = 0.7  # and adds one the rules left out only at this probability or above
FOLDS = 5


@dataclass(frozen=True)
class Example:
    """One gold commitment: its words, its themes, its language and its organisation."""

    text: str
    themes: frozenset[str]
    language: str
    group: str


def organisation_of(source_file: str) -> str:
    """The organisation a corpus file belongs to: its name's prefix before the first hyphen."""
    return source_file.split("-", 1)[0]


def held_out(path: Path | None) -> set[str]:
    """File names listed in a held-out list (one a line, # comments)."""
    if path is None or not path.exists():
        return set()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def gold_examples(gold_dir: Path, heldout: Path | None = None) -> list[Example]:
    """Every commitment of the gold files in ``gold_dir`` whose release is not held out."""
    skip = held_out(heldout)
    out = []
    for path in sorted(gold_dir.glob("*.jsonl")):
        language = "zh" if path.name.startswith("zh") else "en"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                release = json.loads(line)
                if release["source_file"] in skip:
                    continue
                group = organisation_of(str(release["source_file"]))
                for c in release["commitments"]:
                    unknown = set(c["themes"]) - set(lexicon.THEME_IDS)
                    if unknown:
                        raise EsgDataError(f"{path}:{number}: unknown theme ids {sorted(unknown)}")
                    out.append(Example(str(c["text"]), frozenset(c["themes"]), language, group))
            except (ValueError, KeyError, TypeError) as exc:
                raise EsgDataError(f"{path}:{number}: not a gold release line ({exc!r})") from None
    return out


def sentence_spans(text: str) -> list[Span]:
    """Theme keyword spans of one sentence, less those inside an organisation's name (as extraction does)."""
    folded = fold(text)
    names = [s for s in organizations.find(text, folded) if not organizations.is_publisher(s.label)]
    return [
        s for s in themes.find(text, folded) if not any(n.start < s.end and s.start < n.end for n in names)
    ]


def candidates(example: Example) -> tuple[dict[str, dict[str, float]], set[str]]:
    """The example's candidate themes with their features, and the themes the rules choose."""
    spans = sentence_spans(example.text)
    by_rules = {s.label for s in themes.resolve_by_rules(spans)}
    return themes.candidate_features(spans, by_rules), by_rules


def fingerprint(examples: Iterable[Example]) -> str:
    """A short hash of the training examples, recorded with the weights."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.group}\x1f{e.language}\x1f{e.text}\x1f{';'.join(sorted(e.themes))}\n".encode())
    return digest.hexdigest()[:12]


def _lexicon_hash() -> str:
    data = resources.files("esgdata.extraction").joinpath("lexicons", "themes.yaml").read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def fit(examples: list[Example], c: float = C) -> ThemeModel:
    """Fit the candidate-theme model on ``examples`` (deterministic for the same examples)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for example in examples:
        features, _ = candidates(example)
        for theme, f in features.items():
            rows.append(f)
            labels.append(int(theme in example.themes))
    if len(set(labels)) < 2:
        raise EsgDataError("training needs candidate themes that are right and ones that are wrong")
    vec = DictVectorizer()
    model = LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit(vec.fit_transform(rows), labels)
    names = vec.get_feature_names_out()
    return ThemeModel(
        intercept=round(float(model.intercept_[0]), 6),
        weights={
            str(n): round(float(w), 6) for n, w in zip(names, model.coef_[0], strict=True) if abs(w) > 1e-6
        },
        veto_below=VETO_BELOW,
        add_above=ADD_ABOVE,
        meta={
            "examples": len(examples),
            "organisations": len({e.group for e in examples}),
            "data": fingerprint(examples),
            "lexicon": _lexicon_hash(),
            "C": c,
        },
    )


def predict(model: ThemeModel | None, example: Example) -> set[str]:
    """Themes of the example's text: the rules alone (``model`` None) or the rules with the model."""
    spans = sentence_spans(example.text)
    chosen = themes.resolve_by_rules(spans) if model is None else themes.resolve_weak(spans, model)
    return set(themes.theme_ids(chosen))


@dataclass(frozen=True)
class Scores:
    """Micro-averaged F1 of themes and of pillars over a set of examples."""

    examples: int
    theme_f1: float
    pillar_f1: float


def _f1(pairs: list[tuple[set[str], set[str]]]) -> float:
    tp = sum(len(g & p) for g, p in pairs)
    fp = sum(len(p - g) for g, p in pairs)
    fn = sum(len(g - p) for g, p in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score(examples: list[Example], predicted: list[set[str]]) -> Scores:
    """Theme and pillar micro-F1 of predictions against the examples' gold themes."""
    pairs = [(set(e.themes), p) for e, p in zip(examples, predicted, strict=True)]
    pillar_pairs = [({lexicon.pillar_of(t) for t in g}, {lexicon.pillar_of(t) for t in p}) for g, p in pairs]
    return Scores(len(pairs), round(_f1(pairs), 3), round(_f1(pillar_pairs), 3))


def cross_validate(examples: list[Example], folds: int = FOLDS) -> dict[str, dict[str, Scores]]:
    """Language -> {"rules": ..., "model": ...} figures; each example is scored by a model
    trained without its organisation."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    if len(set(groups)) < folds:
        raise EsgDataError(f"grouped cross-validation needs at least {folds} organisations")
    learned: list[set[str]] = [set() for _ in examples]
    for train, test in GroupKFold(n_splits=folds).split(examples, groups=groups):
        model = fit([examples[i] for i in train])
        for i in test:
            learned[i] = predict(model, examples[i])
    rules = [predict(None, e) for e in examples]
    out = {}
    for language in sorted({e.language for e in examples}):
        idx = [i for i, e in enumerate(examples) if e.language == language]
        chosen = [examples[i] for i in idx]
        out[language] = {
            "rules": score(chosen, [rules[i] for i in idx]),
            "model": score(chosen, [learned[i] for i in idx]),
        }
    return out
