"""Training the decision layer: labelled releases in, weights out, figures measured honestly.

Labels come from gold annotations (one JSON object per release, the contract's format) and
from reviewers' decisions. A unit is a positive when it matches a gold commitment the way
the contract's scorer matches rows (greedy, one to one, word overlap at least half).
Releases of held-out organisations are never read here. Every figure is measured by
cross-validation grouped by organisation, so a release's organisation is never both
trained on and scored. scikit-learn fits the models; the result is plain JSON weights.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import EsgDataError
from ..models import Release
from . import features, model
from .pipeline import prepare
from .similarity import tokens

SEED = 0
# Inverse regularisation per language, chosen by grouped cross-validation over shuffled
# organisation folds (training part only): detection wants strong regularisation (many weak word
# features, few releases); the kind model little, so the tense and aspect evidence can speak.
C_DETECT = {"en": 0.05, "zh": 0.1}
C_KIND = {"en": 20.0, "zh": 500.0}
FOLDS = 5
TRAIN_ONLY = ("written", "reviews")


@dataclass(frozen=True)
class LabelledRelease:
    """A release with the commitments a person marked in it (text and kind of each)."""

    release: Release
    group: str  # the organisation, for grouped cross-validation
    commitments: tuple[dict[str, Any], ...]
    source: str = "gold"  # gold, annotated, written or reviews
    # Reviews label only what reviewers looked at: the accepted or added commitments above,
    # and these rejected words; every other unit of a partly labelled release is left out.
    rejected: tuple[str, ...] = ()
    partial: bool = False


@dataclass
class Examples:
    """Feature dictionaries of every unit with its label, kind and group."""

    features: list[dict[str, float]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    release_of: list[int] = field(default_factory=list)
    releases: list[LabelledRelease] = field(default_factory=list)


def _overlap(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    return sum((a & b).values()) / max(sum(a.values()), sum(b.values()))


def align(texts: list[str], gold: list[str]) -> dict[int, int]:
    """Unit index -> gold index, matched as the scorer matches rows: best overlaps first, >= 0.5."""
    ut = [tokens(t) for t in texts]
    gt = [tokens(g) for g in gold]
    pairs = sorted(
        ((s, i, j) for i, g in enumerate(gt) for j, u in enumerate(ut) if (s := _overlap(g, u)) >= 0.5),
        reverse=True,
    )
    used_gold: set[int] = set()
    out: dict[int, int] = {}
    for _, i, j in pairs:
        if i not in used_gold and j not in out:
            used_gold.add(i)
            out[j] = i
    return out


def examples(labelled: Iterable[LabelledRelease]) -> Examples:
    """Every unit of every labelled release, featurised and labelled."""
    out = Examples()
    for rel in labelled:
        prepared = prepare(rel.release)
        feats = features.release_features(prepared.evidence, prepared.context)
        texts = [u.text for u in prepared.units]
        match = align(texts, [c["text"] for c in rel.commitments])
        refused = align(texts, list(rel.rejected)) if rel.partial else {}
        index = len(out.releases)
        out.releases.append(rel)
        for j, (unit, f) in enumerate(zip(prepared.units, feats, strict=True)):
            if rel.partial and j not in match and j not in refused:
                continue
            gold = rel.commitments[match[j]] if j in match else None
            out.features.append(f)
            out.texts.append(unit.text)
            out.labels.append(1 if gold else 0)
            out.kinds.append(str(gold["kind"]) if gold else "")
            out.groups.append(rel.group)
            out.release_of.append(index)
    return out


def _fit(ex: Examples, rows: list[int]) -> model.LinearModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    language = ex.releases[ex.release_of[rows[0]]].release.language
    vec = DictVectorizer()
    x = vec.fit_transform([ex.features[i] for i in rows])
    y = [ex.labels[i] for i in rows]
    if len(set(y)) < 2:
        raise EsgDataError("training needs both commitments and other sentences; the data has only one kind")
    detect = LogisticRegression(C=C_DETECT[language], max_iter=5000, random_state=SEED).fit(x, y)
    names = vec.get_feature_names_out()
    positives = [i for i in rows if ex.labels[i]]
    kvec = DictVectorizer()
    kx = kvec.fit_transform([ex.features[i] for i in positives])
    ky = [ex.kinds[i] for i in positives]
    missing = set(model.KIND_CLASSES) - set(ky)
    if missing:
        raise EsgDataError(f"training needs examples of every kind; none of {sorted(missing)}")
    kind = LogisticRegression(C=C_KIND[language], max_iter=5000, random_state=SEED).fit(kx, ky)
    order = [list(kind.classes_).index(c) for c in model.KIND_CLASSES]
    knames = kvec.get_feature_names_out()
    return model.LinearModel(
        language=language,
        threshold=0.5,
        detect_intercept=round(float(detect.intercept_[0]), 6),
        detect={
            str(n): round(float(w), 6) for n, w in zip(names, detect.coef_[0], strict=True) if abs(w) > 1e-6
        },
        kind_intercepts=tuple(round(float(kind.intercept_[o]), 6) for o in order),
        kind={
            str(n): tuple(round(float(kind.coef_[o][j]), 6) for o in order)
            for j, n in enumerate(knames)
            if any(abs(kind.coef_[o][j]) > 1e-6 for o in order)
        },
    )


@dataclass(frozen=True)
class Figures:
    """Commitment detection and kind figures, as the contract's scorer counts them."""

    releases: int
    gold: int
    predicted: int
    matched: int
    kind_correct: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_correct / self.matched if self.matched else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "releases": self.releases,
            "gold_commitments": self.gold,
            "predicted": self.predicted,
            "commitment_precision": round(self.precision, 3),
            "commitment_recall": round(self.recall, 3),
            "commitment_f1": round(self.f1, 3),
            "kind_accuracy": round(self.kind_accuracy, 3),
        }


def _score(ex: Examples, probs: dict[int, float], kinds: dict[int, str], threshold: float) -> Figures:
    """Release by release: predicted units against every gold commitment (unmatched gold counts)."""
    by_release: dict[int, list[int]] = {}
    for i, r in enumerate(ex.release_of):
        if i in probs:
            by_release.setdefault(r, []).append(i)
    gold = predicted = matched = kind_ok = 0
    for r, rows in by_release.items():
        rel = ex.releases[r]
        chosen = [i for i in rows if probs[i] >= threshold]
        pairs = align([ex.texts[i] for i in chosen], [c["text"] for c in rel.commitments])
        gold += len(rel.commitments)
        predicted += len(chosen)
        matched += len(pairs)
        kind_ok += sum(kinds[chosen[j]] == rel.commitments[g]["kind"] for j, g in pairs.items())
    return Figures(len(by_release), gold, predicted, matched, kind_ok)


def cross_validate(ex: Examples, folds: int = FOLDS) -> tuple[dict[int, float], dict[int, str]]:
    """Out-of-fold probabilities and kinds for every unit, folds grouped by organisation."""
    from sklearn.model_selection import GroupKFold

    probs: dict[int, float] = {}
    kinds: dict[int, str] = {}
    # Written releases and reviews (partly labelled) always train and are never scored: the
    # figures are of releases labelled whole.
    written = [i for i, r in enumerate(ex.release_of) if ex.releases[r].source in TRAIN_ONLY]
    rows = [i for i, r in enumerate(ex.release_of) if ex.releases[r].source not in TRAIN_ONLY]
    groups = [ex.groups[i] for i in rows]
    if len(set(groups)) < 2:
        raise EsgDataError("cross-validation needs releases of at least two organisations")
    for train, test in GroupKFold(n_splits=min(folds, len(set(groups)))).split(rows, groups=groups):
        fitted = _fit(ex, [rows[i] for i in train] + written)
        for i in (rows[j] for j in test):
            probs[i] = fitted.probability(ex.features[i])
            kinds[i] = fitted.kind_of(ex.features[i])
    return probs, kinds


def best_threshold(ex: Examples, probs: dict[int, float], kinds: dict[int, str]) -> float:
    """The threshold with the best cross-validated F1 (ties: the higher, for precision)."""
    grid = [round(0.25 + 0.025 * i, 3) for i in range(19)]
    return max(grid, key=lambda t: (round(_score(ex, probs, kinds, t).f1, 4), t))


def _data_digest(labelled: list[LabelledRelease]) -> str:
    h = hashlib.sha256()
    for rel in sorted(labelled, key=lambda r: r.release.source_file):
        h.update(rel.release.source_file.encode())
        h.update(rel.release.content_hash.encode())
        h.update(json.dumps(rel.commitments, sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def train(language: str, labelled: list[LabelledRelease]) -> tuple[model.LinearModel, dict[str, Any]]:
    """Fit the weights for ``language`` on ``labelled``; the report holds the grouped-CV figures."""
    chosen = [r for r in labelled if r.release.language == language]
    if not chosen:
        raise EsgDataError(f"no labelled {language} releases to train on")
    ex = examples(chosen)
    probs, kinds = cross_validate(ex)
    threshold = best_threshold(ex, probs, kinds)
    cv = _score(ex, probs, kinds, threshold)
    fitted = _fit(ex, list(range(len(ex.labels))))
    sources = Counter(r.source for r in chosen)
    report = {
        "language": language,
        "threshold": threshold,
        "cross_validation": {"folds": FOLDS, "grouped_by": "organisation", **cv.as_dict()},
        "trained_on": {
            "releases": len(chosen),
            "organisations": len(set(ex.groups)),
            "units": len(ex.labels),
            "commitments": sum(ex.labels),
            "sources": dict(sorted(sources.items())),
            "data_sha256": _data_digest(chosen),
        },
        "code": {"esgdata": __version__, "features_version": features.FEATURES_VERSION},
        "hyperparameters": {"C_detect": C_DETECT[language], "C_kind": C_KIND[language], "seed": SEED},
    }
    weights = model.LinearModel(
        language=language,
        threshold=threshold,
        detect_intercept=fitted.detect_intercept,
        detect=fitted.detect,
        kind_intercepts=fitted.kind_intercepts,
        kind=fitted.kind,
        meta=report,
    )
    digest = hashlib.sha256(json.dumps(weights.to_json(), sort_keys=True).encode()).hexdigest()
    return model.LinearModel(**{**weights.__dict__, "meta": {**report, "sha": digest[:16]}}), report


def read_gold(path: Path) -> Iterator[dict[str, Any]]:
    """The release objects of a gold JSONL file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise EsgDataError(f"{path}:{number}: not a JSON object ({exc})") from None


def heldout_names(shared: Path) -> set[str]:
    """File names of the held-out releases (``eval/heldout.txt``), never trained on."""
    listing = shared / "eval" / "heldout.txt"
    if not listing.exists():
        return set()
    lines = listing.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def gold_releases(shared: Path, language: str, *, heldout: bool = False) -> list[LabelledRelease]:
    """The gold-annotated releases of ``language`` under ``shared`` (corpus, seeds and eval/gold):
    the training part, or with ``heldout=True`` only the held-out part."""
    from ..readers import read
    from ..readers.release import parse_release

    gold_dir = shared / "eval" / "gold"
    if not gold_dir.is_dir():
        raise EsgDataError(f"{gold_dir}: no gold annotations there (expected eval/gold/*.jsonl)")
    files = sorted(gold_dir.glob(f"{language}-*.jsonl"))
    if language == "en" and (gold_dir / "seed.jsonl").exists():
        files.append(gold_dir / "seed.jsonl")
    held = heldout_names(shared)
    out = []
    for path in files:
        for doc in read_gold(path):
            name = str(doc["source_file"])
            if (name in held) != heldout:
                continue
            source = next(
                (p for p in (shared / "corpus" / language / name, shared / "seeds" / name) if p.exists()),
                None,
            )
            if source is None:
                raise EsgDataError(f"{path}: {name} is annotated but not in corpus/{language} or seeds")
            release = parse_release(read(source, max_bytes=50 * 2**20))
            group = name.split("-")[0] if "-" in name else name
            out.append(LabelledRelease(release, group, tuple(doc["commitments"])))
    return out


def evaluate(weights: model.LinearModel, labelled: list[LabelledRelease]) -> dict[str, float | int | None]:
    """Extract every labelled release with ``weights`` and score it the way the contract's
    scorer does: detection, kind, themes, pillars, target years (per release) and speakers."""
    from .pipeline import extract
    from .themes import pillars

    c: Counter[str] = Counter()
    chosen = [r for r in labelled if r.release.language == weights.language]
    for rel in chosen:
        found = extract(rel.release, {weights.language: weights}).commitments
        gold = rel.commitments
        pairs = align([x.text for x in found], [g["text"] for g in gold])
        c["gold"] += len(gold)
        c["predicted"] += len(found)
        c["matched"] += len(pairs)
        for j, i in pairs.items():
            g, p = gold[i], found[j]
            c["kind_ok"] += g["kind"] == p.kind
            gt, pt = set(g.get("themes", [])), set(p.themes)
            c["th_tp"] += len(gt & pt)
            c["th_fp"] += len(pt - gt)
            c["th_fn"] += len(gt - pt)
            gp, pp = set(pillars(tuple(gt))), set(p.pillars)
            c["pl_tp"] += len(gp & pp)
            c["pl_fp"] += len(pp - gp)
            c["pl_fn"] += len(gp - pp)
            if g.get("speaker"):
                c["sp_n"] += 1
                c["sp_ok"] += p.speaker.strip().lower() == str(g["speaker"]).strip().lower()
        gy = {int(y) for g in gold for y in g.get("target_years", [])}
        py = {y for p in found for y in p.target_years}
        c["ty_tp"] += len(gy & py)
        c["ty_fp"] += len(py - gy)
        c["ty_fn"] += len(gy - py)
    figures = Figures(len(chosen), c["gold"], c["predicted"], c["matched"], c["kind_ok"]).as_dict()

    def f1(tp: int, fp: int, fn: int) -> float | None:
        return round(2 * tp / (2 * tp + fp + fn), 3) if tp + fp + fn else None

    return {
        **figures,
        "theme_f1": f1(c["th_tp"], c["th_fp"], c["th_fn"]),
        "pillar_f1": f1(c["pl_tp"], c["pl_fp"], c["pl_fn"]),
        "target_year_f1": f1(c["ty_tp"], c["ty_fp"], c["ty_fn"]),
        "speaker_accuracy": round(c["sp_ok"] / c["sp_n"], 3) if c["sp_n"] else None,
    }


TRAINING_DATA = Path(__file__).resolve().parent / "training_data"


# In a written file, "=== name" opens a release, "@K|themes|years|speaker@" opens a commitment
# (K: T target, P pledge, R practice) and "@-@" ends one: the labels sit in the text they label.
_WRITTEN_TAG = re.compile(r"@(?:([TPR])\|([^|]*)\|([^|]*)\|([^@]*)|(-))@")
_WRITTEN_KINDS = {"T": "target", "P": "pledge", "R": "practice"}


def parse_written(source: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(file name, release text, commitments) of every release in a written training file."""
    out = []
    for block in re.split(r"^=== ", source, flags=re.M):
        if not block.strip():
            continue
        name, rest = block.split("\n", 1)
        commitments: list[dict[str, Any]] = []
        lines = []
        for line in rest.strip("\n").split("\n"):
            pieces = _WRITTEN_TAG.split(line)
            text = pieces[0]
            for i in range(1, len(pieces), 6):
                kind, themes, years, speaker, plain, after = pieces[i : i + 6]
                if not plain:
                    commitments.append(
                        {
                            "text": after.strip(),
                            "kind": _WRITTEN_KINDS[kind],
                            "themes": [t.strip() for t in themes.split(",") if t.strip()],
                            "target_years": [int(y) for y in years.split(",") if y.strip()],
                            "speaker": speaker.strip(),
                        }
                    )
                text += after
            lines.append(re.sub(r" {2,}", " ", text).strip())
        out.append((name.strip(), "\n".join(lines).strip() + "\n", commitments))
    return out


def written_releases(language: str, folder: Path | None = None) -> list[LabelledRelease]:
    """Releases written for training (fictional organisations, every hard case), with their labels."""
    from ..models import Document
    from ..readers.release import parse_release

    out = []
    sources = sorted((folder or TRAINING_DATA / "written").glob(f"{language}*.src"))
    for name, text, commitments in (
        r for path in sources for r in parse_written(path.read_text(encoding="utf-8"))
    ):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        release = parse_release(Document(name, "txt", text, digest))
        group = "written-" + name.split("-")[0]
        out.append(LabelledRelease(release, group, tuple(commitments), "written"))
    return out


def training_set(shared: Path | None, language: str) -> list[LabelledRelease]:
    """Everything ``language`` trains on: the gold's training part and the extra annotations of
    other corpus releases (when ``shared`` is there), and the written releases."""
    out = written_releases(language)
    if shared is not None and (shared / "eval" / "gold").is_dir():
        out = gold_releases(shared, language) + _extra_releases(shared, language) + out
    if not out:
        raise EsgDataError(f"no labelled {language} releases found (looked in {shared} and {TRAINING_DATA})")
    return out


def _extra_releases(shared: Path, language: str) -> list[LabelledRelease]:
    """Corpus releases the gold leaves out, annotated for training (never a held-out one)."""
    from ..readers import read
    from ..readers.release import parse_release

    path = TRAINING_DATA / f"corpus-{language}.jsonl"
    if not path.exists():
        return []
    held = heldout_names(shared)
    out = []
    for doc in read_gold(path):
        name = str(doc["source_file"])
        source = shared / "corpus" / language / name
        if name in held or not source.exists():
            continue
        release = parse_release(read(source, max_bytes=50 * 2**20))
        out.append(LabelledRelease(release, name.split("-")[0], tuple(doc["commitments"]), "annotated"))
    return out
