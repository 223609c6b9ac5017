"""The learned decision: is a unit a commitment, and of which kind. Two linear models over the
features of ``features.py``, stored as plain JSON weights (no pickle) inside the package.

A weights file names the feature code it was trained with (``FEATURES_VERSION``) and the
data that trained it; a file of another feature version is refused with a clear message,
because its weights would be applied to features they never saw.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import EsgDataError
from .features import FEATURES_VERSION

FORMAT = "esgdata-linear-1"
KIND_CLASSES = ("practice", "pledge", "target")


class ModelError(EsgDataError):
    """A weights file that is missing, malformed or made for other feature code."""


@dataclass(frozen=True)
class LinearModel:
    """Weights of one language: commitment-or-not (logistic) and kind (multinomial)."""

    language: str
    threshold: float
    detect_intercept: float
    detect: dict[str, float]
    kind_intercepts: tuple[float, ...]
    kind: dict[str, tuple[float, ...]]
    meta: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every feature either model weighs: any other feature cannot change an answer."""
        return frozenset(self.detect) | frozenset(self.kind)

    def probability(self, features: dict[str, float]) -> float:
        """P(commitment) of one unit's features."""
        weights = self.detect
        # Summed in the features' own order (a set's order changes with every process's hash seed).
        z = self.detect_intercept + sum([weights[k] * v for k, v in features.items() if k in weights])
        return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))

    def kind_scores(self, features: dict[str, float]) -> dict[str, float]:
        """Softmax probability of each kind for a unit already judged a commitment."""
        z0, z1, z2 = self.kind_intercepts
        weights = self.kind
        for k, v in features.items():
            row = weights.get(k)
            if row is not None:
                z0 += row[0] * v
                z1 += row[1] * v
                z2 += row[2] * v
        z = [z0, z1, z2]
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return {c: x / total for c, x in zip(KIND_CLASSES, e, strict=True)}

    def kind_of(self, features: dict[str, float]) -> str:
        """The most likely kind, held to the contract's definition: a target has a deadline year
        or a quantity, and an intention with a deadline is a target. (Chinese counting words,
        个 or 项, are in too many sentences for a quantity alone to make a target.)"""
        scores = self.kind_scores(features)
        kind = max(scores, key=lambda k: scores[k])
        deadline, quantity = bool(features.get("year:deadline")), bool(features.get("quantity"))
        if kind == "target" and not (deadline or quantity):
            return "pledge"
        if kind == "pledge" and (deadline or (quantity and self.language != "zh")):
            return "target"
        return kind

    def weighed_most(self, features: dict[str, float], n: int = 3) -> list[tuple[str, float]]:
        """The features that pushed hardest towards 'commitment', strongest first."""
        parts = [(k, self.detect.get(k, 0.0) * v) for k, v in features.items()]
        return sorted((p for p in parts if p[1] > 0), key=lambda p: -p[1])[:n]

    def to_json(self) -> dict[str, Any]:
        """The JSON document of these weights (what ``save`` writes)."""
        return {
            "format": FORMAT,
            "features_version": FEATURES_VERSION,
            "language": self.language,
            "threshold": self.threshold,
            "meta": self.meta,
            "detect": {"intercept": self.detect_intercept, "weights": dict(sorted(self.detect.items()))},
            "kind": {
                "classes": list(KIND_CLASSES),
                "intercepts": list(self.kind_intercepts),
                "weights": {k: list(v) for k, v in sorted(self.kind.items())},
            },
        }

    def save(self, path: Path) -> None:
        """Write the weights as JSON (rounded: the file is reviewed data, diffs stay readable)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def from_json(doc: dict[str, Any], where: str) -> LinearModel:
    """Check and load a weights document; ``where`` names it in error messages."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelError(f"{where}: not an esgdata weights file (format {FORMAT} expected)")
    version = doc.get("features_version")
    if version != FEATURES_VERSION:
        raise ModelError(
            f"{where}: weights trained for features version {version}, but this esgdata computes "
            f"version {FEATURES_VERSION}; retrain with `esgdata model train`"
        )
    try:
        kind = doc["kind"]
        if tuple(kind["classes"]) != KIND_CLASSES:
            raise ModelError(f"{where}: kind classes must be {KIND_CLASSES}")
        return LinearModel(
            language=str(doc["language"]),
            threshold=float(doc["threshold"]),
            detect_intercept=float(doc["detect"]["intercept"]),
            detect={str(k): float(v) for k, v in doc["detect"]["weights"].items()},
            kind_intercepts=tuple(float(x) for x in kind["intercepts"]),
            kind={str(k): tuple(float(x) for x in v) for k, v in kind["weights"].items()},
            meta=dict(doc.get("meta") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{where}: malformed weights ({exc!r})") from None


def read(path: Path) -> LinearModel:
    """Load weights from a file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read weights ({exc})") from None
    return from_json(doc, str(path))


def shipped_path(language: str) -> Path:
    """Where the package keeps the weights it ships for ``language``."""
    return Path(str(resources.files("esgdata.extraction").joinpath("weights", f"{language}.json")))


@lru_cache(maxsize=4)
def shipped(language: str) -> LinearModel:
    """The weights shipped with the package for ``language`` ('en' or 'zh')."""
    return read(shipped_path("zh" if language == "zh" else "en"))
