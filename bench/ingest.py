"""Ingest and extract speed and memory, against a floor measured in the same run.

usage: python bench/ingest.py [--releases N] [--language en|zh|both] [--jobs J]

Makes N releases by copying the sample releases (../shared/corpus when present, else
seeds/) under new names, then times, each in its own process so peak memory is its own:
  floor    read every file and split it into sentences with one regex
  extract  read, parse and extract every release (what `esgdata extract` does, CSV included)
  ingest   the same into a fresh SQLite store (what `esgdata ingest` does)
and prints releases/s, commitments/s, CPU ms per release (the phase process's CPU time,
start-up and worker processes included, over releases), peak memory and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


def make_corpus(target: Path, n: int, language: str) -> None:
    """N copies of the sample releases of ``language``, each under a new name."""
    shared = ROOT.parent / "shared" / "corpus"
    sources = sorted((shared / language).glob("*.txt")) if (shared / language).is_dir() else []
    if language == "en":
        sources += sorted((ROOT / "seeds").glob("*.txt"))
    if not sources:
        sources = sorted((ROOT / "seeds").glob("*.txt"))
    target.mkdir(parents=True)
    for i in range(n):
        src = sources[i % len(sources)]
        shutil.copyfile(src, target / f"{i:05d}-{src.name}")


def phase(name: str, folder: Path, jobs: int) -> dict[str, float]:
    """Run one phase in this process and return its figures."""
    start = time.perf_counter()
    releases = commitments = 0
    if name == "floor":
        for path in sorted(folder.iterdir()):
            commitments += len(SENTENCE.split(path.read_text(encoding="utf-8")))
            releases += 1
    elif name == "extract":
        from esgdata import export
        from esgdata.ingest import extract_files
        from esgdata.models import Extraction

        rows: list[dict[str, object]] = []
        rel_rows: list[dict[str, object]] = []
        for result in extract_files([folder], max_bytes=20 * 2**20, jobs=jobs):
            if isinstance(result, Extraction):
                c, r = export.records([result])
                rows += c
                rel_rows += r
                releases += 1
                commitments += len(result.commitments)
        export.write(folder.parent / "out", rows, rel_rows)
    elif name == "ingest":
        from esgdata import store, users
        from esgdata.ingest import ingest

        engine = store.connect(f"sqlite:///{folder.parent / 'bench.db'}")
        report = ingest(engine, users.operator(), [folder], max_bytes=20 * 2**20, jobs=jobs)
        releases, commitments = report.releases, report.commitments
    seconds = time.perf_counter() - start
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    peak_mb = max(own.ru_maxrss, workers.ru_maxrss) / 1024
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "releases": releases,
        "commitments": commitments,
        "peak_mb": peak_mb,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=10_000)
    parser.add_argument("--language", choices=["en", "zh", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for extract and ingest")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.folder, args.jobs)))
        return 0
    languages = ["en", "zh"] if args.language == "both" else [args.language]
    for language in languages:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "releases"
            make_corpus(folder, args.releases, language)
            print(f"\n{language}: {args.releases} releases, jobs={args.jobs}")
            print(
                f"{'phase':8} {'seconds':>8} {'rel/s':>9} {'commit/s':>9} {'CPU ms/rel':>10} "
                f"{'peak MB':>8} {'x floor':>8}"
            )
            floor = None
            for name in ("floor", "extract", "ingest"):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--phase",
                        name,
                        "--folder",
                        str(folder),
                        "--jobs",
                        str(args.jobs),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                r = json.loads(out)
                floor = floor or r["seconds"]
                rate = r["releases"] / r["seconds"]
                crate = r["commitments"] / r["seconds"] if name != "floor" else float("nan")
                cpu_ms = 1000 * r["cpu_seconds"] / r["releases"]
                print(
                    f"{name:8} {r['seconds']:8.2f} {rate:9.0f} {crate:9.0f} {cpu_ms:10.2f} "
                    f"{r['peak_mb']:8.0f} {r['seconds'] / floor:8.1f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
