"""Extraction quality on the dev gold, scored by the contract's own scorer: held-out first.

usage: python bench/quality.py [--shared PATH]

The gold is split by ``eval/heldout.txt``: releases of organisations the extraction was never
trained or tuned on (their figures predict releases nobody has seen), then the training part
(in-sample: the model has seen these). Last, the model's cross-validation grouped by
organisation, as recorded in the shipped weights. Needs ../shared (corpus, gold, scorer);
exits 0 with a note when it is absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from esgdata import export
from esgdata.config import load_config
from esgdata.extraction import model, training
from esgdata.ingest import extract_files
from esgdata.models import Extraction

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("held-out", "training part")


def gold_lines(shared: Path, language: str) -> list[str]:
    files = sorted((shared / "eval" / "gold").glob(f"{language}-*.jsonl"))
    if language == "en":
        files.append(shared / "eval" / "gold" / "seed.jsonl")
    return [line for p in files if p.exists() for line in p.read_text(encoding="utf-8").splitlines() if line]


def score(shared: Path, language: str, out: Path) -> dict[str, dict[str, object]]:
    """Extract the language's corpus (and the seeds for English), then score each part of the gold."""
    inputs = [shared / "corpus" / language] + ([shared / "seeds"] if language == "en" else [])
    extractions = [
        r
        for r in extract_files(inputs, max_bytes=load_config().max_file_bytes, jobs=1)
        if isinstance(r, Extraction)
    ]
    commitments, releases = export.records(extractions)
    export.write(out / language, commitments, releases)
    held = training.heldout_names(shared)
    figures = {}
    for part in PARTS:
        lines = [
            x
            for x in gold_lines(shared, language)
            if (json.loads(x)["source_file"] in held) == (part == PARTS[0])
        ]
        gold = out / f"gold-{language}-{part.replace(' ', '-')}.jsonl"
        gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
        scorer = [sys.executable, str(shared / "eval" / "score.py"), str(gold), str(out / language), "--json"]
        result = subprocess.run(scorer, check=True, capture_output=True, text=True)
        figures[part] = dict(json.loads(result.stdout))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    if not (args.shared / "eval" / "score.py").exists():
        print(f"no gold and scorer under {args.shared}: nothing to measure")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        figures = {lang: score(args.shared, lang, Path(tmp)) for lang in ("en", "zh")}
    for part in PARTS:
        title = (
            "HELD-OUT organisations (predicts unseen releases)"
            if part == PARTS[0]
            else "training part (in-sample)"
        )
        print(f"\n{title}\n{'':24} {'en':>8} {'zh':>8}")
        for key in figures["en"][part]:
            row = [figures[lang][part].get(key) for lang in ("en", "zh")]
            print(f"{key:24} " + " ".join(f"{'-' if v is None else v:>8}" for v in row))
    print("\ncross-validation grouped by organisation (training part, from the weights)")
    print(f"{'':24} {'en':>8} {'zh':>8}")
    cv = {lang: model.shipped(lang).meta.get("cross_validation", {}) for lang in ("en", "zh")}
    for key in ("commitment_precision", "commitment_recall", "commitment_f1", "kind_accuracy"):
        print(f"{key:24} " + " ".join(f"{cv[lang].get(key, '-'):>8}" for lang in ("en", "zh")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
