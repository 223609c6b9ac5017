"""The learned theme layer: one logistic model over every (text, candidate theme) pair, stored as
plain JSON weights (no pickle) inside the package.

The lexicon proposes the candidates (every theme with a keyword in the text) and decides by its
rules; the model gives a second opinion from generic evidence (strong, weak and context keyword
counts, the other themes named, which theme comes first). It overrules the rules only when it is
confident: it drops a theme the rules kept below ``veto_below`` and adds one they left out at
``add_above`` or more. A weights file names the feature code it was made for; another version is
refused, because its weights would be applied to features they never saw.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import EsgDataError

FORMAT = "esgdata-theme-linear-1"
FEATURES_VERSION = "1"  # bump whenever themes.candidate_features changes what it computes


class ThemeModelError(EsgDataError):
    """A theme weights file that is missing, malformed or made for other feature code."""


@dataclass(frozen=True)
class ThemeModel:
    """Weights of the candidate-theme model and the two thresholds that combine it with the rules."""

    intercept: float
    weights: dict[str, float]
    veto_below: float
    add_above: float
    meta: dict[str, Any] = field(default_factory=dict)

    def probability(self, features: dict[str, float]) -> float:
        """P(the candidate theme is a theme of the text) from its features."""
        z = self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))

    def keeps(self, features: dict[str, float], by_rules: bool) -> bool:
        """Whether the theme stays: the rules' decision unless the model is confident otherwise."""
        p = self.probability(features)
        return p >= self.veto_below if by_rules else p >= self.add_above

    def to_json(self) -> dict[str, Any]:
        """The JSON document of these weights (what ``save`` writes)."""
        return {
            "format": FORMAT,
            "features_version": FEATURES_VERSION,
            "veto_below": self.veto_below,
            "add_above": self.add_above,
            "meta": self.meta,
            "intercept": self.intercept,
            "weights": dict(sorted(self.weights.items())),
        }

    def save(self, path: Path) -> None:
        """Write the weights as JSON, one entry a line, so a retraining reads as a diff."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def from_json(doc: Any, where: str) -> ThemeModel:
    """Check and load a weights document; ``where`` names it in error messages."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ThemeModelError(f"{where}: not an esgdata theme weights file (format {FORMAT} expected)")
    version = doc.get("features_version")
    if version != FEATURES_VERSION:
        raise ThemeModelError(
            f"{where}: weights made for theme features version {version}, but this esgdata computes "
            f"version {FEATURES_VERSION}; retrain with `python bench/themes_cv.py --write`"
        )
    try:
        model = ThemeModel(
            intercept=float(doc["intercept"]),
            weights={str(k): float(v) for k, v in doc["weights"].items()},
            veto_below=float(doc["veto_below"]),
            add_above=float(doc["add_above"]),
            meta=dict(doc.get("meta") or {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ThemeModelError(f"{where}: malformed theme weights ({exc!r})") from None
    if not 0.0 <= model.veto_below <= model.add_above <= 1.0:
        raise ThemeModelError(f"{where}: thresholds must satisfy 0 <= veto_below <= add_above <= 1")
    return model


def read(path: Path) -> ThemeModel:
    """Load theme weights from a file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ThemeModelError(f"{path}: cannot read theme weights ({exc})") from None
    return from_json(doc, str(path))


def shipped_path() -> Path:
    """Where the package keeps the theme weights it ships."""
    return Path(str(resources.files("esgdata.extraction").joinpath("weights", "themes.json")))


@lru_cache(maxsize=1)
def shipped() -> ThemeModel:
    """The theme weights shipped with the package."""
    return read(shipped_path())
