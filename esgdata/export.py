"""The CSV export of the contract: commitments.csv and releases.csv, one function each.

Both files are UTF-8 with a byte-order mark (Excel then reads Chinese correctly), lists
are joined with ";", and any cell a spreadsheet would run as a formula is neutralised.
The CLI's export, the CLI's extract and the dashboard's download all write through here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .models import Commitment, Extraction, Release, Span

# Spec columns first, in the spec's order; extra columns after them.
COMMITMENT_COLUMNS: tuple[str, ...] = (
    "source_file",
    "release_date",
    "release_title",
    "organization",
    "speaker",
    "text",
    "kind",
    "pillars",
    "themes",
    "target_years",
    "confidence",
    "id",
    "language",
    "start",
    "end",
    "cue",
    "cue_rule",
    "theme_evidence",
    "extractor_version",
    "thread_id",
    "source",  # "extracted", or "reviewer" for a commitment a reviewer added
)
RELEASE_COLUMNS: tuple[str, ...] = (
    "source_file",
    "release_date",
    "release_title",
    "language",
    "organization",
    "commitments",
    "source",
    "format",
    "content_hash",
    "warnings",
    "url",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def join(values: Iterable[Any]) -> str:
    """List cell: items joined by ';'."""
    return ";".join(str(v) for v in values)


def evidence_json(spans: Iterable[Span]) -> str:
    """The theme_evidence cell: which words gave which theme, with their offsets in the body."""
    return json.dumps(
        [{"theme": s.label, "words": s.text, "start": s.start, "end": s.end} for s in spans],
        ensure_ascii=False,
    )


def commitment_record(c: Commitment, release: Release) -> dict[str, Any]:
    """One commitments.csv row from an extracted commitment."""
    return {
        "source_file": release.source_file,
        "release_date": release.date,
        "release_title": release.title,
        "organization": c.organization,
        "speaker": c.speaker,
        "text": c.text,
        "kind": c.kind,
        "pillars": join(c.pillars),
        "themes": join(c.themes),
        "target_years": join(c.target_years),
        "confidence": f"{c.confidence:.2f}",
        "id": c.id,
        "language": release.language,
        "start": c.start,
        "end": c.end,
        "cue": c.cue.text,
        "cue_rule": c.cue.label,
        "theme_evidence": evidence_json(c.theme_evidence),
        "extractor_version": c.extractor_version,
        "source": "extracted",
    }


def release_record(release: Release, commitments: int) -> dict[str, Any]:
    """One releases.csv row."""
    return {
        "source_file": release.source_file,
        "release_date": release.date,
        "release_title": release.title,
        "language": release.language,
        "organization": release.organization,
        "commitments": commitments,
        "source": release.source,
        "format": release.format,
        "content_hash": release.content_hash,
        "warnings": join(release.warnings),
        "url": release.url,
    }


def records(extractions: Iterable[Extraction]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(commitment rows, release rows) of extractions made without a store."""
    commitments: list[dict[str, Any]] = []
    releases: list[dict[str, Any]] = []
    for x in extractions:
        commitments.extend(commitment_record(c, x.release) for c in x.commitments)
        releases.append(release_record(x.release, len(x.commitments)))
    return commitments, releases


def timestamp(value: dt.datetime, *, seconds: bool = True) -> str:
    """A moment as people read it, always with its zone: "2026-12-05 09:30:12 UTC"."""
    if value.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def _cell(value: Any) -> Any:
    """Times as ISO 8601 with their zone (2026-12-05T09:30:12+00:00), anything else as it is."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> str:
    """CSV text (BOM first) with the given columns, formula-like cells neutralised."""
    columns = list(columns)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralize(_cell(row.get(col, ""))) for col in columns])
    return out.getvalue()


def commitments_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The text of commitments.csv; extra keys in rows (e.g. review columns) are kept after the spec's."""
    rows = list(rows)
    extra = [k for k in (rows[0] if rows else {}) if k not in COMMITMENT_COLUMNS]
    return to_csv(rows, [*COMMITMENT_COLUMNS, *extra])


def releases_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The text of releases.csv."""
    return to_csv(rows, RELEASE_COLUMNS)


THREAD_COLUMNS: tuple[str, ...] = (
    "thread_id",
    "organization",
    "label",
    "first_date",
    "last_date",
    "statements",
    "target_year_history",
    "delivery_status",
    "changes",
)


def threads_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """threads.csv: one row per thread (same encoding and neutralisation as the spec files)."""
    renamed = [{**r, "thread_id": r["id"], "target_year_history": r["year_history"]} for r in rows]
    return to_csv(renamed, THREAD_COLUMNS)


def achievement_records(extractions: Iterable[Extraction]) -> list[dict[str, Any]]:
    """Reported results of extractions made without a store, as threads.build reads them."""
    return [
        {
            "id": a.id,
            "organization": x.release.organization,
            "release_date": x.release.date,
            "source_file": a.source_file,
            "text": a.text,
            "themes": join(a.themes),
        }
        for x in extractions
        for a in x.achievements
    ]


AUDIT_COLUMNS: tuple[str, ...] = (
    "id",
    "at",
    "actor",
    "action",
    "target",
    "field",
    "old_value",
    "new_value",
    "prev_hash",  # the chain (store.verify_audit): anyone can check the CSV too
    "row_hash",
)


def audit_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The audit log as CSV (same encoding and neutralisation as the other exports)."""
    return to_csv(rows, AUDIT_COLUMNS)


def write(
    out_dir: str | Path,
    commitments: Iterable[Mapping[str, Any]],
    releases: Iterable[Mapping[str, Any]],
    threads: Iterable[Mapping[str, Any]] | None = None,
) -> tuple[Path, ...]:
    """Write commitments.csv and releases.csv (and threads.csv when given) into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [
        (out / "commitments.csv", commitments_csv(commitments)),
        (out / "releases.csv", releases_csv(releases)),
    ]
    if threads is not None:
        files.append((out / "threads.csv", threads_csv(threads)))
    for path, text in files:
        path.write_text(text, encoding="utf-8", newline="")
    return tuple(path for path, _ in files)
