"""Theme lexicon recall on public labelled Chinese ESG sentences (../shared/external/lcy-esg).

usage: python bench/themes_external.py [--path FILE]

Each sentence carries one gold theme. Prints, per theme and macro-averaged, how often the
gold theme is among the themes the product tags (by the lexicon's rules alone, and with the
learned layer, which never trained on these sentences), and how often it tags nothing at all.
Exact-match precision means nothing with one label per row, so it is not printed.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

from esgdata.extraction import themes

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--path",
        type=Path,
        default=ROOT.parent / "shared" / "external" / "lcy-esg" / "lcy-esg.jsonl",
    )
    args = parser.parse_args()
    if not args.path.exists():
        print(f"{args.path} not found: nothing to measure")
        return 0
    hit: dict[str, collections.Counter[str]] = {
        "rules": collections.Counter(),
        "model": collections.Counter(),
    }
    empty: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    rows = 0
    for line in args.path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        gold = row["themes"][0]
        spans = themes.find(row["text"])
        found = {
            "rules": set(themes.theme_ids(themes.resolve_by_rules(spans))),
            "model": set(themes.theme_ids(themes.resolve_weak(spans))),
        }
        rows += 1
        total[gold] += 1
        for way, tagged in found.items():
            hit[way][gold] += gold in tagged
            empty[way] += not tagged
    print(f"{'theme':16} {'rows':>6} {'rules':>7} {'+model':>7}")
    for theme in sorted(total):
        print(f"{theme:16} {total[theme]:6} " + " ".join(f"{hit[w][theme] / total[theme]:7.3f}" for w in hit))
    macro = [sum(hit[w][t] / total[t] for t in total) / len(total) for w in hit]
    micro = [sum(hit[w].values()) / rows for w in hit]
    print(f"{'macro':16} {rows:6} " + " ".join(f"{m:7.3f}" for m in macro))
    print(f"{'micro':16} {'':6} " + " ".join(f"{m:7.3f}" for m in micro))
    print("nothing tagged:  " + " ".join(f"{empty[w] / rows:.3f} ({w})" for w in hit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
