"""The store: releases and their commitments in any SQLAlchemy database (SQLite by default).

Every function takes the Engine explicitly; nothing connects at import time. Each saved
release is one transaction, so an interrupted ingest leaves every finished release intact.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Integer, String, cast, create_engine, event, func, select, update
from sqlalchemy.engine import make_url

from . import export, schema
from .config import load_config
from .errors import StoreError
from .export import join
from .models import Extraction

if TYPE_CHECKING:
    import pandas as pd

_SQL_COLUMNS = (
    schema.releases.c.source_file,
    schema.releases.c.date.label("release_date"),
    schema.releases.c.title.label("release_title"),
    schema.commitments.c.organization,
    schema.commitments.c.speaker,
    schema.commitments.c.text,
    schema.commitments.c.kind,
    schema.commitments.c.pillars,
    schema.commitments.c.themes,
    schema.commitments.c.target_years,
    schema.commitments.c.confidence,
    schema.commitments.c.id,
    schema.releases.c.language,
    schema.commitments.c.start,
    schema.commitments.c.end,
    schema.commitments.c.cue,
    schema.commitments.c.cue_rule,
    schema.commitments.c.theme_evidence,
    schema.commitments.c.extractor_version,
)


@dataclass(frozen=True)
class SaveOutcome:
    """What saving one extraction did: added, updated or unchanged, and how many commitments it holds."""

    status: str
    commitments: int


def default_url() -> str:
    """ESGDATA_DB_URL, or the SQLite file in ESGDATA_DATA_DIR."""
    return load_config().db_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # the dashboard reads while an ingest writes
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def connect(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: default_url()), with the schema created or upgraded."""
    url = url or default_url()
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise StoreError(f"ESGDATA_DB_URL {url!r} is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        schema.upgrade(engine)
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(
            f"cannot open the store at {parsed.render_as_string(hide_password=True)}: {exc}"
        ) from None
    return engine


def _bump_revision(conn: Connection) -> None:
    updated = conn.execute(
        update(schema.meta)
        .where(schema.meta.c.key == "revision")
        .values(value=cast(cast(schema.meta.c.value, Integer) + 1, String))
    )
    if updated.rowcount == 0:
        conn.execute(schema.meta.insert().values(key="revision", value="1"))


def revision(engine: Engine) -> int:
    """A number that grows with every write: the dashboard's cache key for the store's content."""
    with engine.connect() as conn:
        value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "revision")).scalar()
    return int(value) if value else 0


def stored_state(engine: Engine, source_file: str) -> tuple[str, str] | None:
    """(content hash, extractor version) of a stored release, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(schema.releases.c.content_hash, schema.releases.c.extractor_version).where(
                schema.releases.c.source_file == source_file
            )
        ).first()
    return (row[0], row[1]) if row else None


def _commitment_values(x: Extraction, release_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "release_id": release_id,
            "position": i,
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "kind": c.kind,
            "themes": join(c.themes),
            "pillars": join(c.pillars),
            "target_years": join(c.target_years),
            "speaker": c.speaker,
            "organization": c.organization,
            "confidence": c.confidence,
            "cue": c.cue.text,
            "cue_rule": c.cue.label,
            "cue_start": c.cue.start,
            "cue_end": c.cue.end,
            "theme_evidence": export.evidence_json(c.theme_evidence),
            "extractor_version": c.extractor_version,
        }
        for i, c in enumerate(x.commitments)
    ]


def save(engine: Engine, x: Extraction) -> SaveOutcome:
    """Store one extraction in one transaction; same content and version again changes nothing.

    A changed release replaces its commitments; commitments whose text is unchanged keep their id.
    """
    r = x.release
    version = x.commitments[0].extractor_version if x.commitments else _version()
    values = {
        "source_file": r.source_file,
        "content_hash": r.content_hash,
        "title": r.title,
        "date": r.date,
        "source": r.source,
        "language": r.language,
        "organization": r.organization,
        "format": r.format,
        "body": r.body,
        "warnings": json.dumps(list(r.warnings), ensure_ascii=False),
        "extractor_version": version,
        "ingested_at": dt.datetime.now(dt.UTC),
    }
    rel = schema.releases
    com = schema.commitments
    with engine.begin() as conn:
        row = conn.execute(
            select(rel.c.id, rel.c.content_hash, rel.c.extractor_version).where(
                rel.c.source_file == r.source_file
            )
        ).first()
        if row and row.content_hash == r.content_hash and row.extractor_version == version:
            return SaveOutcome("unchanged", len(x.commitments))
        if row:
            release_id = row.id
            conn.execute(update(rel).where(rel.c.id == release_id).values(**values))
            status = "updated"
        else:
            inserted = conn.execute(rel.insert().values(**values)).inserted_primary_key
            assert inserted is not None
            release_id = inserted[0]
            status = "added"
        new_rows = _commitment_values(x, release_id)
        new_ids = {v["id"] for v in new_rows}
        old_ids = set(conn.execute(select(com.c.id).where(com.c.release_id == release_id)).scalars())
        gone = old_ids - new_ids
        if gone:
            conn.execute(com.delete().where(com.c.id.in_(gone)))
        for v in new_rows:
            if v["id"] in old_ids:
                conn.execute(update(com).where(com.c.id == v["id"]).values(**v))
        fresh = [v for v in new_rows if v["id"] not in old_ids]
        if fresh:
            conn.execute(com.insert(), fresh)
        _bump_revision(conn)
    return SaveOutcome(status, len(x.commitments))


def _version() -> str:
    from .extract import extractor_version

    return extractor_version()


def delete_release(engine: Engine, source_file: str) -> bool:
    """Remove a release and its commitments; False if it was not stored."""
    with engine.begin() as conn:
        deleted = conn.execute(schema.releases.delete().where(schema.releases.c.source_file == source_file))
        if deleted.rowcount:
            conn.execute(
                schema.commitments.delete().where(
                    schema.commitments.c.release_id.not_in(select(schema.releases.c.id))
                )
            )
            _bump_revision(conn)
    return bool(deleted.rowcount)


def commitment_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every stored commitment as a commitments.csv row (see export.COMMITMENT_COLUMNS)."""
    query = (
        select(*_SQL_COLUMNS)
        .select_from(schema.commitments.join(schema.releases))
        .order_by(schema.releases.c.source_file, schema.commitments.c.position)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["confidence"] = f"{row['confidence']:.2f}"
    return rows


def release_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every stored release as a releases.csv row."""
    rel = schema.releases
    counts = (
        select(schema.commitments.c.release_id, func.count().label("n"))
        .group_by(schema.commitments.c.release_id)
        .subquery()
    )
    query = (
        select(
            rel.c.source_file,
            rel.c.date.label("release_date"),
            rel.c.title.label("release_title"),
            rel.c.language,
            rel.c.organization,
            func.coalesce(counts.c.n, 0).label("commitments"),
            rel.c.source,
            rel.c.format,
            rel.c.content_hash,
            rel.c.warnings,
        )
        .select_from(rel.outerjoin(counts, counts.c.release_id == rel.c.id))
        .order_by(rel.c.source_file)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["warnings"] = join(json.loads(row["warnings"]))
    return rows


def release_body(engine: Engine, source_file: str) -> dict[str, Any]:
    """One release with its body and its commitments' spans (for reading it whole)."""
    rel, com = schema.releases, schema.commitments
    with engine.connect() as conn:
        row = conn.execute(select(rel).where(rel.c.source_file == source_file)).first()
        if row is None:
            raise StoreError(f"no release named {source_file!r} in the store")
        spans = conn.execute(
            select(com.c.id, com.c.start, com.c.end, com.c.kind, com.c.text)
            .where(com.c.release_id == row.id)
            .order_by(com.c.start)
        ).all()
    out = dict(row._mapping)
    out["commitments"] = [dict(s._mapping) for s in spans]
    return out


def iter_bodies(engine: Engine) -> Iterator[tuple[str, str]]:
    """(source_file, body) of every release, streamed."""
    with engine.connect() as conn:
        yield from conn.execute(select(schema.releases.c.source_file, schema.releases.c.body)).tuples()


def counts(engine: Engine) -> dict[str, int]:
    """How many releases and commitments the store holds."""
    with engine.connect() as conn:
        n_rel = conn.execute(select(func.count()).select_from(schema.releases)).scalar_one()
        n_com = conn.execute(select(func.count()).select_from(schema.commitments)).scalar_one()
    return {"releases": int(n_rel), "commitments": int(n_com)}


def commitments_frame(engine: Engine) -> pd.DataFrame:
    """Every stored commitment with its release fields, typed for analysis (one row per commitment).

    Columns are those of commitments.csv plus ``release_day`` (datetime, NaT when the release
    has no date) and ``year_min``/``year_max`` (nearest and farthest target year, or NA).
    """
    import pandas as pd

    rows = commitment_rows(engine)
    frame = pd.DataFrame(rows, columns=list(export.COMMITMENT_COLUMNS))
    frame["confidence"] = pd.to_numeric(frame["confidence"])
    frame["release_day"] = pd.to_datetime(
        frame["release_date"].replace("", None), format="%Y-%m-%d", errors="coerce"
    )
    years = frame["target_years"].fillna("").str.split(";")
    frame["year_min"] = pd.array([min(map(int, y)) if y != [""] else None for y in years], dtype="Int64")
    frame["year_max"] = pd.array([max(map(int, y)) if y != [""] else None for y in years], dtype="Int64")
    return frame


def releases_frame(engine: Engine) -> pd.DataFrame:
    """Every stored release (releases.csv columns) with ``release_day`` as a datetime."""
    import pandas as pd

    frame = pd.DataFrame(release_rows(engine), columns=list(export.RELEASE_COLUMNS))
    frame["release_day"] = pd.to_datetime(
        frame["release_date"].replace("", None), format="%Y-%m-%d", errors="coerce"
    )
    return frame
