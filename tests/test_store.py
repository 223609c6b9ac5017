"""The store: idempotent saves, replaced releases, stable ids, crash safety, schema versions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy
from conftest import PG_URL, SPEC_COMMITMENT_COLUMNS
from sqlalchemy import Engine, update

from esgdata import export, schema, store
from esgdata.errors import StoreError
from esgdata.extraction.pipeline import extract
from esgdata.models import Extraction
from esgdata.readers import read
from esgdata.readers.release import parse_release

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_fab0cea01f7ba7df.txt"
MAX_BYTES = 10 * 1024 * 1024

OTHER = """\
State Grid Sets Out Its Clean Power Plan

Source: State Grid     Date: 2024-05-10

State Grid aims to raise the share of clean power in its grid to 60 percent by 2030. The company \
has always insisted on putting work safety first.

Representatives of several provinces attended the launch.
"""


def _extract_file(path: Path) -> Extraction:
    return extract(parse_release(read(path, max_bytes=MAX_BYTES)))


def _extract_text(tmp_path: Path, name: str, text: str) -> Extraction:
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return _extract_file(folder / name)


@pytest.fixture
def seed() -> Extraction:
    return _extract_file(SEED)


@pytest.fixture
def other(tmp_path: Path) -> Extraction:
    return _extract_text(tmp_path, "other.txt", OTHER)


def _rows_of(engine: Engine, source_file: str) -> list[dict]:
    return [r for r in store.commitment_rows(engine) if r["source_file"] == source_file]


# ---------------------------------------------------------------- saving


def test_saving_a_new_release_adds_it_with_all_its_commitments(engine, seed):
    outcome = store.save(engine, seed, "test")
    assert outcome.status == "added"
    assert outcome.commitments == len(seed.commitments) == 5
    assert store.counts(engine) == {"releases": 1, "commitments": 5}


def test_saving_the_same_extraction_twice_changes_nothing(engine, seed):
    store.save(engine, seed, "test")
    counts, revision, rows = (
        store.counts(engine),
        store.revision(engine),
        store.commitment_rows(engine),
    )
    again = store.save(engine, seed, "test")
    assert again.status == "unchanged"
    assert again.commitments == 5
    assert store.counts(engine) == counts
    assert store.revision(engine) == revision
    assert store.commitment_rows(engine) == rows


def test_every_write_raises_the_revision(engine, seed, other):
    before = store.revision(engine)
    store.save(engine, seed, "test")
    after_seed = store.revision(engine)
    store.save(engine, other, "test")
    after_other = store.revision(engine)
    store.delete_release(engine, other.release.source_file, "test")
    assert before < after_seed < after_other < store.revision(engine)


def _changed_seed(seed: Extraction, tmp_path: Path) -> Extraction:
    """The seed with its 'Second, ...' item reworded and its last paragraph dropped."""
    text = SEED.read_text(encoding="utf-8")
    old = "Second, to strengthen the sense of mission"
    assert old in text
    text = text.replace(old, "Second, to deepen the sense of mission")
    text = text.rsplit("\n\n", 1)[0] + "\n"
    changed = _extract_text(tmp_path, SEED.name, text)
    assert changed.release.content_hash != seed.release.content_hash
    return changed


def test_a_changed_release_replaces_its_commitments(engine, seed, tmp_path):
    store.save(engine, seed, "test")
    changed = _changed_seed(seed, tmp_path)
    outcome = store.save(engine, changed, "test")
    assert outcome.status == "updated"
    rows = _rows_of(engine, SEED.name)
    assert [r["text"] for r in rows] == [c.text for c in changed.commitments]
    assert not [r for r in rows if "strengthen the sense of mission" in r["text"]]
    assert store.counts(engine) == {"releases": 1, "commitments": len(changed.commitments)}
    body = store.release_body(engine, SEED.name)["body"]
    assert body == changed.release.body


def test_commitments_whose_text_is_unchanged_keep_their_id(engine, seed, tmp_path):
    store.save(engine, seed, "test")
    old_ids = {r["text"]: r["id"] for r in store.commitment_rows(engine)}
    store.save(engine, _changed_seed(seed, tmp_path), "test")
    new_ids = {r["text"]: r["id"] for r in store.commitment_rows(engine)}
    kept = set(old_ids) & set(new_ids)
    assert len(kept) == 4
    for text in kept:
        assert new_ids[text] == old_ids[text]
    reworded = next(t for t in new_ids if t.startswith("Second,"))
    assert new_ids[reworded] not in old_ids.values()


def test_a_new_extractor_version_rewrites_an_unchanged_release(engine, seed):
    store.save(engine, seed, "test")
    newer = Extraction(
        seed.release,
        tuple(dataclasses.replace(c, extractor_version="99.0") for c in seed.commitments),
    )
    assert store.save(engine, newer, "test").status == "updated"
    assert {r["extractor_version"] for r in store.commitment_rows(engine)} == {"99.0"}
    assert store.stored_state(engine, SEED.name) == (seed.release.content_hash, "99.0")


def test_a_release_without_commitments_is_stored_with_a_count_of_zero(engine, tmp_path):
    x = _extract_text(
        tmp_path,
        "quiet.txt",
        "A Quiet Day\n\nSource:     Date: 2024-01-02\n\nDelegates attended the forum in Beijing.\n",
    )
    assert x.commitments == ()
    assert store.save(engine, x, "test").status == "added"
    assert store.save(engine, x, "test").status == "unchanged"
    (row,) = store.release_rows(engine)
    assert row["commitments"] == 0


# ---------------------------------------------------------------- deleting


def test_deleting_a_release_removes_it_and_only_its_commitments(engine, seed, other):
    store.save(engine, seed, "test")
    store.save(engine, other, "test")
    assert store.delete_release(engine, other.release.source_file, "test") is True
    assert [r["source_file"] for r in store.release_rows(engine)] == [SEED.name]
    assert {r["source_file"] for r in store.commitment_rows(engine)} == {SEED.name}
    assert store.counts(engine) == {"releases": 1, "commitments": 5}


def test_deleting_a_release_that_is_not_stored_says_so(engine, seed):
    store.save(engine, seed, "test")
    revision = store.revision(engine)
    assert store.delete_release(engine, "nothing-here.txt", "test") is False
    assert store.revision(engine) == revision
    assert store.counts(engine)["releases"] == 1


def test_a_deleted_release_can_be_added_again(engine, seed):
    store.save(engine, seed, "test")
    store.delete_release(engine, SEED.name, "test")
    assert store.save(engine, seed, "test").status == "added"
    assert store.counts(engine) == {"releases": 1, "commitments": 5}


def test_reading_a_missing_release_body_is_a_store_error(engine):
    with pytest.raises(StoreError, match=r"nothing-here\.txt"):
        store.release_body(engine, "nothing-here.txt")


# ---------------------------------------------------------------- rows


def test_commitment_rows_start_with_the_spec_columns_in_order(engine, seed):
    store.save(engine, seed, "test")
    rows = store.commitment_rows(engine)
    assert len(rows) == 5
    spec = SPEC_COMMITMENT_COLUMNS
    for row in rows:
        assert list(row)[: len(spec)] == spec
        assert set(export.COMMITMENT_COLUMNS) <= set(row)


def test_commitment_rows_hold_the_extracted_values(engine, seed):
    store.save(engine, seed, "test")
    rows = store.commitment_rows(engine)
    for row, c in zip(rows, seed.commitments, strict=True):
        assert row["source_file"] == SEED.name
        assert row["release_date"] == "2023-02-17"
        assert row["release_title"] == seed.release.title
        assert row["text"] == c.text
        assert row["kind"] == c.kind
        assert row["speaker"] == "Song Xin"
        assert row["organization"] == "CECEP"
        assert row["themes"] == ";".join(c.themes)
        assert row["pillars"] == ";".join(c.pillars)
        assert row["target_years"] == ""
        assert row["confidence"] == f"{c.confidence:.2f}"
        assert row["id"] == c.id
        assert (row["start"], row["end"]) == (c.start, c.end)
        assert row["cue"] == c.cue.text


def test_commitment_rows_are_ordered_by_file_then_position(engine, seed, other):
    store.save(engine, other, "test")
    store.save(engine, seed, "test")
    rows = store.commitment_rows(engine)
    names = [r["source_file"] for r in rows]
    assert names == sorted(names)
    seed_rows = [r for r in rows if r["source_file"] == SEED.name]
    assert [r["start"] for r in seed_rows] == sorted(r["start"] for r in seed_rows)


def test_target_years_are_stored_joined_with_semicolons(engine, other):
    store.save(engine, other, "test")
    target = next(r for r in store.commitment_rows(engine) if r["kind"] == "target")
    assert target["target_years"] == "2030"


def test_release_rows_have_the_spec_columns_and_the_commitment_count(engine, seed, other):
    store.save(engine, seed, "test")
    store.save(engine, other, "test")
    rows = store.release_rows(engine)
    spec = [
        "source_file",
        "release_date",
        "release_title",
        "language",
        "organization",
        "commitments",
    ]
    for row in rows:
        assert list(row)[: len(spec)] == spec
    by_name = {r["source_file"]: r for r in rows}
    assert by_name[SEED.name]["commitments"] == 5
    assert by_name[SEED.name]["language"] == "en"
    assert by_name[SEED.name]["organization"] == "CECEP"
    assert by_name[SEED.name]["release_date"] == "2023-02-17"
    assert by_name["other.txt"]["commitments"] == len(other.commitments)
    assert by_name["other.txt"]["organization"] == "State Grid"


# ---------------------------------------------------------------- crash safety


def _break_commitment_insert(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last commitment row violates NOT NULL: the database fails in the middle of the insert."""
    original = store._commitment_values

    def broken(x, release_id):
        rows = original(x, release_id)
        rows[-1] = {**rows[-1], "text": None}
        return rows

    monkeypatch.setattr(store, "_commitment_values", broken)


def _break_after_the_inserts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything is written, then the last step of the transaction fails."""

    def broken(conn):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_bump_revision", broken)


BREAKS = [
    pytest.param(_break_commitment_insert, id="commitments-insert-fails"),
    pytest.param(_break_after_the_inserts, id="last-step-fails"),
]


@pytest.mark.parametrize("breaker", BREAKS)
def test_a_failed_save_leaves_earlier_releases_intact_and_nothing_of_the_failed_one(
    engine, seed, other, monkeypatch, breaker
):
    store.save(engine, seed, "test")
    before_rows = store.commitment_rows(engine)
    before_releases = store.release_rows(engine)
    revision = store.revision(engine)
    breaker(monkeypatch)
    with pytest.raises(Exception):  # noqa: B017 - whatever the database raises
        store.save(engine, other, "test")
    monkeypatch.undo()
    assert store.commitment_rows(engine) == before_rows
    assert store.release_rows(engine) == before_releases
    assert store.stored_state(engine, "other.txt") is None
    assert store.revision(engine) == revision
    # and the failed release can be saved once the problem is gone
    assert store.save(engine, other, "test").status == "added"


@pytest.mark.parametrize("breaker", BREAKS)
def test_a_failed_update_keeps_the_previous_version_of_the_release(
    engine, seed, tmp_path, monkeypatch, breaker
):
    store.save(engine, seed, "test")
    before_rows = store.commitment_rows(engine)
    before_releases = store.release_rows(engine)
    changed = _changed_seed(seed, tmp_path)
    breaker(monkeypatch)
    with pytest.raises(Exception):  # noqa: B017
        store.save(engine, changed, "test")
    monkeypatch.undo()
    assert store.commitment_rows(engine) == before_rows
    assert store.release_rows(engine) == before_releases
    assert store.stored_state(engine, SEED.name)[0] == seed.release.content_hash


# ---------------------------------------------------------------- schema versions


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _owner(engine: Engine) -> Engine:
    """An engine of the tables' owner, for changes only a migration may make (PostgreSQL: PG_URL)."""
    return sqlalchemy.create_engine(PG_URL) if engine.dialect.name == "postgresql" else engine


def test_connecting_twice_to_a_store_keeps_its_content(engine, seed):
    store.save(engine, seed, "test")
    again = store.connect(_url(engine))
    try:
        assert store.counts(again) == {"releases": 1, "commitments": 5}
        with again.connect() as conn:
            assert schema.current_version(conn) == schema.SCHEMA_VERSION
    finally:
        again.dispose()


def test_a_store_with_a_newer_schema_version_is_refused_with_a_clear_error(engine, seed):
    store.save(engine, seed, "test")
    newer = schema.SCHEMA_VERSION + 1
    with engine.begin() as conn:
        conn.execute(
            update(schema.meta).where(schema.meta.c.key == "schema_version").values(value=str(newer))
        )
    with pytest.raises(StoreError) as info:
        store.connect(_url(engine))
    message = str(info.value)
    assert str(newer) in message
    assert "newer" in message
    assert "upgrade esgdata" in message
    # and refusing it did not touch it
    assert store.counts(engine) == {"releases": 1, "commitments": 5}


def test_a_url_that_is_not_a_database_url_is_a_store_error():
    with pytest.raises(StoreError, match="not a database URL"):
        store.connect("this is not a url")


def test_a_store_from_before_sources_is_upgraded_and_keeps_its_releases(engine, seed):
    """Step 5 adds the releases' url column and the sources tables to a version-4 store."""
    store.save(engine, seed, "test")
    with _owner(engine).begin() as conn:  # make it what a version-4 store looks like
        conn.execute(sqlalchemy.text("DROP TABLE fetched_pages"))
        conn.execute(sqlalchemy.text("DROP TABLE sources"))
        conn.execute(sqlalchemy.text("ALTER TABLE releases DROP COLUMN url"))
        conn.execute(update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="4"))
    again = store.connect(_url(engine), owner_url=PG_URL if engine.dialect.name == "postgresql" else "")
    try:
        (row,) = store.release_rows(again)
        assert row["source_file"] == seed.release.source_file and row["url"] == ""
        assert store.source_rows(again) == []
        with again.connect() as conn:
            assert schema.current_version(conn) == schema.SCHEMA_VERSION
    finally:
        again.dispose()
