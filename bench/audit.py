"""What the audit chain costs: appending rows (one transaction each, as a review is saved) and
verifying the whole chain, on SQLite (and PostgreSQL with --pg URL).

    python bench/audit.py --rows 20000 [--pg postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from esgdata import store


def measure(url: str, rows: int) -> dict[str, float]:
    engine = store.connect(url, owner_url="")
    start = time.perf_counter()
    for i in range(rows):
        store.note(engine, "bench", "review", f"c{i:08d}", [("status", "unreviewed", "accepted")])
    append = time.perf_counter() - start
    start = time.perf_counter()
    check = store.verify_audit(engine)
    verify = time.perf_counter() - start
    assert check.ok and check.rows >= rows, check
    engine.dispose()
    return {"append_per_s": rows / append, "verify_rows": check.rows, "verify_s": verify}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--pg", default="", help="an empty PostgreSQL database to use as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'audit.db'}")] + (
            [("postgresql", args.pg)] if args.pg else []
        )
        for name, url in targets:
            got = measure(url, args.rows)
            print(
                f"{name}: {got['append_per_s']:,.0f} audited transactions/s; "
                f"verify {got['verify_rows']:,} rows in {got['verify_s']:.2f} s "
                f"({got['verify_rows'] / got['verify_s']:,.0f} rows/s)"
            )


if __name__ == "__main__":
    main()
