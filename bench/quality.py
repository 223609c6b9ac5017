"""Extraction quality on the dev gold: runs extract on every gold release present and scores it.

usage: python bench/quality.py [--shared PATH] [--show-misses N]

Prints the scorer's figures (commitment P/R/F1, kind accuracy, theme and pillar F1,
target-year F1, speaker, date and title accuracy) for English and Chinese separately.
Needs ../shared (corpus, gold, scorer); exits 0 with a note when it is absent.
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
from esgdata.ingest import extract_files
from esgdata.models import Extraction

ROOT = Path(__file__).resolve().parent.parent


def score(shared: Path, language: str, out: Path, show: int) -> dict[str, object]:
    """Extract the language's corpus (and the seeds for English), then run the scorer on it."""
    inputs = [shared / "corpus" / language] + ([shared / "seeds"] if language == "en" else [])
    extractions = [
        r
        for r in extract_files(inputs, max_bytes=load_config().max_file_bytes, jobs=1)
        if isinstance(r, Extraction)
    ]
    commitments, releases = export.records(extractions)
    export.write(out / language, commitments, releases)
    gold_files = sorted((shared / "eval" / "gold").glob(f"{language}-*.jsonl"))
    if language == "en":
        gold_files.append(shared / "eval" / "gold" / "seed.jsonl")
    gold = out / f"gold-{language}.jsonl"
    gold.write_text(
        "".join(p.read_text(encoding="utf-8") for p in gold_files if p.exists()), encoding="utf-8"
    )
    scorer = [sys.executable, str(shared / "eval" / "score.py"), str(gold), str(out / language)]
    if show:
        subprocess.run([*scorer, "--show-misses", str(show)], check=True)
    result = subprocess.run([*scorer, "--json"], check=True, capture_output=True, text=True)
    return dict(json.loads(result.stdout))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if not (args.shared / "eval" / "score.py").exists():
        print(f"no gold and scorer under {args.shared}: nothing to measure")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        figures = {lang: score(args.shared, lang, Path(tmp), args.show_misses) for lang in ("en", "zh")}
    keys = list(figures["en"])
    print(f"{'':24} {'en':>8} {'zh':>8}")
    for key in keys:
        row = [figures[lang].get(key) for lang in ("en", "zh")]
        print(f"{key:24} " + " ".join(f"{'-' if v is None else v:>8}" for v in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
