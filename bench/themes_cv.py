"""The learned theme layer against the lexicon's rules, by cross-validation grouped by organisation.

usage: python bench/themes_cv.py [--shared PATH] [--folds N] [--write]

Reads the gold commitments of ../shared/eval/gold less the held-out releases of
../shared/eval/heldout.txt (never read), and prints theme and pillar micro-F1 per language for
the rules alone and for rules + model, each commitment scored by a model trained without its
organisation. --write then trains on all of them and writes the package's theme weights.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from esgdata.extraction import theme_model, theme_training

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--folds", type=int, default=theme_training.FOLDS)
    parser.add_argument("--write", action="store_true", help="retrain on every example and write the weights")
    args = parser.parse_args()
    gold = args.shared / "eval" / "gold"
    if not gold.is_dir():
        print(f"no gold annotations under {args.shared}: nothing to measure")
        return 0
    examples = theme_training.gold_examples(gold, args.shared / "eval" / "heldout.txt")
    print(f"{len(examples)} gold commitments of {len({e.group for e in examples})} organisations")
    print(f"{'':4} {'n':>5} {'theme F1 rules':>15} {'+ model':>8} {'pillar F1 rules':>16} {'+ model':>8}")
    for language, s in theme_training.cross_validate(examples, args.folds).items():
        rules, model = s["rules"], s["model"]
        print(
            f"{language:4} {rules.examples:5} {rules.theme_f1:15.3f} {model.theme_f1:8.3f} "
            f"{rules.pillar_f1:16.3f} {model.pillar_f1:8.3f}"
        )
    if args.write:
        path = theme_model.shipped_path()
        theme_training.fit(examples).save(path)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
