"""The store's tables (SQLAlchemy Core) and its versioned, explicit migrations.

Every table is defined here and nowhere else. ``upgrade(engine)`` brings any store, new
or old, SQLite or PostgreSQL, to SCHEMA_VERSION by running the missing steps in order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment in UTC, with its zone, read back the same from SQLite and PostgreSQL.

    PostgreSQL keeps a timestamptz; SQLite a string ending in +00:00 (older rows without the
    suffix were written in UTC too). Naive datetimes are refused: nobody can tell their zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True
    _SQLITE_FORMAT = (
        "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d+00:00"
    )

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(
                sqlite.DATETIME(storage_format=self._SQLITE_FORMAT)  # type: ignore[no-untyped-call]
            )
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone; the store keeps times in UTC with their zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)

releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_file", String(255), nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("date", String(10), nullable=False),  # YYYY-MM-DD or ""
    Column("source", Text, nullable=False),
    Column("language", String(2), nullable=False),
    Column("organization", String(255), nullable=False),
    Column("format", String(8), nullable=False),
    Column("body", Text, nullable=False),
    Column("warnings", Text, nullable=False),  # JSON list
    Column("extractor_version", String(64), nullable=False),
    Column("ingested_at", UTCDateTime(), nullable=False),
    Column("url", Text, nullable=False, server_default=""),  # the page it was fetched from (step 5)
    Index("ix_releases_date", "date"),  # step 7: the date filter's bounds
)
# Step 8: the Releases page's order (newest first, then by file), read from the index's start;
# the releases of an organisation (filtering on organisations keeps a release's own).
Index("ix_releases_order", releases.c.date.desc(), releases.c.source_file)
Index("ix_releases_organization", releases.c.organization)

commitments = Table(
    "commitments",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("themes", String(255), nullable=False),  # ";"-joined ids
    Column("pillars", String(8), nullable=False),
    Column("target_years", String(255), nullable=False),
    Column("speaker", String(255), nullable=False),
    Column("organization", String(255), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("cue", Text, nullable=False),
    Column("cue_rule", Text, nullable=False),
    Column("cue_start", Integer, nullable=False),
    Column("cue_end", Integer, nullable=False),
    Column("theme_evidence", Text, nullable=False),  # JSON list of {theme, words, start, end}
    Column("extractor_version", String(64), nullable=False),
    # "extracted", or "reviewer": added by a reviewer, kept through every re-ingest (step 4)
    Column("origin", String(16), nullable=False, server_default="extracted"),
    Index("ix_commitments_release", "release_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),  # viewer, reviewer, admin
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# One row per reviewed commitment. Keyed on the commitment id but without a foreign key:
# a review outlives its commitment when a re-ingest drops it, and is reported then.
reviews = Table(
    "reviews",
    metadata,
    Column("commitment_id", String(16), primary_key=True),
    Column("source_file", String(255), nullable=False),
    Column("status", String(24), nullable=False),
    Column("kind", String(16)),  # corrections: NULL means "as extracted"
    Column("themes", String(255)),
    Column("target_years", String(255)),
    Column("speaker", String(255)),
    Column("organization", String(255)),
    Column("comment", Text, nullable=False, default=""),
    Column("reviewed_text", Text, nullable=False),  # the words the reviewer saw
    # JSON: the kind, themes, years, speaker and organisation the reviewer approved (step 6);
    # "" for reviews made stale before step 6, whose approved values nobody knows any more
    Column("reviewed_values", Text, nullable=False, server_default=""),
    Column("stale", Boolean, nullable=False, default=False),
    Column("version", Integer, nullable=False),
    Column("reviewed_by", String(64), nullable=False),
    Column("reviewed_at", UTCDateTime(), nullable=False),
    Index("ix_reviews_source_file", "source_file"),
)

# Append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), and each row
# carries the hash of the row before it and of its own content (step 6), so a row deleted or
# edited behind the database's back breaks the chain (store.verify_audit names where).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(128), nullable=False),  # an account, or "os:" and the OS account@host
    Column("action", String(32), nullable=False),
    Column("target", String(255), nullable=False),  # a commitment id, user name, release, source
    Column("field", String(32), nullable=False, default=""),
    Column("old_value", Text, nullable=False, default=""),
    Column("new_value", Text, nullable=False, default=""),
    Column("prev_hash", String(64), nullable=False, server_default=""),
    Column("row_hash", String(64), nullable=False, server_default=""),
    Index("ix_audit_target", "target"),
)

AUDIT_HASHED = ("at", "actor", "action", "target", "field", "old_value", "new_value")


def audit_row_hash(prev_hash: str, row: Any) -> str:
    """The chain hash of an audit row: SHA-256 of the previous row's hash and this row's content."""
    at = row["at"]
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    content = [prev_hash, at.isoformat(timespec="microseconds")] + [str(row[k]) for k in AUDIT_HASHED[1:]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


# Sentences a release reports as done: the evidence threads link to as delivery.
achievements = Table(
    "achievements",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("themes", String(255), nullable=False),
    Column("cue", String(64), nullable=False),
    Index("ix_achievements_release", "release_id"),
)

# Derived from commitments by esgdata.analysis.threads.rebuild, per organisation, in one transaction.
threads = Table(
    "threads",
    metadata,
    Column("id", String(12), primary_key=True),
    Column("organization", String(255), nullable=False),
    Column("label", Text, nullable=False),
    Column("first_date", String(10), nullable=False),
    Column("last_date", String(10), nullable=False),
    Column("statements", Integer, nullable=False),
    Column("year_history", Text, nullable=False),
    Column("changes", Text, nullable=False),  # JSON list of {date, kind, before, after, commitment_id}
    Column("delivery_status", String(16), nullable=False),  # promised, repeated, reported done
    Index("ix_threads_organization", "organization"),
)

thread_members = Table(
    "thread_members",
    metadata,
    Column("commitment_id", String(16), primary_key=True),
    Column("thread_id", String(12), nullable=False),
    Column("organization", String(255), nullable=False),
    Index("ix_thread_members_thread", "thread_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("thread_id", String(12), primary_key=True),
    Column("achievement_id", String(16), primary_key=True),
    Column("organization", String(255), nullable=False),
    Column("score", Float, nullable=False),
    Column("status", String(16), nullable=False),  # proposed, confirmed, rejected
)

# Reviewers' decisions, keyed on commitment ids so they survive re-ingest and rebuilds.
thread_decisions = Table(
    "thread_decisions",
    metadata,
    Column("commitment_id", String(16), primary_key=True),
    Column("anchor_id", String(16)),  # join this commitment's thread; NULL: a thread of its own
    Column("decided_by", String(64), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=False),
)

delivery_decisions = Table(
    "delivery_decisions",
    metadata,
    Column("achievement_id", String(16), primary_key=True),
    Column("commitment_id", String(16), primary_key=True),  # a statement of the thread decided on
    Column("status", String(16), nullable=False),  # confirmed or rejected
    Column("decided_by", String(64), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=False),
)

# Web sources the fetcher follows (news list pages, feeds, sitemaps) and what their last fetch did.
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(2000), nullable=False, unique=True),
    Column("organization", String(255), nullable=False, default=""),
    Column("language", String(2), nullable=False, default=""),
    Column("kind", String(16), nullable=False, default=""),  # list, feed or sitemap: seen on first fetch
    Column("added_by", String(64), nullable=False),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("last_fetch_at", UTCDateTime()),
    Column("last_status", String(16), nullable=False, default=""),  # ok, failed, partial
    Column("last_error", Text, nullable=False, default=""),
    Column("last_new", Integer, nullable=False, default=0),
    Column("last_updated", Integer, nullable=False, default=0),
    Column("last_failed", Integer, nullable=False, default=0),
)

# Every article URL a source led to: when it was seen, what it answered, the release it became.
fetched_pages = Table(
    "fetched_pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False, unique=True),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime()),  # last answer with the page (200 or 304)
    Column("last_checked", UTCDateTime(), nullable=False),
    Column("http_status", Integer, nullable=False, default=0),  # 0: no answer (timeout, refused)
    Column("content_hash", String(64), nullable=False, default=""),  # of the release read from it
    Column("source_file", String(255), nullable=False, default=""),  # the release it became
    Column("state", String(16), nullable=False),  # ok, gone, failed, older (before --since)
    Column("error", Text, nullable=False, default=""),
    Index("ix_fetched_pages_source", "source_id"),
)

# Decision-model weights retrained in this store (from its reviews); at most one active per language.
models = Table(
    "models",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("language", String(2), nullable=False),
    Column("weights", Text, nullable=False),  # the JSON document of esgdata.extraction.model
    Column("figures", Text, nullable=False),  # JSON: held-out and cross-validated figures
    Column("active", Boolean, nullable=False, default=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Signed-in dashboard sessions: a reload finds its session by the signed token in a cookie;
# signing out ends it here, for every process. Only a hash of the session's secret id is kept.
sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime()),
    Index("ix_sessions_user", "user_name"),
)

# What the dashboard filters, counts and pages on, one narrow row per commitment with the values
# people see (reviewers' corrections applied), kept by store.refresh_facts in the transaction of
# every write that changes them. Narrow so a scan of a million rows stays cheap; the text stays in
# commitments. day is NULL for a release without a date.
commitment_facts = Table(
    "commitment_facts",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column(
        "commitment_id",
        String(16),
        ForeignKey("commitments.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), nullable=False),
    Column("source_file", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    Column("day", String(10)),
    Column("language", String(2), nullable=False),
    Column("organization", String(255), nullable=False),
    Column("speaker", String(255), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("themes", String(255), nullable=False),  # the cells as shown, ";"-joined in their order
    Column("pillars", String(8), nullable=False),
    Column("target_years", String(255), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("year_min", Integer),
    Column("year_max", Integer),
    Column("status", String(24), nullable=False),
    Index("ix_facts_release", "release_id"),
    Index("ix_facts_order", "day", "source_file", "position"),
    Index("ix_facts_store_order", "source_file", "position"),
    # With the release (step 8): the releases holding a matching commitment, from the index alone.
    Index("ix_facts_organization", "organization", "day", "release_id"),
    Index("ix_facts_kind", "kind", "day", "release_id"),
    Index("ix_facts_speaker", "speaker"),
    # The filter widgets' bounds and choices, read from an index end instead of every row.
    Index("ix_facts_year_min", "year_min"),
    Index("ix_facts_year_max", "year_max"),
    Index("ix_facts_status", "status"),
)

# Step 8, PostgreSQL only: "newest first" (day descending, undated last, then by file) as one index.
# PostgreSQL reads ix_facts_order backwards as undated first, so it sorted every row for that order;
# SQLite reads it backwards in this order already (and has no NULLS LAST in an index).
Index("ix_facts_newest", commitment_facts.c.day.desc().nulls_last(), "source_file", "position").ddl_if(
    dialect="postgresql"
)

# The multi-valued cells of commitment_facts, one row per value, so counts per theme, pillar or
# target year are GROUP BYs.
commitment_themes = Table(
    "commitment_themes",
    metadata,
    Column("n", Integer, ForeignKey("commitment_facts.n", ondelete="CASCADE"), primary_key=True),
    Column("theme", String(64), primary_key=True),
    Index("ix_commitment_themes_theme", "theme", "n"),
)

commitment_pillars = Table(
    "commitment_pillars",
    metadata,
    Column("n", Integer, ForeignKey("commitment_facts.n", ondelete="CASCADE"), primary_key=True),
    Column("pillar", String(1), primary_key=True),
    Index("ix_commitment_pillars_pillar", "pillar", "n"),
)

commitment_years = Table(
    "commitment_years",
    metadata,
    Column("n", Integer, ForeignKey("commitment_facts.n", ondelete="CASCADE"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Index("ix_commitment_years_year", "year", "n"),
)

# What a search reads, one row per commitment: its text, release title, organisation and speaker
# joined by SEARCH_SEPARATOR (never typed, so no term matches across two fields). Indexed for
# substring search: on SQLite a contentful FTS5 table with the trigram tokenizer (keyed by rowid,
# created by _v7, not by create_all), on PostgreSQL a GIN pg_trgm index.
commitment_search = Table(
    "commitment_search",
    metadata,
    Column("n", Integer, ForeignKey("commitment_facts.n", ondelete="CASCADE"), primary_key=True),
    Column("doc", Text, nullable=False),
)
SEARCH_SEPARATOR = "\x1f"

FACT_TABLES = (commitment_facts, commitment_themes, commitment_pillars, commitment_years, commitment_search)

# The facts counted by their cheap dimensions (organisation, release month, kind, language, review
# status), so a view narrowed only by those reads a few thousand rows instead of every fact. One
# row per group (dim ""), per group and theme (dim "theme") and per group and pillar (dim "pillar");
# month "" for undated releases. store.refresh_facts recounts the groups a write touches, in its
# transaction; the measures beyond the count (with_year and the bounds) are set on dim "" rows only.
commitment_rollup = Table(
    "commitment_rollup",
    metadata,
    Column("organization", String(255), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("language", String(2), primary_key=True),
    Column("status", String(24), primary_key=True),
    Column("dim", String(8), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("commitments", Integer, nullable=False),
    Column("with_year", Integer, nullable=False),  # of them, how many name a target year
    Column("year_min", Integer),
    Column("year_max", Integer),
    Column("first_day", String(10)),
    Column("last_day", String(10)),
    Index("ix_commitment_rollup_dim", "dim", "kind", "month"),
)

SCHEMA_VERSION = 8


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[meta, releases, commitments])


def _v2(conn: Connection) -> None:
    metadata.create_all(conn, tables=[users, reviews, audit_log])
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
        )
    else:
        for event in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
                )
            )


def _v3(conn: Connection) -> None:
    metadata.create_all(
        conn, tables=[achievements, threads, thread_members, deliveries, thread_decisions, delivery_decisions]
    )


def _v4(conn: Connection) -> None:
    # A store created at step 1 by this code already has the column (step 1 builds today's table).
    if "origin" not in {c["name"] for c in inspect(conn).get_columns("commitments")}:
        conn.execute(
            text("ALTER TABLE commitments ADD COLUMN origin VARCHAR(16) NOT NULL DEFAULT 'extracted'")
        )
    metadata.create_all(conn, tables=[models])


def _v5(conn: Connection) -> None:
    # Step 1 creates releases from today's definition, which already has the column.
    if "url" not in {c["name"] for c in inspect(conn).get_columns("releases")}:
        conn.execute(text("ALTER TABLE releases ADD COLUMN url TEXT NOT NULL DEFAULT ''"))
    metadata.create_all(conn, tables=[sources, fetched_pages])


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


def _v6(conn: Connection) -> None:
    """The audit log chained and closed to TRUNCATE; reviews keep the values they approved; sessions."""
    postgres = conn.dialect.name == "postgresql"
    for column, ddl in (("prev_hash", "VARCHAR(64)"), ("row_hash", "VARCHAR(64)")):
        if column not in _columns(conn, "audit_log"):  # a store made at step 2 by today's code has them
            conn.execute(text(f"ALTER TABLE audit_log ADD COLUMN {column} {ddl} NOT NULL DEFAULT ''"))
    if postgres:
        conn.execute(text("ALTER TABLE audit_log ALTER COLUMN actor TYPE VARCHAR(128)"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log"))
        conn.execute(
            text(
                "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
            )
        )
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
    else:
        for event in ("update", "delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS audit_log_no_{event}"))
    # The rows written before the chain existed join it, in order, inside this one transaction.
    prev = ""
    for row in conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings().all():
        digest = audit_row_hash(prev, row)
        conn.execute(
            update(audit_log).where(audit_log.c.id == row["id"]).values(prev_hash=prev, row_hash=digest)
        )
        prev = digest
    if postgres:
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))
    else:
        for event in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
                )
            )
    last = conn.execute(select(audit_log.c.id).order_by(audit_log.c.id.desc()).limit(1)).scalar()
    conn.execute(meta.delete().where(meta.c.key == "audit_head"))
    conn.execute(meta.insert().values(key="audit_head", value=f"{last or 0}:{prev}"))

    if "reviewed_values" not in _columns(conn, "reviews"):
        conn.execute(text("ALTER TABLE reviews ADD COLUMN reviewed_values TEXT NOT NULL DEFAULT ''"))
    # A review that is not stale approved today's extraction with its own corrections on top.
    rev, com = reviews, commitments
    fields = ("kind", "themes", "target_years", "speaker", "organization")
    query = select(rev, *(com.c[f].label(f"extracted_{f}") for f in fields)).select_from(
        rev.join(com, com.c.id == rev.c.commitment_id)
    )
    for row in conn.execute(query.where(rev.c.stale.is_(False))).mappings().all():
        approved = {f: row[f] if row[f] is not None else row[f"extracted_{f}"] for f in fields}
        conn.execute(
            update(rev)
            .where(rev.c.commitment_id == row["commitment_id"])
            .values(reviewed_values=json.dumps(approved, ensure_ascii=False))
        )
    metadata.create_all(conn, tables=[sessions])


def _v7(conn: Connection) -> None:
    """The dashboard's narrow facts, their per-value tables and the search index, filled from every
    stored commitment (each statement may meet a store that already has them: it keeps them)."""
    from .store import refresh_facts  # the store owns the rule for the values people see

    metadata.create_all(conn, tables=[t for t in FACT_TABLES if t is not commitment_search])
    for index in releases.indexes:
        index.create(conn, checkfirst=True)
    if conn.dialect.name == "sqlite":
        conn.execute(
            text("CREATE VIRTUAL TABLE IF NOT EXISTS commitment_search USING fts5(doc, tokenize='trigram')")
        )
        # A virtual table takes no foreign key: a trigger drops the document with its facts row,
        # also when deleting a commitment cascades to it.
        conn.execute(
            text(
                "CREATE TRIGGER IF NOT EXISTS commitment_search_follows_facts "
                "AFTER DELETE ON commitment_facts "
                "BEGIN DELETE FROM commitment_search WHERE rowid = old.n; END"
            )
        )
    else:
        metadata.create_all(conn, tables=[commitment_search])
        try:
            with conn.begin_nested():  # pg_trgm is a trusted extension: the owner of the database may add it
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                trigram = (
                    "CREATE INDEX IF NOT EXISTS ix_commitment_search_doc "
                    "ON commitment_search USING gin (doc gin_trgm_ops)"
                )
                conn.execute(text(trigram))
        except DBAPIError:
            pass  # without the extension a search reads every row: slower, the same answers
    refresh_facts(conn)


def _v8(conn: Connection) -> None:
    """The facts' rollup, counted from the facts already stored; indexes for the Releases page."""
    from .store import recount_rollup

    metadata.create_all(conn, tables=[commitment_rollup])
    recount_rollup(conn)
    for name in ("ix_facts_organization", "ix_facts_kind"):  # made at step 7 without the release
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for index in (*commitment_facts.indexes, *releases.indexes):
        index.create(conn, checkfirst=True)


# Step N brings a store from version N-1 to N. Never edit a step once released; add one.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _v1,
    2: _v2,
    3: _v3,
    4: _v4,
    5: _v5,
    6: _v6,
    7: _v7,
    8: _v8,
}


def current_version(conn: Connection) -> int:
    """The store's schema version (0 for an empty database)."""
    if not inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else 0


def upgrade(engine: Engine) -> int:
    """Run the missing migration steps, each in its own transaction; return the version reached."""
    with engine.begin() as conn:
        version = current_version(conn)
    if version > SCHEMA_VERSION:
        from .errors import StoreError

        raise StoreError(
            f"the store's schema is version {version}, newer than this esgdata understands "
            f"({SCHEMA_VERSION}); upgrade esgdata"
        )
    for step in range(version + 1, SCHEMA_VERSION + 1):
        with engine.begin() as conn:
            MIGRATIONS[step](conn)
            conn.execute(meta.delete().where(meta.c.key == "schema_version"))
            conn.execute(meta.insert().values(key="schema_version", value=str(step)))
    return SCHEMA_VERSION


APPEND_ONLY = ("audit_log",)  # the app's role may read and add rows, nothing more


def grant_app_role(engine: Engine, role: str) -> None:
    """On PostgreSQL, give the app's role what the product needs and no more (run as the owner).

    Every table: SELECT, INSERT, UPDATE, DELETE; the audit log: SELECT and INSERT only, so the
    app can neither change, delete, truncate nor drop its triggers (it owns nothing).
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        quote = conn.dialect.identifier_preparer.quote
        who = quote(role)
        here = quote(str(conn.execute(text("SELECT current_schema()")).scalar()))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {here} TO {who}"))
        for table in metadata.sorted_tables:
            name = quote(table.name)
            conn.execute(text(f"REVOKE ALL ON {name} FROM {who}"))
            rights = "SELECT, INSERT" if table.name in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
            conn.execute(text(f"GRANT {rights} ON {name} TO {who}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {here} TO {who}"))
