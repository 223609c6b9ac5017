"""The store: releases and their commitments in any SQLAlchemy database (SQLite by default).

Every function takes the Engine explicitly; nothing connects at import time. Each saved
release is one transaction, so an interrupted ingest leaves every finished release intact.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    inspect,
    literal,
    literal_column,
    null,
    select,
    text,
    true,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from . import export, schema
from .config import load_config
from .errors import ConflictError, StoreError
from .export import join
from .extraction import model, similarity
from .extraction.model import LinearModel
from .models import Extraction, Release

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
    func.coalesce(schema.thread_members.c.thread_id, "").label("thread_id"),
    schema.commitments.c.origin.label("source"),
)


_COMMITMENTS_JOIN = schema.commitments.join(schema.releases).outerjoin(
    schema.thread_members, schema.thread_members.c.commitment_id == schema.commitments.c.id
)

# The write path's statements, built once with their values bound at execute time: building a
# statement and coercing its values per call took longer than running it (the SQL is the same).
_rel, _com, _meta, _log = schema.releases, schema.commitments, schema.meta, schema.audit_log
_RELEASE_STATE = select(_rel.c.content_hash, _rel.c.extractor_version).where(
    _rel.c.source_file == bindparam("name")
)
_STORED_RELEASE = select(_rel.c.id, _rel.c.content_hash, _rel.c.extractor_version, _rel.c.organization).where(
    _rel.c.source_file == bindparam("name")
)
_UPDATE_RELEASE = update(_rel).where(_rel.c.id == bindparam("release_id"))
_UPDATE_COMMITMENT = update(_com).where(_com.c.id == bindparam("commitment"))
_REVIEWS_OF = select(schema.reviews).where(
    schema.reviews.c.commitment_id.in_(bindparam("ids", expanding=True))
)
_BUMP_REVISION = (
    update(_meta)
    .where(_meta.c.key == "revision")
    .values(value=cast(cast(_meta.c.value, Integer) + 1, String))
)
# SQLite's lock on the chain: a write that changes nothing (see _lock_chain).
_TOUCH_AUDIT_HEAD = update(_meta).where(_meta.c.key == "audit_head").values(value=_meta.c.value)
_LAST_AUDIT_HASH = select(_log.c.row_hash).order_by(_log.c.id.desc()).limit(1)
_SET_AUDIT_HEAD = update(_meta).where(_meta.c.key == "audit_head")


@dataclass(frozen=True)
class SaveOutcome:
    """What saving one extraction did: added, updated or unchanged, how many commitments it holds,
    and what happened to reviews of commitments whose words changed."""

    status: str
    commitments: int
    stale: int = 0  # reviews moved to a new wording, to be looked at again
    orphaned: int = 0  # reviews whose words are gone with no close new wording
    restored: int = 0  # reviews whose words came back as they were reviewed: no longer stale
    # organisations the release and its commitments had before: their threads are regrouped too
    before: frozenset[str] = frozenset()


def default_url() -> str:
    """ESGDATA_DB_URL, or the SQLite file in ESGDATA_DATA_DIR."""
    return load_config().db_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # the dashboard reads while an ingest writes
    # With WAL, NORMAL keeps the file consistent after any crash; only the very last commits
    # may be lost on a power cut, and an ingest can simply be run again (it is idempotent).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _no_store(where: str) -> StoreError:
    return StoreError(
        f"there is no store at {where} yet: ingest releases first (esgdata ingest PATH), "
        "or point ESGDATA_DB_URL or ESGDATA_DATA_DIR at an existing one"
    )


def _engine(url: str, setting: str, *, create: bool = True) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise StoreError(f"{setting} {url!r} is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).expanduser()
        if not create and not path.exists():
            raise _no_store(parsed.render_as_string(hide_password=True))
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def connect(url: str | None = None, *, create: bool = True, owner_url: str | None = None) -> Engine:
    """An engine for ``url`` (default: default_url()), with the schema created or upgraded.

    ``create=False`` (commands that only read) refuses to make a store that does not exist yet.
    With an owner URL (default: ESGDATA_DB_OWNER_URL) the migrations run as that role, which
    then grants ``url``'s role its rights (schema.grant_app_role); the engine returned is ``url``'s.
    """
    engine = _engine(url or default_url(), "ESGDATA_DB_URL", create=create)
    owner_url = load_config().db_owner_url if owner_url is None else owner_url
    try:
        with engine.connect() as conn:
            version = schema.current_version(conn)
        if not create and version == 0:
            engine.dispose()
            raise _no_store(_shown(engine))
        behind = version != schema.SCHEMA_VERSION  # a newer one: upgrade says so
        if behind and owner_url:
            upgrade_as_owner(owner_url, engine.url.username)
        elif behind:
            schema.upgrade(engine)
    except StoreError:
        raise
    except Exception as exc:
        hint = ""
        if "permission denied" in str(exc).lower() and not owner_url:
            hint = " (the schema must be created or upgraded by the tables' owner: set ESGDATA_DB_OWNER_URL)"
        raise StoreError(f"cannot open the store at {_shown(engine)}: {exc}{hint}") from None
    return engine


def schema_version(engine: Engine) -> int:
    """The schema version the store is at."""
    with engine.connect() as conn:
        return schema.current_version(conn)


def upgrade_as_owner(owner_url: str, app: str | None) -> int:
    """Bring the schema up to date as the owner role, then grant the app's role (a user name, or
    the app's database URL) its rights; returns the version reached."""
    owner = _engine(owner_url, "ESGDATA_DB_OWNER_URL")
    app_role = make_url(app).username if app and "://" in app else app
    try:
        version = schema.upgrade(owner)
        if app_role and app_role != owner.url.username:
            schema.grant_app_role(owner, app_role)
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot upgrade the store as {_shown(owner)}: {exc}") from None
    finally:
        owner.dispose()
    return version


def _bump_revision(conn: Connection) -> None:
    updated = conn.execute(_BUMP_REVISION)
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
        row = conn.execute(_RELEASE_STATE, {"name": source_file}).first()
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


def save(engine: Engine, x: Extraction, actor: str) -> SaveOutcome:
    """Store one extraction in one transaction, audited as ``actor``'s; same content and version
    again changes nothing.

    A changed release replaces its commitments; commitments whose text is unchanged keep their
    id, and reviews follow changed words (ReviewMoves).
    """
    r = x.release
    version = x.extractor_version or (x.commitments[0].extractor_version if x.commitments else _version())
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
        "url": r.url,
    }
    rel = schema.releases
    com = schema.commitments
    with engine.begin() as conn:
        row = conn.execute(_STORED_RELEASE, {"name": r.source_file}).first()
        if row and row.content_hash == r.content_hash and row.extractor_version == version:
            return SaveOutcome("unchanged", len(x.commitments))
        before: set[str] = set()
        if row:
            had = select(com.c.organization).where(com.c.release_id == row.id).distinct()
            before = {row.organization, *conn.execute(had).scalars()}
            release_id = row.id
            conn.execute(_UPDATE_RELEASE, {**values, "release_id": release_id})
            status = "updated"
        else:
            inserted = conn.execute(rel.insert(), values).inserted_primary_key
            assert inserted is not None
            release_id = inserted[0]
            status = "added"
        _audit(
            conn,
            actor,
            f"release {status}",
            r.source_file,
            [
                (field, before, after)
                for field, before, after in (
                    ("content_hash", row.content_hash if row else "", r.content_hash),
                    ("extractor_version", row.extractor_version if row else "", version),
                )
                if before != after
            ],
        )
        new_rows = _commitment_values(x, release_id)
        old_ids: set[str] = set()
        added: dict[str, str] = {}  # commitments reviewers added: kept through every re-ingest
        moves = ReviewMoves(conn, actor)
        if status == "updated":  # a new release has nothing to compare with or to clear
            for cid, origin, words in conn.execute(
                select(com.c.id, com.c.origin, com.c.text).where(com.c.release_id == release_id)
            ):
                if origin == "reviewer":
                    added[cid] = words
                else:
                    old_ids.add(cid)
            new_rows = [v for v in new_rows if v["id"] not in added]
            moves.place_added(r.body, added)
        new_ids = {v["id"] for v in new_rows}
        gone = old_ids - new_ids
        dropped: set[RollupKey] = set()
        if gone:
            # Their facts go first, so the rollup groups they counted in are recounted below.
            dropped = _drop_facts(conn, "commitment", sorted(gone))
            conn.execute(com.delete().where(com.c.id.in_(gone)))
        for v in new_rows:
            if v["id"] in old_ids:
                conn.execute(_UPDATE_COMMITMENT, {**v, "commitment": v["id"]})
        fresh = [v for v in new_rows if v["id"] not in old_ids]
        if fresh:
            conn.execute(com.insert(), fresh)
        moves.carry(gone, fresh)
        ach = schema.achievements
        if status == "updated":
            conn.execute(ach.delete().where(ach.c.release_id == release_id))
        if x.achievements:
            conn.execute(
                ach.insert(),
                [
                    {
                        "id": a.id,
                        "release_id": release_id,
                        "start": a.start,
                        "end": a.end,
                        "text": a.text,
                        "themes": join(a.themes),
                        "cue": a.cue,
                    }
                    for a in x.achievements
                ],
            )
        refresh_facts(conn, release_ids=[release_id], dropped=dropped)
        _bump_revision(conn)
    return SaveOutcome(
        status, len(x.commitments), moves.stale, moves.orphaned, moves.restored, frozenset(before)
    )


STALE_OVERLAP = 0.5  # a reworded commitment keeps its review (marked stale) at this word overlap


class ReviewMoves:
    """Reviews through one release's re-ingest, audited: a review follows its commitment's new
    wording (stale: a person approved other words), comes back when the words it approved come
    back (no longer stale), and stays where it is when its words are gone (orphaned, never deleted).
    """

    def __init__(self, conn: Connection, actor: str) -> None:
        self.conn, self.actor = conn, actor
        self.stale = self.orphaned = self.restored = 0

    def _note(self, action: str, target: str, old: str, new: str) -> None:
        _audit(self.conn, self.actor, action, target, [("text", old, new)])

    def place_added(self, body: str, added: dict[str, str]) -> None:
        """Reviewer-added commitments follow their words in a changed body; words that are gone
        leave the commitment in place and its review stale."""
        com, rev = schema.commitments, schema.reviews
        for cid, words in added.items():
            was_stale = bool(
                self.conn.execute(select(rev.c.stale).where(rev.c.commitment_id == cid)).scalar()
            )
            start = body.find(words)
            if start >= 0:
                self.conn.execute(
                    update(com).where(com.c.id == cid).values(start=start, end=start + len(words))
                )
                if was_stale:
                    self.conn.execute(update(rev).where(rev.c.commitment_id == cid).values(stale=False))
                    self.restored += 1
                    self._note("restored", cid, "", words)
            elif not was_stale:
                self.conn.execute(update(rev).where(rev.c.commitment_id == cid).values(stale=True))
                self.stale += 1
                self._note("stale", cid, words, "")

    def carry(self, gone: set[str], fresh: list[dict[str, Any]]) -> None:
        """Reviews of commitments whose words changed move to the closest new wording."""
        rev = self.conn.execute
        reviews = schema.reviews
        by_id = {f["id"]: f for f in fresh}
        # A review kept on words that were gone and are back (an orphan) is attached again as it was.
        for review in rev(_REVIEWS_OF, {"ids": list(by_id)}).mappings().all():
            cid, words = review["commitment_id"], by_id[review["commitment_id"]]["text"]
            if words == review["reviewed_text"]:
                rev(update(reviews).where(reviews.c.commitment_id == cid).values(stale=False))
                self.restored += 1
                self._note("restored", cid, "", words)
            else:
                self.stale += 1
                self._note("stale", cid, review["reviewed_text"], words)
        if not gone:
            return
        taken = set(
            rev(select(reviews.c.commitment_id).where(reviews.c.commitment_id.in_(list(by_id)))).scalars()
        )
        for review in rev(select(reviews).where(reviews.c.commitment_id.in_(gone))).mappings().all():
            candidates = [
                (similarity.overlap(review["reviewed_text"], f["text"]), f)
                for f in fresh
                if f["id"] not in taken
            ]
            score, best = max(candidates, key=lambda c: c[0], default=(0.0, None))
            if best is None or score < STALE_OVERLAP:
                self.orphaned += 1
                self._note("orphaned", review["commitment_id"], review["reviewed_text"], "")
                continue
            taken.add(best["id"])
            back = best["text"] == review["reviewed_text"]  # the words it approved, again
            rev(
                update(reviews)
                .where(reviews.c.commitment_id == review["commitment_id"])
                .values(commitment_id=best["id"], stale=not back, version=review["version"] + 1)
            )
            if back:
                self.restored += 1
                self._note("restored", best["id"], "", best["text"])
            else:
                self.stale += 1
                self._note("stale", best["id"], review["reviewed_text"], best["text"])


# --- the dashboard's facts: one narrow row per commitment with the values people see


def _fact_day(date: str) -> str | None:
    """A release date the dashboard can place in time (YYYY-MM-DD), or None."""
    try:
        return date if len(date) == 10 and dt.date.fromisoformat(date) else None
    except ValueError:
        return None


def _split(cell: str | None) -> list[str]:
    return [v for v in (cell or "").split(";") if v]


_FACT_CHUNK = 500  # ids per IN (...) list: far under every dialect's bound on parameters


# The facts' statements, built once: per write, building them cost more than running them.
_F = schema.commitment_facts
_BY = {"release": _F.c.release_id, "commitment": _F.c.commitment_id}
_FACT_SOURCE = select(
    _com.c.id,
    _com.c.release_id,
    _com.c.position,
    _com.c.kind,
    _com.c.themes,
    _com.c.pillars,
    _com.c.target_years,
    _com.c.speaker,
    _com.c.organization,
    _com.c.confidence,
    _com.c.text,
    _rel.c.source_file,
    _rel.c.date,
    _rel.c.language,
    _rel.c.title,
).select_from(_com.join(_rel))
_FACT_SOURCES = {
    "release": _FACT_SOURCE.where(_com.c.release_id.in_(bindparam("ids", expanding=True))),
    "commitment": _FACT_SOURCE.where(_com.c.id.in_(bindparam("ids", expanding=True))),
}
_FACT_INSERT = _F.insert().returning(_F.c.n, _F.c.commitment_id)
_VALUE_TABLES = (schema.commitment_themes, schema.commitment_pillars, schema.commitment_years)
_VALUE_INSERTS = tuple(t.insert() for t in _VALUE_TABLES)
_SEARCH_INSERT_SQLITE = text("INSERT INTO commitment_search(rowid, doc) VALUES (:key, :doc)")
_SEARCH_INSERT = schema.commitment_search.insert()


def _fact_rows(conn: Connection, by: str, ids: list[Any]) -> list[dict[str, Any]]:
    """Commitments (with their release's fields) of these release or commitment ids, and their
    reviews' corrections applied."""
    from .review import apply_reviews  # review imports the store: the rule stays in review.py

    rows = [dict(r._mapping) for r in conn.execute(_FACT_SOURCES[by], {"ids": ids})]
    ids = [r["id"] for r in rows]
    reviews: list[dict[str, Any]] = []
    for i in range(0, len(ids), _FACT_CHUNK):
        reviews += [dict(r._mapping) for r in conn.execute(_REVIEWS_OF, {"ids": ids[i : i + _FACT_CHUNK]})]
    return apply_reviews(rows, reviews)


def _write_facts(conn: Connection, rows: list[dict[str, Any]]) -> set[RollupKey]:
    """Insert these facts rows and their per-value rows; return the rollup groups they count in."""
    values = []
    for r in rows:
        years = [int(y) for y in _split(r["target_years"]) if y.isdigit()]
        values.append(
            {
                "commitment_id": r["id"],
                "release_id": r["release_id"],
                "source_file": r["source_file"],
                "position": r["position"],
                "day": _fact_day(r["date"] or ""),
                "language": r["language"] or "",
                "organization": r["organization"] or "",
                "speaker": r["speaker"] or "",
                "kind": r["kind"] or "",
                "themes": r["themes"] or "",
                "pillars": r["pillars"] or "",
                "target_years": r["target_years"] or "",
                "confidence": float(r["confidence"]),
                "year_min": min(years) if years else None,
                "year_max": max(years) if years else None,
                "status": r["review_status"],
            }
        )
    if not values:
        return set()
    numbers = dict((cid, n) for n, cid in conn.execute(_FACT_INSERT, values))
    themes, pillars, years_rows, docs = [], [], [], []
    sep = schema.SEARCH_SEPARATOR
    for r in rows:
        n = numbers[r["id"]]
        words = (r["text"], r["title"], r["organization"], r["speaker"])
        docs.append({"key": n, "doc": sep.join(str(w or "").replace(sep, " ") for w in words)})
        themes += [{"n": n, "theme": t} for t in dict.fromkeys(_split(r["themes"]))]
        pillars += [{"n": n, "pillar": p} for p in dict.fromkeys(_split(r["pillars"]))]
        years_rows += [
            {"n": n, "year": int(y)} for y in dict.fromkeys(_split(r["target_years"])) if y.isdigit()
        ]
    for insert, batch in zip(_VALUE_INSERTS, (themes, pillars, years_rows), strict=True):
        if batch:
            conn.execute(insert, batch)
    if conn.dialect.name == "sqlite":  # the FTS5 table is keyed by its rowid
        conn.execute(_SEARCH_INSERT_SQLITE, docs)
    else:
        conn.execute(_SEARCH_INSERT, [{"n": d["key"], "doc": d["doc"]} for d in docs])
    return {(v["organization"], _month_of(v["day"])) for v in values}


def search_key(dialect: str) -> Any:
    """The column that ties a commitment_search row to its facts row (FTS5 keeps it as the rowid)."""
    return literal_column("rowid") if dialect == "sqlite" else schema.commitment_search.c.n


def _drop_facts(conn: Connection, by: str, ids: list[Any]) -> set[RollupKey]:
    """Delete the facts rows (and their per-value rows) of these release or commitment ids;
    return the rollup groups they counted in."""
    touched = {(str(o), _month_of(d)) for o, d in conn.execute(_FACT_GROUPS[by], {"ids": ids})}
    for statement in _FACT_DELETES[by]:
        conn.execute(statement, {"ids": ids})
    return touched


def refresh_facts(
    conn: Connection,
    *,
    release_ids: Iterable[int] | None = None,
    commitment_ids: Iterable[str] | None = None,
    dropped: Iterable[RollupKey] = (),
) -> None:
    """Rewrite the dashboard's facts of these releases or commitments (all when neither is given),
    and recount the rollup groups they (or the facts the caller ``dropped``) count in, inside the
    caller's transaction, so the dashboard never sees a write half applied."""
    if release_ids is None and commitment_ids is None:
        for table in reversed(schema.FACT_TABLES):
            conn.execute(table.delete())
        all_ids = list(conn.execute(select(schema.releases.c.id).order_by(schema.releases.c.id)).scalars())
        for i in range(0, len(all_ids), _FACT_CHUNK):
            _write_facts(conn, _fact_rows(conn, "release", all_ids[i : i + _FACT_CHUNK]))
        if inspect(conn).has_table(schema.commitment_rollup.name):  # step 7 runs before the rollup exists
            recount_rollup(conn)
        return
    touched = set(dropped)
    for by, given in (("release", release_ids), ("commitment", commitment_ids)):
        ids = list(given or ())
        for i in range(0, len(ids), _FACT_CHUNK):
            chunk = ids[i : i + _FACT_CHUNK]
            touched |= _drop_facts(conn, by, chunk)
            touched |= _write_facts(conn, _fact_rows(conn, by, chunk))
    recount_rollup(conn, touched)


# --- the facts' rollup: counts by organisation, release month, kind, language and review status

RollupKey = tuple[str, str]  # (organisation, release month "YYYY-MM" or "" when undated)


def _month_of(day: str | None) -> str:
    return day[:7] if day else ""


def _rollup_selects(where: Any) -> list[Any]:
    """The rollup rows of the facts passing ``where``: groups, then groups by theme and by pillar."""
    facts = schema.commitment_facts
    month = func.coalesce(func.substr(facts.c.day, 1, 7), "").label("month")
    group = [facts.c.organization, month, facts.c.kind, facts.c.language, facts.c.status]
    out = [
        select(
            *group,
            literal(""),
            literal(""),
            func.count(),
            func.count(facts.c.year_max),
            func.min(facts.c.year_min),
            func.max(facts.c.year_max),
            func.min(facts.c.day),
            func.max(facts.c.day),
        )
        .where(where)
        .group_by(*group)
    ]
    for dim, table, column in (
        ("theme", schema.commitment_themes, schema.commitment_themes.c.theme),
        ("pillar", schema.commitment_pillars, schema.commitment_pillars.c.pillar),
    ):
        out.append(
            select(*group, literal(dim), column, func.count(), literal(0), null(), null(), null(), null())
            .select_from(facts.join(table, table.c.n == facts.c.n))
            .where(where)
            .group_by(*group, column)
        )
    return out


def _rollup_inserts(where: Any) -> tuple[Any, ...]:
    columns = [c.name for c in schema.commitment_rollup.columns]
    return tuple(schema.commitment_rollup.insert().from_select(columns, q) for q in _rollup_selects(where))


# One group's facts: a range of the organisation and day index (a dated month), or its undated ones.
_ROLLUP = schema.commitment_rollup
_GROUP_DELETE = _ROLLUP.delete().where(
    _ROLLUP.c.organization == bindparam("org"), _ROLLUP.c.month == bindparam("month")
)
_GROUP_INSERTS = {
    True: _rollup_inserts(
        and_(_F.c.organization == bindparam("org"), _F.c.day.between(bindparam("first"), bindparam("last")))
    ),
    False: _rollup_inserts(and_(_F.c.organization == bindparam("org"), _F.c.day.is_(None))),
}
_FACT_GROUPS = {
    by: select(_F.c.organization, _F.c.day).where(column.in_(bindparam("ids", expanding=True))).distinct()
    for by, column in _BY.items()
}
_FACT_DELETES = {
    by: (
        *(
            table.delete().where(
                table.c.n.in_(select(_F.c.n).where(column.in_(bindparam("ids", expanding=True))))
            )
            for table in _VALUE_TABLES
        ),
        _F.delete().where(column.in_(bindparam("ids", expanding=True))),
    )
    for by, column in _BY.items()
}


def recount_rollup(conn: Connection, keys: Iterable[RollupKey] | None = None) -> None:
    """Count these rollup groups again from the facts (every group when ``keys`` is None)."""
    if keys is None:
        conn.execute(_ROLLUP.delete())
        for insert in _rollup_inserts(true()):
            conn.execute(insert)
        return
    for org, month in sorted(set(keys)):
        conn.execute(_GROUP_DELETE, {"org": org, "month": month})
        bounds = {"org": org, "first": f"{month}-01", "last": f"{month}-31"} if month else {"org": org}
        for insert in _GROUP_INSERTS[bool(month)]:
            conn.execute(insert, bounds)


def _version() -> str:
    from .extraction.pipeline import extractor_version

    return extractor_version()


def delete_release(engine: Engine, source_file: str, actor: str) -> bool:
    """Remove a release and its commitments (audited; their reviews stay, orphaned); False if it
    was not stored."""
    with engine.begin() as conn:
        release_id = conn.execute(
            select(schema.releases.c.id).where(schema.releases.c.source_file == source_file)
        ).scalar()
        if release_id is not None:
            recount_rollup(conn, _drop_facts(conn, "release", [release_id]))
        deleted = conn.execute(schema.releases.delete().where(schema.releases.c.source_file == source_file))
        if deleted.rowcount:
            conn.execute(
                schema.commitments.delete().where(
                    schema.commitments.c.release_id.not_in(select(schema.releases.c.id))
                )
            )
            _audit(conn, actor, "release deleted", source_file)
            _bump_revision(conn)
    return bool(deleted.rowcount)


def commitment_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every stored commitment as a commitments.csv row (see export.COMMITMENT_COLUMNS)."""
    return _commitment_rows(engine, true())


def commitment_rows_by_id(engine: Engine, ids: Iterable[str]) -> list[dict[str, Any]]:
    """These commitments as commitment_rows has them, in the same order (file, then position)."""
    return _commitment_rows(engine, schema.commitments.c.id.in_(list(ids)))


def _commitment_rows(engine: Engine, where: Any) -> list[dict[str, Any]]:
    query = (
        select(*_SQL_COLUMNS)
        .select_from(_COMMITMENTS_JOIN)
        .where(where)
        .order_by(schema.releases.c.source_file, schema.commitments.c.position)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["confidence"] = f"{row['confidence']:.2f}"
    return rows


def commitment_columns(engine: Engine, names: Iterable[str]) -> dict[str, list[Any]]:
    """Chosen commitments.csv columns as lists, in export order: the cheap way to fill a frame.

    Reads in chunks and never builds one dict per row (100,000 rows of dicts cost ~400 MB).
    ``confidence`` stays a float here.
    """
    names = list(names)
    by_name = {c.name: c for c in _SQL_COLUMNS}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise StoreError(f"no commitment columns named {unknown}")
    query = (
        select(*(by_name[n] for n in names))
        .select_from(_COMMITMENTS_JOIN)
        .order_by(schema.releases.c.source_file, schema.commitments.c.position)
    )
    out: dict[str, list[Any]] = {n: [] for n in names}
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=20_000).execute(query)
        for chunk in result.partitions():
            for name, values in zip(names, zip(*chunk, strict=True), strict=True):
                out[name].extend(values)
    return out


def _release_query() -> Any:
    rel = schema.releases
    counts = (
        select(schema.commitments.c.release_id, func.count().label("n"))
        .group_by(schema.commitments.c.release_id)
        .subquery()
    )
    return (
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
            rel.c.url,
        )
        .select_from(rel.outerjoin(counts, counts.c.release_id == rel.c.id))
        .order_by(rel.c.source_file)
    )


def release_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every stored release as a releases.csv row."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(_release_query())]
    for row in rows:
        row["warnings"] = join(json.loads(row["warnings"]))
    return rows


def release_rows_by_id(engine: Engine, release_ids: Iterable[int]) -> list[dict[str, Any]]:
    """These releases as release_rows has them, in the same order (by file)."""
    query = _release_query().where(schema.releases.c.id.in_(list(release_ids)))
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


def stored_release(row: dict[str, Any]) -> Release:
    """The Release a stored row (of release_body or reviewed_releases) was saved from."""
    return Release(
        row["source_file"],
        row["content_hash"],
        row["title"],
        row["date"],
        row.get("source", ""),
        row["language"],
        row["organization"],
        tuple(row["body"].split("\n\n")),
        row.get("format", "txt"),
        url=row.get("url") or "",  # a fetched release keeps the page it came from
    )


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

    with engine.connect() as conn:  # column lists straight into the frame: no dict per release
        rows = conn.execute(_release_query()).all()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in export.RELEASE_COLUMNS]
    frame = pd.DataFrame(
        {name: list(values) for name, values in zip(export.RELEASE_COLUMNS, columns, strict=True)}
    )
    frame["warnings"] = ["" if w == "[]" else join(json.loads(w)) for w in frame["warnings"]]
    frame["release_day"] = pd.to_datetime(frame["release_date"], format="%Y-%m-%d", errors="coerce")
    return frame


# --- people, reviews and the audit log: queries only; the rules live in users.py and review.py


_CHAIN_LOCK = 0x65736764  # PostgreSQL advisory lock held while a transaction appends to the chain


def _lock_chain(conn: Connection) -> None:
    """Hold the audit chain's head until this transaction ends, so two writers never fork it."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_CHAIN_LOCK)))
    else:
        # SQLite has one writer at a time: a write statement takes that lock (pysqlite opens the
        # transaction before it), so the head read next cannot move until the commit.
        conn.execute(_TOUCH_AUDIT_HEAD)


def _audit(
    conn: Connection,
    actor: str,
    action: str,
    target: str,
    changes: Iterable[tuple[str, str, str]] = (),
) -> None:
    """Append audit rows (one per changed field) in the caller's transaction: the only way rows
    enter the audit log, each chained to the one before it (schema.audit_row_hash)."""
    _lock_chain(conn)
    last = conn.execute(_LAST_AUDIT_HASH).first()
    prev = last.row_hash if last else ""
    now = dt.datetime.now(dt.UTC)
    last_id = 0
    for field, old, new in list(changes) or [("", "", "")]:
        row = {
            "at": now,
            "actor": actor,
            "action": action,
            "target": target,
            "field": field,
            "old_value": old,
            "new_value": new,
        }
        digest = schema.audit_row_hash(prev, row)
        inserted = conn.execute(
            _log.insert(), {**row, "prev_hash": prev, "row_hash": digest}
        ).inserted_primary_key
        assert inserted is not None
        last_id, prev = int(inserted[0]), digest
    # The head names the newest row, so rows cut off the end of the log are missed too.
    if conn.execute(_SET_AUDIT_HEAD, {"value": f"{last_id}:{prev}"}).rowcount == 0:
        conn.execute(schema.meta.insert().values(key="audit_head", value=f"{last_id}:{prev}"))


def note(
    engine: Engine, actor: str, action: str, target: str, changes: Iterable[tuple[str, str, str]] = ()
) -> None:
    """Audit an act that writes nothing of its own to the store (a rebuild of derived rows)."""
    with engine.begin() as conn:
        _audit(conn, actor, action, target, changes)


@dataclass(frozen=True)
class AuditCheck:
    """What verifying the audit chain found: ``broken_at`` is the id of the first row at fault."""

    rows: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason


def verify_audit(engine: Engine) -> AuditCheck:
    """Recompute the audit chain; name the first row whose predecessor or content does not match."""
    log = schema.audit_log
    prev, prev_id, rows = "", 0, 0
    with engine.connect() as conn:
        head = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "audit_head")).scalar()
        result = conn.execution_options(yield_per=5000).execute(select(log).order_by(log.c.id)).mappings()
        for row in result:
            rows += 1
            if row["prev_hash"] != prev:
                where = f"after row {prev_id}" if prev_id else "at the start"
                return AuditCheck(
                    rows,
                    row["id"],
                    f"row {row['id']} does not follow the row before it: "
                    f"a row {where} was deleted or changed",
                )
            if schema.audit_row_hash(prev, row) != row["row_hash"]:
                return AuditCheck(rows, row["id"], f"row {row['id']} was changed after it was written")
            prev, prev_id = row["row_hash"], row["id"]
    head_id, _, head_hash = (head or "0:").partition(":")
    if (int(head_id or 0), head_hash) != (prev_id, prev):
        return AuditCheck(
            rows,
            prev_id or None,
            f"the log ends at row {prev_id} but its last entry was row {head_id}: "
            "rows at the end were deleted",
        )
    return AuditCheck(rows)


def get_user(engine: Engine, name: str) -> dict[str, Any] | None:
    """One account row, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(schema.users).where(schema.users.c.name == name)).mappings().first()
    return dict(row) if row else None


def list_users(engine: Engine) -> list[dict[str, Any]]:
    """Every account (without password hashes), by name."""
    u = schema.users
    with engine.connect() as conn:
        rows = conn.execute(select(u.c.name, u.c.role, u.c.disabled, u.c.created_at).order_by(u.c.name))
        return [dict(r._mapping) for r in rows]


def count_users(engine: Engine) -> int:
    """How many accounts exist."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.users)).scalar_one())


def insert_user(engine: Engine, name: str, password_hash: str, role: str, actor: str) -> None:
    """Create an account and audit it; StoreError if the name is taken."""
    with engine.begin() as conn:
        if conn.execute(select(schema.users.c.id).where(schema.users.c.name == name)).first():
            raise StoreError(f"a user named {name!r} already exists")
        conn.execute(
            schema.users.insert().values(
                name=name,
                password_hash=password_hash,
                role=role,
                disabled=False,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        _audit(conn, actor, "user_add", name, [("role", "", role)])


def update_user(engine: Engine, name: str, actor: str, action: str, **fields: Any) -> None:
    """Change account fields (role, disabled, password_hash) and audit every change."""
    u = schema.users
    with engine.begin() as conn:
        row = conn.execute(select(u).where(u.c.name == name)).mappings().first()
        if row is None:
            raise StoreError(f"no user named {name!r}")
        conn.execute(update(u).where(u.c.name == name).values(**fields))
        changes = [
            (k, "" if k == "password_hash" else str(row[k]), "" if k == "password_hash" else str(v))
            for k, v in fields.items()
        ]
        _audit(conn, actor, action, name, changes)


def get_review(engine: Engine, commitment_id: str) -> dict[str, Any] | None:
    """The review of one commitment, or None if nobody reviewed it."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(schema.reviews).where(schema.reviews.c.commitment_id == commitment_id))
            .mappings()
            .first()
        )
    return dict(row) if row else None


def get_commitment(engine: Engine, commitment_id: str) -> dict[str, Any] | None:
    """One stored commitment as a commitments.csv row, or None."""
    query = (
        select(*_SQL_COLUMNS).select_from(_COMMITMENTS_JOIN).where(schema.commitments.c.id == commitment_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def write_review(
    engine: Engine,
    values: dict[str, Any],
    expected_version: int,
    actor: str,
    changes: list[tuple[str, str, str]],
) -> dict[str, Any]:
    """Save a review unless someone saved it since ``expected_version``; audit it in the same transaction.

    Raises ConflictError carrying the other person's row when the version moved on.
    """
    rev = schema.reviews
    cid = values["commitment_id"]
    with engine.begin() as conn:
        if expected_version == 0:
            exists = conn.execute(select(rev).where(rev.c.commitment_id == cid)).mappings().first()
            if exists is not None:
                raise ConflictError(dict(exists))
            try:
                with conn.begin_nested():
                    conn.execute(rev.insert().values(**values, version=1))
            except IntegrityError:
                current = conn.execute(select(rev).where(rev.c.commitment_id == cid)).mappings().first()
                raise ConflictError(dict(current) if current else {}) from None
        else:
            done = conn.execute(
                update(rev)
                .where(rev.c.commitment_id == cid, rev.c.version == expected_version)
                .values(**values, version=expected_version + 1)
            )
            if done.rowcount != 1:
                current = conn.execute(select(rev).where(rev.c.commitment_id == cid)).mappings().first()
                raise ConflictError(dict(current) if current else {})
        _audit(conn, actor, "review", cid, changes)
        refresh_facts(conn, commitment_ids=[cid])
        _bump_revision(conn)
        saved = conn.execute(select(rev).where(rev.c.commitment_id == cid)).mappings().one()
    return dict(saved)


def insert_added_commitment(
    engine: Engine, values: dict[str, Any], review_values: dict[str, Any], actor: str
) -> None:
    """A commitment a reviewer added, its accepting review and its audit rows, in one transaction."""
    com, rev = schema.commitments, schema.reviews
    with engine.begin() as conn:
        release_id = conn.execute(
            select(schema.releases.c.id).where(schema.releases.c.source_file == review_values["source_file"])
        ).scalar()
        if release_id is None:
            raise StoreError(f"no release named {review_values['source_file']!r} in the store")
        if conn.execute(select(com.c.id).where(com.c.id == values["id"])).first():
            raise ConflictError({"commitment_id": values["id"], "reason": "already a commitment"})
        position = conn.execute(
            select(func.coalesce(func.max(com.c.position), -1)).where(com.c.release_id == release_id)
        ).scalar()
        conn.execute(com.insert().values(**values, release_id=release_id, position=int(position or 0) + 1))
        conn.execute(
            rev.delete().where(rev.c.commitment_id == values["id"])
        )  # an orphaned review of these words
        conn.execute(rev.insert().values(**review_values, version=1))
        changes = [(k, "", str(values[k])) for k in ("text", "kind", "themes", "target_years", "speaker")]
        _audit(conn, actor, "add commitment", values["id"], changes)
        refresh_facts(conn, commitment_ids=[values["id"]])
        _bump_revision(conn)


def reviewed_releases(engine: Engine) -> list[dict[str, Any]]:
    """Every release with at least one review, with its body and its reviewed commitments
    (text, status, the reviewed values, origin): the labels reviewers gave."""
    rel, com, rev = schema.releases, schema.commitments, schema.reviews
    query = (
        select(
            rel.c.source_file,
            rel.c.title,
            rel.c.date,
            rel.c.language,
            rel.c.organization,
            rel.c.body,
            rel.c.content_hash,
            com.c.text,
            com.c.kind,
            com.c.themes,
            com.c.target_years,
            com.c.speaker,
            com.c.origin,
            rev.c.status,
            rev.c.stale,
            rev.c.kind.label("reviewed_kind"),
            rev.c.themes.label("reviewed_themes"),
            rev.c.target_years.label("reviewed_years"),
            rev.c.speaker.label("reviewed_speaker"),
            rev.c.reviewed_values,
        )
        .select_from(rev.join(com, com.c.id == rev.c.commitment_id).join(rel, rel.c.id == com.c.release_id))
        .order_by(rel.c.source_file, com.c.position)
    )
    out: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            release = out.setdefault(
                row["source_file"],
                {
                    k: row[k]
                    for k in (
                        "source_file",
                        "title",
                        "date",
                        "language",
                        "organization",
                        "body",
                        "content_hash",
                    )
                }
                | {"reviews": []},
            )
            release["reviews"].append(dict(row))
    return list(out.values())


def model_rows(engine: Engine) -> list[dict[str, Any]]:
    """Decision models retrained in this store, newest first."""
    m = schema.models
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(m).order_by(m.c.created_at.desc())).mappings()]


def insert_model(engine: Engine, values: dict[str, Any], actor: str) -> None:
    """Keep a retrained model (inactive) and audit it."""
    with engine.begin() as conn:
        if conn.execute(select(schema.models.c.name).where(schema.models.c.name == values["name"])).first():
            raise StoreError(f"a model named {values['name']!r} exists already")
        conn.execute(schema.models.insert().values(**values, active=False))
        _audit(conn, actor, "train model", values["name"], [("language", "", values["language"])])
        _bump_revision(conn)


def activate_model(engine: Engine, language: str, name: str | None, actor: str) -> None:
    """Make ``name`` the store's model for ``language`` (None: back to the shipped one); audited."""
    m = schema.models
    with engine.begin() as conn:
        before = conn.execute(select(m.c.name).where(m.c.language == language, m.c.active)).scalar() or ""
        if (
            name is not None
            and not conn.execute(select(m.c.name).where(m.c.name == name, m.c.language == language)).first()
        ):
            raise StoreError(f"no {language} model named {name!r} in the store")
        conn.execute(update(m).where(m.c.language == language).values(active=False))
        if name is not None:
            conn.execute(update(m).where(m.c.name == name).values(active=True))
        _audit(conn, actor, "switch model", language, [("model", before or "shipped", name or "shipped")])
        _bump_revision(conn)


def active_weights(engine: Engine) -> dict[str, LinearModel]:
    """The weights the store uses instead of the shipped ones, per language (usually none)."""
    m = schema.models
    with engine.connect() as conn:
        rows = conn.execute(select(m.c.language, m.c.weights).where(m.c.active)).all()
    return {
        r.language: model.from_json(json.loads(r.weights), f"the store's {r.language} model") for r in rows
    }


def review_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every review row, including those whose commitment no longer exists."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(schema.reviews)).mappings()]


def reviews_of(engine: Engine, commitment_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The reviews of these commitments (those that have one)."""
    rev = schema.reviews
    with engine.connect() as conn:
        query = select(rev).where(rev.c.commitment_id.in_(list(commitment_ids)))
        return [dict(r._mapping) for r in conn.execute(query)]


def review_counts(engine: Engine) -> dict[str, int]:
    """How many reviews the store holds, how many are stale and how many orphaned."""
    rev, com = schema.reviews, schema.commitments
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(rev)).scalar_one()
        stale = conn.execute(select(func.count()).select_from(rev).where(rev.c.stale)).scalar_one()
        orphaned = conn.execute(
            select(func.count()).select_from(rev).where(rev.c.commitment_id.not_in(select(com.c.id)))
        ).scalar_one()
    return {"reviews": int(total), "stale": int(stale), "orphaned": int(orphaned)}


def orphaned_reviews(engine: Engine) -> list[dict[str, Any]]:
    """Reviews whose commitment disappeared in a re-ingest (kept, never deleted)."""
    rev, com = schema.reviews, schema.commitments
    query = select(rev).where(rev.c.commitment_id.not_in(select(com.c.id)))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def audit_rows(engine: Engine, target: str | None = None) -> list[dict[str, Any]]:
    """The audit log, oldest first (optionally for one commitment or user)."""
    log = schema.audit_log
    query = select(log).order_by(log.c.id)
    if target is not None:
        query = query.where(log.c.target == target)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


# --- threads: derived rows, and the reviewers' decisions that steer them


def achievement_rows(engine: Engine, organizations: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Reported results with their release's organisation, date and file (optionally some organisations)."""
    ach, rel = schema.achievements, schema.releases
    query = (
        select(
            ach.c.id,
            ach.c.text,
            ach.c.themes,
            ach.c.start,
            ach.c.end,
            ach.c.cue,
            rel.c.organization,
            rel.c.date.label("release_date"),
            rel.c.source_file,
        )
        .select_from(ach.join(rel))
        .order_by(rel.c.date, ach.c.id)
    )
    if organizations is not None:
        query = query.where(rel.c.organization.in_(list(organizations)))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def replace_threads(
    engine: Engine,
    organizations: Iterable[str],
    threads: list[dict[str, Any]],
    members: list[dict[str, Any]],
    deliveries: list[dict[str, Any]],
) -> None:
    """Replace these organisations' threads, memberships and delivery links in one transaction
    (all removed before any is written: a statement may have moved from one organisation to another)."""
    wanted = list(organizations)
    with engine.begin() as conn:
        for table in (schema.threads, schema.thread_members, schema.deliveries):
            conn.execute(table.delete().where(table.c.organization.in_(wanted)))
        for table, rows in (
            (schema.threads, threads),
            (schema.thread_members, members),
            (schema.deliveries, deliveries),
        ):
            if rows:
                conn.execute(table.insert(), rows)
        _bump_revision(conn)


def thread_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every thread, by organisation and first date."""
    t = schema.threads
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.organization, t.c.first_date, t.c.id)).mappings()
        return [dict(r) for r in rows]


def delivery_rows(engine: Engine) -> list[dict[str, Any]]:
    """Delivery links with the achievement's words, date and file."""
    d, a, rel = schema.deliveries, schema.achievements, schema.releases
    query = (
        select(
            d.c.thread_id,
            d.c.achievement_id,
            d.c.score,
            d.c.status,
            d.c.organization,
            a.c.text,
            rel.c.date.label("release_date"),
            rel.c.source_file,
        )
        .select_from(d.join(a, a.c.id == d.c.achievement_id).join(rel, rel.c.id == a.c.release_id))
        .order_by(d.c.thread_id, rel.c.date)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def thread_member_rows(engine: Engine, thread_id: str) -> list[dict[str, Any]]:
    """The commitment ids of one thread."""
    tm = schema.thread_members
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(tm).where(tm.c.thread_id == thread_id)).mappings()]


def thread_decisions(engine: Engine) -> dict[str, str | None]:
    """Commitment id -> anchor commitment id (merge) or None (split)."""
    td = schema.thread_decisions
    with engine.connect() as conn:
        return {
            r.commitment_id: r.anchor_id for r in conn.execute(select(td.c.commitment_id, td.c.anchor_id))
        }


def delivery_decisions(engine: Engine) -> list[dict[str, Any]]:
    """Reviewers' confirmations and rejections of delivery links."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(schema.delivery_decisions)).mappings()]


def record_thread_decision(engine: Engine, commitment_id: str, anchor_id: str | None, actor: str) -> None:
    """Remember a merge (anchor) or split (None) and audit it."""
    td = schema.thread_decisions
    with engine.begin() as conn:
        old = conn.execute(select(td.c.anchor_id).where(td.c.commitment_id == commitment_id)).first()
        conn.execute(td.delete().where(td.c.commitment_id == commitment_id))
        conn.execute(
            td.insert().values(
                commitment_id=commitment_id,
                anchor_id=anchor_id,
                decided_by=actor,
                decided_at=dt.datetime.now(dt.UTC),
            )
        )
        action = "thread_merge" if anchor_id else "thread_split"
        _audit(
            conn,
            actor,
            action,
            commitment_id,
            [("thread", str(old[0] or "") if old else "", anchor_id or "")],
        )


def record_delivery_decision(
    engine: Engine, achievement_id: str, commitment_id: str, status: str, actor: str
) -> None:
    """Remember a confirmed or rejected delivery link and audit it."""
    dd = schema.delivery_decisions
    key = (dd.c.achievement_id == achievement_id) & (dd.c.commitment_id == commitment_id)
    with engine.begin() as conn:
        old = conn.execute(select(dd.c.status).where(key)).first()
        conn.execute(dd.delete().where(key))
        conn.execute(
            dd.insert().values(
                achievement_id=achievement_id,
                commitment_id=commitment_id,
                status=status,
                decided_by=actor,
                decided_at=dt.datetime.now(dt.UTC),
            )
        )
        _audit(conn, actor, "delivery", achievement_id, [("status", old[0] if old else "proposed", status)])


# --- web sources and the pages fetched from them: queries only; the crawl lives in fetch.py


def insert_source(engine: Engine, url: str, organization: str, language: str, actor: str) -> int:
    """Add a source and audit it; StoreError if the URL is already followed."""
    src = schema.sources
    with engine.begin() as conn:
        existing = conn.execute(select(src.c.id).where(src.c.url == url)).first()
        if existing:
            raise StoreError(f"{url} is already followed (source {existing.id})")
        inserted = conn.execute(
            src.insert().values(
                url=url,
                organization=organization,
                language=language,
                kind="",
                added_by=actor,
                added_at=dt.datetime.now(dt.UTC),
                last_status="",
                last_error="",
                last_new=0,
                last_updated=0,
                last_failed=0,
            )
        ).inserted_primary_key
        assert inserted is not None
        source_id = int(inserted[0])
        _audit(conn, actor, "source_add", f"source:{source_id}", [("url", "", url)])
        _bump_revision(conn)
    return source_id


def delete_source(engine: Engine, source_id: int, actor: str) -> str | None:
    """Stop following a source: forget it and its fetched pages (their releases stay); audited.
    Returns its URL, or None when there is no such source."""
    src, pages = schema.sources, schema.fetched_pages
    with engine.begin() as conn:
        url = conn.execute(select(src.c.url).where(src.c.id == source_id)).scalar_one_or_none()
        if url is None:
            return None
        conn.execute(pages.delete().where(pages.c.source_id == source_id))
        conn.execute(src.delete().where(src.c.id == source_id))
        _audit(conn, actor, "source_remove", f"source:{source_id}", [("url", url, "")])
        _bump_revision(conn)
    return str(url)


def source_rows(engine: Engine, source_id: int | None = None) -> list[dict[str, Any]]:
    """Sources (one, or all by id) with how many of their pages are stored, gone or failing."""
    src, pages = schema.sources, schema.fetched_pages
    tally = (
        select(
            pages.c.source_id,
            func.count().label("pages"),
            func.sum(cast(pages.c.source_file != "", Integer)).label("releases"),
            func.sum(cast(pages.c.state == "gone", Integer)).label("gone"),
            func.sum(cast(pages.c.state == "failed", Integer)).label("failing"),
        )
        .group_by(pages.c.source_id)
        .subquery()
    )
    query = (
        select(
            src,
            func.coalesce(tally.c.pages, 0).label("pages"),
            func.coalesce(tally.c.releases, 0).label("releases"),
            func.coalesce(tally.c.gone, 0).label("gone"),
            func.coalesce(tally.c.failing, 0).label("failing"),
        )
        .select_from(src.outerjoin(tally, tally.c.source_id == src.c.id))
        .order_by(src.c.id)
    )
    if source_id is not None:
        query = query.where(src.c.id == source_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def source_pages(engine: Engine, source_id: int) -> list[dict[str, Any]]:
    """The pages a source has led to, least recently checked first."""
    pages = schema.fetched_pages
    query = select(pages).where(pages.c.source_id == source_id).order_by(pages.c.last_checked, pages.c.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def fetched_page(engine: Engine, url: str) -> dict[str, Any] | None:
    """What the store knows of one fetched URL, or None."""
    pages = schema.fetched_pages
    with engine.connect() as conn:
        row = conn.execute(select(pages).where(pages.c.url == url)).mappings().first()
    return dict(row) if row else None


def record_page(engine: Engine, source_id: int, url: str, **fields: Any) -> None:
    """Insert or update one fetched URL's row (first_seen set once; last_seen whenever it is ok)."""
    pages = schema.fetched_pages
    now = dt.datetime.now(dt.UTC)
    if fields.get("state") == "ok":
        fields["last_seen"] = now
    with engine.begin() as conn:
        exists = conn.execute(select(pages.c.id).where(pages.c.url == url)).first()
        if exists:
            conn.execute(update(pages).where(pages.c.id == exists.id).values(last_checked=now, **fields))
        else:
            values = {"http_status": 0, "content_hash": "", "source_file": "", "error": "", **fields}
            conn.execute(
                pages.insert().values(
                    source_id=source_id, url=url, first_seen=now, last_checked=now, **values
                )
            )


def record_source_fetch(engine: Engine, source_id: int, actor: str, summary: str, **fields: Any) -> None:
    """Remember what a fetch of a source did (kind, status, error, counts) and audit it."""
    src = schema.sources
    with engine.begin() as conn:
        conn.execute(
            update(src).where(src.c.id == source_id).values(last_fetch_at=dt.datetime.now(dt.UTC), **fields)
        )
        _audit(conn, actor, "source_fetch", f"source:{source_id}", [("result", "", summary)])
        _bump_revision(conn)


# --- dashboard sessions: the rules (signing, expiry) live in sessions.py


def insert_session(engine: Engine, id_hash: str, user_name: str, expires_at: dt.datetime) -> None:
    """Remember a new signed-in session and audit the sign-in."""
    with engine.begin() as conn:
        conn.execute(
            schema.sessions.insert().values(
                id_hash=id_hash,
                user_name=user_name,
                created_at=dt.datetime.now(dt.UTC),
                expires_at=expires_at,
                ended_at=None,
            )
        )
        _audit(conn, user_name, "sign in", user_name)


def get_session(engine: Engine, id_hash: str) -> dict[str, Any] | None:
    """One session row, or None."""
    s = schema.sessions
    with engine.connect() as conn:
        row = conn.execute(select(s).where(s.c.id_hash == id_hash)).mappings().first()
    return dict(row) if row else None


def end_session(engine: Engine, id_hash: str) -> bool:
    """End a session for every process (sign-out, audited); False if it had ended already."""
    s = schema.sessions
    with engine.begin() as conn:
        row = conn.execute(
            select(s.c.user_name).where(s.c.id_hash == id_hash, s.c.ended_at.is_(None))
        ).first()
        if row is None:
            return False
        conn.execute(update(s).where(s.c.id_hash == id_hash).values(ended_at=dt.datetime.now(dt.UTC)))
        _audit(conn, row.user_name, "sign out", row.user_name)
    return True
