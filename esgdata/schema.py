"""The store's tables (SQLAlchemy Core) and its versioned, explicit migrations.

Every table is defined here and nowhere else. ``upgrade(engine)`` brings any store, new
or old, SQLite or PostgreSQL, to SCHEMA_VERSION by running the missing steps in order.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
)

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
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

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
    Index("ix_commitments_release", "release_id"),
)

SCHEMA_VERSION = 1


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[meta, releases, commitments])


# Step N brings a store from version N-1 to N. Never edit a step once released; add one.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1}


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
