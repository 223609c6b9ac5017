"""Ingest: good files stored, each bad file reported with its name and reason, nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from esgdata import ingest, store, users
from esgdata.models import Extraction, Failure

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_fab0cea01f7ba7df.txt"
MAX_BYTES = 8_000  # the good files are well under it; big.txt is over it

EN = """\
State Grid Sets Out Its Clean Power Plan

Source: State Grid     Date: 2024-05-10

State Grid aims to raise the share of clean power in its grid to 60 percent by 2030. The company \
has always insisted on putting work safety first.
"""

ZH = """\
中国节能召开2024年工作会议

来源：中国节能     日期：2024-01-18

董事长宋鑫在会上强调，中国节能将力争2028年前实现碳达峰。他表示，公司始终坚持把安全生产放在首位。
"""

# Bytes as in a PNG image: NUL bytes at odd and even offsets, as in any real binary file.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
    b"\x5c\x72\xa8\x66\x00\x00\x00\x04sBIT\x08\x08\x08\x08|\x08d\x88" * 8
)

GOOD = {"a_seed.txt": None, "b_grid.txt": EN, "c_zh.txt": ZH, "d_notes.md": "# Notes\n\n" + EN}


def _write_good(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in GOOD.items():
        if text is None:
            shutil.copy(SEED, folder / name)
        else:
            (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder of good files and one of each kind of bad file."""
    folder = tmp_path / "releases"
    _write_good(folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blob.txt").write_bytes(PNG)
    (folder / "big.txt").write_text("Big Release\n\n" + "The company will grow. " * 1000)
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04 not a release")
    return folder


def test_good_files_are_stored_and_each_bad_one_is_reported_with_its_reason(engine, mixed):
    report = ingest.ingest(engine, users.operator(), [mixed], max_bytes=MAX_BYTES, jobs=1)
    assert report.added == len(GOOD)
    assert sorted(r["source_file"] for r in store.release_rows(engine)) == sorted(GOOD)
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert set(reasons) == {"empty.txt", "blob.txt", "big.txt"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["blob.txt"]
    assert "limit" in reasons["big.txt"] and "MB" in reasons["big.txt"]
    assert [Path(p).name for p in report.skipped] == ["sheet.xlsx"]


def test_no_file_of_a_folder_is_lost(engine, mixed):
    report = ingest.ingest(engine, users.operator(), [mixed], max_bytes=MAX_BYTES, jobs=1)
    files = [p for p in mixed.iterdir() if p.is_file()]
    assert report.releases + len(report.failed) + len(report.skipped) == len(files)
    assert report.commitments == store.counts(engine)["commitments"] > 0


def test_an_unsupported_file_given_by_name_fails_naming_the_supported_formats(engine, mixed):
    report = ingest.ingest(engine, users.operator(), [mixed / "sheet.xlsx"], max_bytes=MAX_BYTES, jobs=1)
    (failure,) = report.failed
    assert Path(failure.path).name == "sheet.xlsx"
    assert "unsupported format" in failure.reason
    assert ".txt" in failure.reason and ".pdf" in failure.reason


def test_a_path_that_does_not_exist_is_reported(engine, tmp_path):
    report = ingest.ingest(engine, users.operator(), [tmp_path / "missing.txt"], max_bytes=MAX_BYTES, jobs=1)
    (failure,) = report.failed
    assert failure.path.endswith("missing.txt")
    assert "no such file" in failure.reason


def test_ingesting_the_same_files_again_changes_nothing(engine, mixed):
    first = ingest.ingest(engine, users.operator(), [mixed], max_bytes=MAX_BYTES, jobs=1)
    rows, revision = store.commitment_rows(engine), store.revision(engine)
    again = ingest.ingest(engine, users.operator(), [mixed], max_bytes=MAX_BYTES, jobs=1)
    assert again.unchanged == first.added == len(GOOD)
    assert again.added == again.updated == 0
    assert store.commitment_rows(engine) == rows
    assert store.revision(engine) == revision


def test_a_changed_file_is_updated_on_the_next_ingest(engine, tmp_path):
    folder = tmp_path / "r"
    _write_good(folder)
    ingest.ingest(engine, users.operator(), [folder], max_bytes=MAX_BYTES, jobs=1)
    (folder / "b_grid.txt").write_text(EN.replace("60 percent", "70 percent"), encoding="utf-8")
    report = ingest.ingest(engine, users.operator(), [folder], max_bytes=MAX_BYTES, jobs=1)
    assert (report.updated, report.unchanged, report.added) == (1, len(GOOD) - 1, 0)
    texts = [r["text"] for r in store.commitment_rows(engine) if r["source_file"] == "b_grid.txt"]
    assert any("70 percent" in t for t in texts)
    assert not any("60 percent" in t for t in texts)


def test_the_same_name_in_two_folders_with_different_content_is_a_failure(engine, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "release.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "b" / "release.txt").write_text(ZH, encoding="utf-8")
    report = ingest.ingest(
        engine, users.operator(), [tmp_path / "a", tmp_path / "b"], max_bytes=MAX_BYTES, jobs=1
    )
    assert report.added == 1
    (failure,) = report.failed
    assert Path(failure.path).name == "release.txt"
    assert "same name" in failure.reason
    (row,) = store.release_rows(engine)
    assert row["release_title"] == "State Grid Sets Out Its Clean Power Plan"  # the first one won


def test_the_same_file_given_twice_is_not_a_failure(engine, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "release.txt").write_text(EN, encoding="utf-8")
    path = tmp_path / "a" / "release.txt"
    report = ingest.ingest(engine, users.operator(), [path, path], max_bytes=MAX_BYTES, jobs=1)
    assert report.failed == []
    assert (report.added, report.unchanged) == (1, 1)


def _ingested_rows(url: str, folder: Path, jobs: int) -> tuple[list[dict], list[dict]]:
    eng = store.connect(url)
    try:
        ingest.ingest(eng, users.operator(), [folder], max_bytes=MAX_BYTES, jobs=jobs)
        releases = [{k: v for k, v in r.items() if k != "ingested_at"} for r in store.release_rows(eng)]
        return store.commitment_rows(eng), releases
    finally:
        eng.dispose()


def test_results_are_the_same_with_one_worker_or_two(tmp_path, mixed):
    one = _ingested_rows(f"sqlite:///{tmp_path / 'one.db'}", mixed, jobs=1)
    two = _ingested_rows(f"sqlite:///{tmp_path / 'two.db'}", mixed, jobs=2)
    assert one[0]
    assert one == two


def test_a_report_with_two_workers_matches_one_worker(tmp_path, mixed):
    reports = []
    for jobs in (1, 2):
        eng = store.connect(f"sqlite:///{tmp_path / f'{jobs}.db'}")
        report = ingest.ingest(eng, users.operator(), [mixed], max_bytes=MAX_BYTES, jobs=jobs)
        reports.append((report.added, report.commitments, sorted(f.path for f in report.failed)))
        eng.dispose()
    assert reports[0] == reports[1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_extract_files_yields_results_in_input_order(tmp_path, jobs):
    folder = tmp_path / "in"
    _write_good(folder)
    (folder / "empty.txt").write_bytes(b"")
    order = ["d_notes.md", "empty.txt", "c_zh.txt", "a_seed.txt", "b_grid.txt"]
    paths = [folder / name for name in order] + [tmp_path / "missing.txt"]
    results = list(ingest.extract_files(paths, max_bytes=MAX_BYTES, jobs=jobs))
    names = [r.release.source_file if isinstance(r, Extraction) else Path(r.path).name for r in results]
    assert names == [*order, "missing.txt"]
    assert isinstance(results[1], Failure) and isinstance(results[-1], Failure)


def test_extract_files_streams_its_input(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"r{i:02}.txt").write_text(EN, encoding="utf-8")
    consumed: list[Path] = []

    def paths():
        for p in sorted(folder.iterdir()):
            consumed.append(p)
            yield p

    results = ingest.extract_files(paths(), max_bytes=MAX_BYTES, jobs=1)
    first = next(results)
    assert isinstance(first, Extraction) and first.release.source_file == "r00.txt"
    assert len(consumed) == 1  # the first result came before the rest was read
    assert len(list(results)) == 29


def test_extract_files_with_workers_keeps_a_bounded_number_of_files_in_flight(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        (folder / f"r{i:02}.txt").write_text(EN, encoding="utf-8")
    consumed: list[Path] = []

    def paths():
        for p in sorted(folder.iterdir()):
            consumed.append(p)
            yield p

    results = ingest.extract_files(paths(), max_bytes=MAX_BYTES, jobs=2)
    first = next(results)
    assert first.release.source_file == "r00.txt"
    assert len(consumed) < 40
    rest = list(results)
    assert [r.release.source_file for r in rest] == [f"r{i:02}.txt" for i in range(1, 40)]


def test_a_database_error_on_one_release_is_reported_and_the_rest_are_stored(
    engine: Engine, tmp_path, monkeypatch
):
    folder = tmp_path / "r"
    _write_good(folder)
    original = store.save

    def flaky(eng, x, actor):
        if x.release.source_file == "b_grid.txt":
            raise RuntimeError("connection lost")
        return original(eng, x, actor)

    monkeypatch.setattr(store, "save", flaky)
    report = ingest.ingest(engine, users.operator(), [folder], max_bytes=MAX_BYTES, jobs=1)
    (failure,) = report.failed
    assert failure.path == "b_grid.txt"
    assert "connection lost" in failure.reason
    assert report.added == len(GOOD) - 1
    assert "b_grid.txt" not in {r["source_file"] for r in store.release_rows(engine)}
