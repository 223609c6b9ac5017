"""Learning from reviewers: their decisions become labels, a retrained model is measured beside
the shipped one on the same held-out releases, and an admin switches the store to it.

Only what a person approved becomes a label: accepted, corrected (with the corrected kind)
and added commitments are positives, rejected ones negatives, and a stale review (its words
changed since) is left out. Every other sentence of a reviewed release is left out too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from . import ingest, review, store
from .errors import EsgDataError
from .extraction import model, segment, training
from .extraction.pipeline import classify_text
from .extraction.training import LabelledRelease
from .users import User, require


def review_releases(engine: Engine) -> list[LabelledRelease]:
    """Every reviewed release of the store, labelled with what reviewers approved or rejected."""
    out = []
    for rel in store.reviewed_releases(engine):
        positives, rejected = [], []
        for r in rel["reviews"]:
            if r["stale"]:
                continue  # the words changed since the review: nobody approved these values
            if r["status"] in ("accepted", "corrected"):
                # The values the reviewer approved; before they were kept, the extraction and corrections.
                approved = review.approved_values(r) or {
                    "kind": r["reviewed_kind"] or r["kind"],
                    "themes": r["reviewed_themes"] or r["themes"] or "",
                    "target_years": r["reviewed_years"] or r["target_years"] or "",
                    "speaker": r["reviewed_speaker"] or r["speaker"] or "",
                }
                positives.append(
                    {
                        "text": r["text"],
                        "kind": approved["kind"],
                        "themes": [t for t in approved["themes"].split(";") if t],
                        "target_years": [int(y) for y in approved["target_years"].split(";") if y],
                        "speaker": approved["speaker"],
                    }
                )
            elif r["status"] == "rejected":
                rejected.append(r["text"])
        if not positives and not rejected:
            continue
        release = store.stored_release(rel)
        group = "reviews-" + (rel["organization"] or rel["source_file"])
        out.append(
            LabelledRelease(release, group, tuple(positives), "reviews", tuple(rejected), partial=True)
        )
    return out


def retrain(
    engine: Engine, user: User | None, language: str, training_dir: Path | None, *, name: str = ""
) -> dict[str, Any]:
    """Train a model on the labelled releases plus this store's reviews, measure it and the shipped
    one on the held-out releases (when the training folder has them), and keep it, inactive."""
    person = require(user, "reviewer", engine)
    reviews = [r for r in review_releases(engine) if r.release.language == language]
    if not reviews:
        raise EsgDataError(f"no reviewed {language} releases in the store: nothing to learn from yet")
    base = training.training_set(training_dir, language)
    weights, report = training.train(language, base + reviews)
    figures: dict[str, Any] = {
        "cross_validation": report["cross_validation"],
        "reviews": {
            "releases": len(reviews),
            "commitments": sum(len(r.commitments) for r in reviews),
            "rejected": sum(len(r.rejected) for r in reviews),
        },
    }
    if training_dir is not None and (training_dir / "eval" / "heldout.txt").exists():
        held = training.gold_releases(training_dir, language, heldout=True)
        figures["held_out"] = training.evaluate(weights, held)
        figures["held_out_shipped"] = training.evaluate(model.shipped(language), held)
    now = dt.datetime.now(dt.UTC)
    name = name or f"{language}-{now:%Y%m%d-%H%M%S}"
    store.insert_model(
        engine,
        {
            "name": name,
            "language": language,
            "weights": json.dumps(weights.to_json(), ensure_ascii=False),
            "figures": json.dumps(figures, ensure_ascii=False),
            "created_by": person.name,
            "created_at": now,
        },
        person.name,
    )
    return {"name": name, **figures}


def models(engine: Engine) -> list[dict[str, Any]]:
    """The store's retrained models, newest first, with their figures read back."""
    return [
        {**{k: v for k, v in row.items() if k != "weights"}, "figures": json.loads(row["figures"])}
        for row in store.model_rows(engine)
    ]


def switch(engine: Engine, user: User | None, language: str, name: str | None) -> int:
    """Make the store use model ``name`` for ``language`` (None: the shipped one), then
    re-extract every release of that language; reviews carry over. Returns releases re-extracted."""
    person = require(user, "admin", engine)
    store.activate_model(engine, language, name, person.name)
    return ingest.reextract(engine, person, language)


def missed_candidates(engine: Engine, source_file: str) -> list[dict[str, Any]]:
    """The sentences of a stored release that are not commitments yet, each with what the
    extraction would suggest for it (kind, themes, years): what a reviewer may add."""
    release = store.release_body(engine, source_file)
    taken = [(c["start"], c["end"]) for c in release["commitments"]]
    out = []
    for unit in segment.units(release["body"], release["language"]):
        if any(s < unit.end and unit.start < e for s, e in taken):
            continue
        year = int(release["date"][:4]) if release["date"] else None
        guess = classify_text(unit.text, language=release["language"], release_year=year)
        out.append(
            {
                "text": unit.text,
                "start": unit.start,
                "kind": guess["kind"] or "pledge",
                "themes": guess["themes"],
                "target_years": guess["target_years"],
            }
        )
    return out
