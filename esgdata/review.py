"""Stakeholder review: statuses, corrections, the queue, bulk accept, measured quality, gold export.

The original extraction is never overwritten: a review stores the corrected fields beside
it, and every change lands in the append-only audit log in the same transaction. Saving
uses optimistic concurrency: a reviewer saves against the version they saw, and a second
save against an old version is refused with what the other person changed.
"""

from __future__ import annotations

import collections
import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from . import export, store
from .errors import ConflictError, EsgDataError, StoreError
from .export import join
from .extraction import lexicon
from .extraction.pipeline import commitment_id
from .models import KINDS
from .users import User, require

STATUSES: tuple[str, ...] = ("unreviewed", "accepted", "rejected", "corrected", "needs follow-up")
CORRECTABLE: tuple[str, ...] = ("kind", "themes", "target_years", "speaker", "organization")
REVIEW_COLUMNS: tuple[str, ...] = (
    "review_status",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
    "review_stale",
    "review_version",
    "original_kind",
    "original_themes",
    "original_target_years",
    "original_speaker",
    "original_organization",
)


def _clean(field: str, value: Any) -> str:
    """A correction as stored (";"-joined lists), or a clear error."""
    if field == "kind":
        if value not in KINDS:
            raise EsgDataError(f"kind must be one of {', '.join(KINDS)}, not {value!r}")
        return str(value)
    if field == "themes":
        items = value.split(";") if isinstance(value, str) else list(value)
        items = [t.strip() for t in items if t.strip()]
        unknown = [t for t in items if t not in lexicon.THEME_IDS]
        if unknown:
            raise EsgDataError(f"unknown theme ids {unknown}; the ids are {', '.join(lexicon.THEME_IDS)}")
        return join(t for t in lexicon.THEME_IDS if t in items)
    if field == "target_years":
        items = value.split(";") if isinstance(value, str) else list(value)
        try:
            years = sorted({int(str(y).strip()) for y in items if str(y).strip()})
        except ValueError:
            raise EsgDataError(f"target years must be years like 2030, not {value!r}") from None
        if any(not 1900 <= y <= 2200 for y in years):
            raise EsgDataError(f"target years must lie between 1900 and 2200, not {years}")
        return join(years)
    return str(value).strip()


def _as_stored(field: str, value: Any) -> str:
    """An extracted value in the form a correction takes (themes in lexicon order, years sorted)."""
    try:
        return _clean(field, value or "")
    except EsgDataError:  # e.g. a theme the lexicon no longer has: compare as it is
        return str(value or "")


def _pillars(themes: str) -> str:
    present = {lexicon.pillar_of(t) for t in themes.split(";") if t}
    return join(p for p in ("E", "S", "G") if p in present)


def review(
    engine: Engine,
    user: User | None,
    commitment_id: str,
    *,
    status: str,
    expected_version: int,
    comment: str | None = None,
    **corrections: Any,
) -> dict[str, Any]:
    """Record a reviewer's verdict on one commitment; returns the saved review row.

    ``expected_version`` is the review version the reviewer saw (0 for none). Corrections
    (kind, themes, target_years, speaker, organization) make the status "corrected".
    """
    reviewer = require(user, "reviewer", engine)
    if status not in STATUSES:
        raise EsgDataError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    unknown = set(corrections) - set(CORRECTABLE)
    if unknown:
        raise EsgDataError(
            f"cannot correct {sorted(unknown)}; correctable fields are {', '.join(CORRECTABLE)}"
        )
    commitment = store.get_commitment(engine, commitment_id)
    if commitment is None:
        raise StoreError(f"no commitment with id {commitment_id!r} in the store")
    current = store.get_review(engine, commitment_id) or {}
    fixed = {f: _clean(f, v) for f, v in corrections.items() if v is not None}
    fixed = {
        f: v for f, v in fixed.items() if v != _as_stored(f, commitment[f])
    }  # same as extracted (in any order): no correction
    if fixed and status in ("accepted", "unreviewed"):
        status = "corrected"
    approved = {f: fixed.get(f, commitment[f] or "") for f in CORRECTABLE}  # what the reviewer saw
    values: dict[str, Any] = {
        "commitment_id": commitment_id,
        "source_file": commitment["source_file"],
        "status": status,
        **{f: fixed.get(f) for f in CORRECTABLE},
        "comment": current.get("comment", "") if comment is None else comment,
        "reviewed_text": commitment["text"],
        "reviewed_values": json.dumps(approved, ensure_ascii=False),
        "stale": False,
        "reviewed_by": reviewer.name,
        "reviewed_at": dt.datetime.now(dt.UTC),
    }
    changes = [
        (field, str(current.get(field) or ""), str(values[field] or ""))
        for field in ("status", *CORRECTABLE, "comment")
        if str(current.get(field) or "") != str(values[field] or "")
    ]
    try:
        return store.write_review(engine, values, expected_version, reviewer.name, changes)
    except ConflictError as exc:
        raise ConflictError(exc.current, conflict_message(exc.current)) from None


def add_commitment(
    engine: Engine,
    user: User | None,
    source_file: str,
    text: str,
    *,
    kind: str,
    themes: Iterable[str] | str = (),
    target_years: Iterable[int | str] | str = (),
    speaker: str = "",
    organization: str = "",
    comment: str = "",
) -> str:
    """Add a commitment the extraction missed: ``text`` must be words of the release's body.

    Stored as reviewer-added (accepted by the person adding it), kept through every re-ingest,
    audited; returns its id.
    """
    reviewer = require(user, "reviewer", engine)
    release = store.release_body(engine, source_file)
    words = text.strip()
    start = release["body"].find(words) if words else -1
    if start < 0:
        raise EsgDataError(
            f"the words to add must be copied from the release {source_file!r}; these are not in it"
        )
    occurrence = release["body"].count(words, 0, start)
    cid = commitment_id(source_file, words, occurrence)
    clean_themes = _clean("themes", themes)
    values: dict[str, Any] = {
        "id": cid,
        "start": start,
        "end": start + len(words),
        "text": words,
        "kind": _clean("kind", kind),
        "themes": clean_themes,
        "pillars": _pillars(clean_themes),
        "target_years": _clean("target_years", target_years),
        "speaker": speaker.strip(),
        "organization": organization.strip() or release["organization"],
        "confidence": 1.0,
        "cue": "",
        "cue_rule": f"added by {reviewer.name}",
        "cue_start": start,
        "cue_end": start,
        "theme_evidence": "[]",
        "extractor_version": "reviewer",
        "origin": "reviewer",
    }
    review_values = {
        "commitment_id": cid,
        "source_file": source_file,
        "status": "accepted",
        "comment": comment,
        "reviewed_text": words,
        "reviewed_values": json.dumps({f: values[f] for f in CORRECTABLE}, ensure_ascii=False),
        "stale": False,
        "reviewed_by": reviewer.name,
        "reviewed_at": dt.datetime.now(dt.UTC),
    }
    try:
        store.insert_added_commitment(engine, values, review_values, reviewer.name)
    except ConflictError:
        raise ConflictError({}, "these words are a commitment already: review it instead") from None
    return cid


def _readable(field: str, value: Any) -> str:
    """A stored value as people read it: theme names, not ids."""
    if field == "themes":
        names = {t.id: t.label for t in lexicon.themes().values()}
        return ", ".join(names.get(t, t) for t in str(value or "").split(";") if t) or "none"
    return str(value or "") or "none"


def approved_values(review_row: dict[str, Any]) -> dict[str, str]:
    """The values a review approved (kind, themes, years, speaker, organisation); {} if unknown."""
    try:
        values = json.loads(review_row.get("reviewed_values") or "{}")
    except ValueError:
        return {}
    return {f: str(values.get(f) or "") for f in CORRECTABLE} if isinstance(values, dict) and values else {}


def conflict_message(other: dict[str, Any]) -> str:
    """What the other reviewer saved, in one sentence (theme names, not ids)."""
    if not other:
        return "someone else changed this review; reload it"
    fields = ", ".join(
        f"{f.replace('_', ' ')} {_readable(f, other[f])}" for f in CORRECTABLE if other.get(f) is not None
    )
    at = other.get("reviewed_at")
    when = export.timestamp(at) if isinstance(at, dt.datetime) else "just now"
    return (
        f"{other.get('reviewed_by', 'someone')} saved this commitment at {when} as {other.get('status')!r}"
        + (f" with {fields}" if fields else "")
        + (f" and the comment {other['comment']!r}" if other.get("comment") else "")
        + "; your values are still in the form: compare, then save again"
    )


def bulk_accept(engine: Engine, user: User | None, commitment_ids: Iterable[str]) -> tuple[int, list[str]]:
    """Accept every unreviewed commitment among ``commitment_ids``; returns (accepted, skipped ids)."""
    require(user, "reviewer", engine)
    accepted, skipped = 0, []
    for cid in commitment_ids:
        current = store.get_review(engine, cid)
        if current and current["status"] != "unreviewed":
            skipped.append(cid)
            continue
        try:
            review(
                engine, user, cid, status="accepted", expected_version=current["version"] if current else 0
            )
        except ConflictError:
            skipped.append(cid)
        else:
            accepted += 1
    return accepted, skipped


def apply_reviews(rows: list[dict[str, Any]], reviews: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Commitment rows with reviewed values in the spec columns, the originals and review columns beside."""
    by_id = {r["commitment_id"]: r for r in reviews}
    out = []
    for row in rows:
        rev = by_id.get(row["id"], {})
        merged = dict(row)
        for f in CORRECTABLE:
            merged[f"original_{f}"] = row[f]
            if rev.get(f) is not None:
                merged[f] = rev[f]
        if rev.get("themes") is not None:
            merged["pillars"] = _pillars(rev["themes"])
        if rev.get("kind") is not None and rev["kind"] != "target":
            merged["target_years"] = rev.get("target_years") or ""
        at = rev.get("reviewed_at")
        merged.update(
            {
                "review_status": rev.get("status", "unreviewed"),
                "reviewed_by": rev.get("reviewed_by", ""),
                "reviewed_at": at.isoformat(timespec="seconds") if isinstance(at, dt.datetime) else "",
                "review_comment": rev.get("comment", ""),
                "review_stale": "yes" if rev.get("stale") else "",
                "review_version": rev.get("version", 0),
            }
        )
        out.append(merged)
    return out


FRAME_REVIEW_COLUMNS: tuple[str, ...] = ("review_status", "review_stale", "reviewed_by", "reviewed_at")


def apply_reviews_to_columns(columns: dict[str, list[Any]], reviews: Iterable[dict[str, Any]]) -> None:
    """In place: reviewed values into column lists (as from store.commitment_columns), plus the review
    columns the dashboard reads (FRAME_REVIEW_COLUMNS, as apply_reviews fills them).

    The same corrections as apply_reviews, without one dict per row.
    """
    index = {cid: i for i, cid in enumerate(columns["id"])}
    n = len(columns["id"])
    status, stale, by, when = ["unreviewed"] * n, [""] * n, [""] * n, [""] * n
    for rev in reviews:
        i = index.get(rev["commitment_id"])
        if i is None:
            continue
        status[i] = rev["status"]
        stale[i] = "yes" if rev.get("stale") else ""
        by[i] = rev.get("reviewed_by") or ""
        at = rev.get("reviewed_at")
        when[i] = at.isoformat(timespec="seconds") if isinstance(at, dt.datetime) else ""
        for f in CORRECTABLE:
            if rev.get(f) is not None and f in columns:
                columns[f][i] = rev[f]
        if rev.get("themes") is not None and "pillars" in columns:
            columns["pillars"][i] = _pillars(rev["themes"])
        if rev.get("kind") not in (None, "target") and "target_years" in columns:
            columns["target_years"][i] = rev.get("target_years") or ""
    columns.update(review_status=status, review_stale=stale, reviewed_by=by, reviewed_at=when)


def reviewed_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every stored commitment as a commitments.csv row showing reviewed values, with review columns."""
    return apply_reviews(store.commitment_rows(engine), store.review_rows(engine))


def judged_rows(engine: Engine) -> list[dict[str, Any]]:
    """The reviewed commitments only (any status but unreviewed), as reviewed_rows has them, with
    the correctable fields and their originals: what quality() reads.

    Reads the correctable columns of every commitment, never their text: cheap on a large store.
    """
    reviews = [r for r in store.review_rows(engine) if r["status"] != "unreviewed"]
    if not reviews:
        return []
    names = ["id", *CORRECTABLE, "pillars"]
    columns = store.commitment_columns(engine, names)
    wanted = {r["commitment_id"] for r in reviews}
    rows = [
        dict(zip(names, values, strict=True))
        for values in zip(*(columns[n] for n in names), strict=True)
        if values[0] in wanted
    ]
    return apply_reviews(rows, reviews)


def queue(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The review queue: stale reviews and unreviewed rows first, then follow-ups; lowest confidence first."""
    order = {"unreviewed": 0, "needs follow-up": 1}

    def rank(row: dict[str, Any]) -> tuple[int, float, str]:
        first = 0 if row.get("review_stale") else 1 + order.get(row["review_status"], 2)
        return (first, float(row["confidence"]), row["id"])

    return [r for r in sorted(rows, key=rank) if r["review_status"] in order or r.get("review_stale")]


def progress(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Share of commitments reviewed per value of ``by`` ("organization" or "themes")."""
    total: collections.Counter[str] = collections.Counter()
    done: collections.Counter[str] = collections.Counter()
    for row in rows:
        keys = [k for k in str(row[by]).split(";") if k] if by == "themes" else [str(row[by])]
        for key in keys or ["(none)"]:
            total[key] += 1
            done[key] += row["review_status"] != "unreviewed"
    return [
        {by: key, "commitments": total[key], "reviewed": done[key], "share": round(done[key] / total[key], 3)}
        for key in sorted(total, key=lambda k: (-total[k], k))
    ]


def quality(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Extraction precision measured on reviewed rows (accepted or corrected vs rejected); top corrections.

    Precision counts a corrected row as a true commitment: its span was right, a field was not.
    """
    judged = [r for r in rows if r["review_status"] in ("accepted", "corrected", "rejected")]

    def precision(key: str) -> list[dict[str, Any]]:
        good: collections.Counter[str] = collections.Counter()
        seen: collections.Counter[str] = collections.Counter()
        for row in judged:
            values = str(row[f"original_{key}"] if f"original_{key}" in row else row[key])
            for value in [v for v in values.split(";") if v] or ["(none)"]:
                seen[value] += 1
                good[value] += row["review_status"] != "rejected"
        return [
            {key: v, "reviewed": seen[v], "correct": good[v], "precision": round(good[v] / seen[v], 3)}
            for v in sorted(seen, key=lambda v: (good[v] / seen[v], -seen[v]))
        ]

    corrections: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for row in rows:
        if row["review_status"] == "corrected":
            for f in CORRECTABLE:
                if str(row[f]) != str(row[f"original_{f}"]):
                    corrections[(f, str(row[f"original_{f}"]), str(row[f]))] += 1
    return {
        "kind": precision("kind"),
        "themes": precision("themes"),
        "organization": precision("organization"),
        "corrections": [
            {"field": f, "extracted": old, "corrected": new, "times": n}
            for (f, old, new), n in corrections.most_common(20)
        ],
    }


def gold_records(engine: Engine) -> list[dict[str, Any]]:
    """Reviewed releases in the gold JSONL format: accepted and corrected commitments with the words
    and values the reviewer approved. Stale reviews (the words changed since) are left out, and so
    is a review whose approved values are unknown: gold never holds values nobody approved."""
    reviews = {
        r["commitment_id"]: r
        for r in store.review_rows(engine)
        if r["status"] in ("accepted", "corrected") and not r["stale"] and approved_values(r)
    }
    rows = [r for r in store.commitment_rows(engine) if r["id"] in reviews]
    by_release: dict[str, dict[str, Any]] = {}
    for row in rows:
        rev = reviews[row["id"]]
        values = approved_values(rev)
        rel = by_release.setdefault(
            row["source_file"],
            {
                "source_file": row["source_file"],
                "release_date": row["release_date"],
                "release_title": row["release_title"],
                "commitments": [],
            },
        )
        rel["commitments"].append(
            {
                "text": rev["reviewed_text"],
                "kind": values["kind"],
                "themes": [t for t in values["themes"].split(";") if t],
                "target_years": [int(y) for y in values["target_years"].split(";") if y],
                "speaker": values["speaker"],
            }
        )
    return [by_release[k] for k in sorted(by_release)]


def write_gold(engine: Engine, path: str | Path) -> int:
    """Write reviewed commitments as gold JSONL (as in ../shared/eval/gold); returns releases written."""
    records = gold_records(engine)
    Path(path).write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return len(records)


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.,'’-][A-Za-z0-9]+)*|\s+|.", re.S)


def wording_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The reviewed and the current wording compared: (op, text) pieces, op "same", "removed" or
    "added"; words in English, characters in Chinese."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("added", "".join(b[j1:j2])))
    return out
