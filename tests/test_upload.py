"""Uploads and the bundled seeds, as the dashboard uses them: files stay inside the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED

from esgdata import store, users
from esgdata.errors import EsgDataError, ReadError
from esgdata.ingest import ingest_upload, load_seeds, safe_upload_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\x\\release.pdf", "release.pdf"),
        (".hidden.md", "hidden.md"),
        ("中国节能 新闻.html", "中国节能 新闻.html"),
        ("<script>alert(1)</script>.txt", "script_.txt"),  # "/" separates folders
        ("a/b/../../c.docx", "c.docx"),
    ],
)
def test_an_uploaded_name_never_becomes_a_path_outside_the_uploads_folder(name: str, expected: str) -> None:
    assert safe_upload_name(name) == expected


@pytest.mark.parametrize("name", ["", "..", "program.exe", "noextension", "../.txt"])
def test_a_name_that_cannot_be_a_release_is_refused(name: str) -> None:
    with pytest.raises(ReadError, match="not a usable file name"):
        safe_upload_name(name)


def test_an_upload_is_kept_under_data_uploads_and_ingested(engine, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    report = ingest_upload(
        engine,
        users.operator(),
        "../../evil/" + SEED.name,
        SEED.read_bytes(),
        data_dir=data_dir,
        max_bytes=10**6,
    )
    assert report.failed == [] and report.added == 1
    assert (data_dir / "uploads" / SEED.name).read_bytes() == SEED.read_bytes()
    assert not (tmp_path / "evil").exists()
    assert store.counts(engine) == {"releases": 1, "commitments": 5}


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("big.txt", b"x" * 2000, "limit"),
        ("broken.pdf", b"%PDF-1.4 truncated", "PDF"),
        ("tool.exe", b"MZ", "file name"),
    ],
)
def test_a_bad_upload_is_reported_and_leaves_the_store_and_the_disk_unchanged(
    engine, tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    revision = store.revision(engine)
    report = ingest_upload(engine, users.operator(), name, data, data_dir=tmp_path / "data", max_bytes=1000)
    assert len(report.failed) == 1 and report.failed[0].path == name and reason in report.failed[0].reason
    assert store.counts(engine)["releases"] == 0 and store.revision(engine) == revision
    assert not (tmp_path / "data" / "uploads").exists() or not any((tmp_path / "data" / "uploads").iterdir())


def test_the_seeds_load_into_an_empty_store_once(engine) -> None:
    first = load_seeds(engine, users.operator())
    assert first.added >= 1 and first.failed == []
    again = load_seeds(engine, users.operator())
    assert again.added == 0 and again.unchanged == first.added


def test_a_missing_seeds_folder_says_which_setting_to_fix(engine, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ESGDATA_SEEDS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(EsgDataError, match="ESGDATA_SEEDS_DIR"):
        load_seeds(engine, users.operator())
