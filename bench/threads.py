"""Threads: precision and recall on labelled statement pairs, and grouping speed at 100,000 commitments.

usage: python bench/threads.py [--commitments N]

The pairs (bench/data/thread_pairs.jsonl) name two sentences of the corpus in ../shared
and whether they make the same promise (including English/Chinese pairs); skipped when the
corpus is absent. The speed run groups N synthetic commitments (the corpus's statements
spread over many organisations and dates) on one core and prints the time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

from esgdata.analysis import threads
from esgdata.extraction import segment
from esgdata.extraction.pipeline import classify_text
from esgdata.readers import read
from esgdata.readers.release import parse_release

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def statement(source_file: str, opening: str) -> threads.Statement:
    """The corpus sentence that starts with ``opening``, as a thread statement."""
    path = next(CORPUS.glob(f"*/{source_file}"))
    release = parse_release(read(path, max_bytes=20 * 2**20))
    unit = next(u for u in segment.units(release.body, release.language) if u.text.startswith(opening))
    verdict = classify_text(unit.text, language=release.language)
    return threads.Statement(
        id=f"{source_file}:{unit.start}",
        organization=release.organization,
        date=release.date,
        text=unit.text,
        kind=str(verdict["kind"] or "pledge"),
        themes=frozenset(verdict["themes"]),  # type: ignore[arg-type]
        years=tuple(verdict["target_years"]),  # type: ignore[arg-type]
        concepts=threads.concepts_of(unit.text),
        source_file=source_file,
    )


def pairs_report(path: Path) -> None:
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [(statement(*p["a"]), statement(*p["b"]), p["same"], p["note"]) for p in pairs]
    for method in ("pairwise", "grouped"):
        tp = fp = fn = 0
        for a, b, same, note in rows:
            if method == "pairwise":
                predicted = threads.statement_similarity(a, b) >= threads.JOIN_THRESHOLD
            else:
                grouped = threads.group([a, b])
                predicted = len(grouped) == 1
            tp += predicted and same
            fp += predicted and not same
            fn += same and not predicted
            if predicted != same and method == "grouped":
                score = threads.statement_similarity(a, b)
                print(f"  miss ({'same' if same else 'different'}): {note}  [{score:.2f}]")
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        print(f"{method:9} pairs {len(rows)}  precision {precision:.3f}  recall {recall:.3f}")


def speed_report(n: int) -> None:
    base: list[threads.Statement] = []
    for path in sorted(CORPUS.glob("*/*.txt")) if CORPUS.is_dir() else sorted((ROOT / "seeds").glob("*.txt")):
        release = parse_release(read(path, max_bytes=20 * 2**20))
        for unit in segment.units(release.body, release.language):
            verdict = classify_text(unit.text, language=release.language)
            if verdict["kind"]:
                base.append(
                    threads.Statement(
                        f"{path.name}:{unit.start}",
                        release.organization,
                        release.date,
                        unit.text,
                        str(verdict["kind"]),
                        frozenset(verdict["themes"]),  # type: ignore[arg-type]
                        tuple(verdict["target_years"]),  # type: ignore[arg-type]
                        threads.concepts_of(unit.text),
                        path.name,
                    )
                )
    rng = random.Random(7)
    orgs = [f"org{i:03d}" for i in range(60)]
    made = []
    for i in range(n):
        day = f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-15"
        made.append(replace(base[i % len(base)], id=f"{i}", organization=rng.choice(orgs), date=day))
    start = time.perf_counter()
    grouped = threads.group(made)
    seconds = time.perf_counter() - start
    print(
        f"grouping {n} commitments into {len(grouped)} threads: {seconds:.1f} s on one core (target < 60 s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--pairs", type=Path, default=ROOT / "bench" / "data" / "thread_pairs.jsonl")
    args = parser.parse_args()
    if CORPUS.is_dir():
        pairs_report(args.pairs)
    else:
        print(f"{CORPUS} not found: pair precision and recall not measured")
    speed_report(args.commitments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
