"""Theme lexicon recall on public labelled Chinese ESG sentences (../shared/external/lcy-esg).

usage: python bench/themes_external.py [--path FILE]

Each sentence carries one gold theme. Prints, per theme and macro-averaged, how often the
gold theme is among the themes the product tags, and how often it tags nothing at all.
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
    hit: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    empty = rows = 0
    for line in args.path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        gold = row["themes"][0]
        found = set(themes.theme_ids(themes.resolve_weak(themes.find(row["text"]))))
        rows += 1
        total[gold] += 1
        hit[gold] += gold in found
        empty += not found
    print(f"{'theme':16} {'rows':>6} {'recall':>7}")
    for theme in sorted(total):
        print(f"{theme:16} {total[theme]:6} {hit[theme] / total[theme]:7.3f}")
    macro = sum(hit[t] / total[t] for t in total) / len(total)
    micro = sum(hit.values()) / rows
    print(f"{'macro':16} {rows:6} {macro:7.3f}\n{'micro':16} {'':6} {micro:7.3f}")
    print(f"nothing tagged: {empty / rows:.3f} of {rows} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
