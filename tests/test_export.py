"""The CSV export (spec section 4): columns, encoding, lists, formulas, the golden file."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from conftest import SPEC_COMMITMENT_COLUMNS, SPEC_RELEASE_COLUMNS

from esgdata import export, ingest, store, users
from esgdata.analysis import threads
from esgdata.extraction.pipeline import extract
from esgdata.models import Extraction
from esgdata.readers import read
from esgdata.readers.release import parse_release

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_fab0cea01f7ba7df.txt"
GOLDEN = Path(__file__).resolve().parent / "golden" / "seed_commitments.csv"
MAX_BYTES = 10 * 1024 * 1024


ZH = """\
中国节能召开2024年工作会议

来源：中国节能     日期：2024-01-18

董事长宋鑫在会上强调，中国节能将力争2028年前实现碳达峰。他表示，公司始终坚持把安全生产放在首位。
"""

EN_TARGETS = """\
State Grid Sets Out Its Clean Power Plan

Source: State Grid     Date: 2024-05-10

State Grid aims to raise the share of clean power to 60 percent by 2030 and to reach carbon \
neutrality by 2060.
"""


def _extract(path: Path) -> Extraction:
    return extract(parse_release(read(path, max_bytes=MAX_BYTES)))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


def _write_release(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture
def seed_export(tmp_path: Path) -> tuple[Path, Path]:
    commitments, releases = export.records([_extract(SEED)])
    return export.write(tmp_path / "out", commitments, releases)


# ---------------------------------------------------------------- the golden file


def _spec_view(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    # Themes compared as a set: their order is checked by test_extract's determinism test.
    return [
        {k: (";".join(sorted(r[k].split(";"))) if k == "themes" else r[k]) for k in SPEC_COMMITMENT_COLUMNS}
        for r in rows
    ]


def test_the_seed_export_matches_the_golden_file(seed_export):
    if os.environ.get("ESGDATA_UPDATE_GOLDEN") == "1":  # after retraining: review the diff, then commit it
        rows = [{k: r[k] for k in SPEC_COMMITMENT_COLUMNS} for r in _read_csv(seed_export[0])]
        with GOLDEN.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=SPEC_COMMITMENT_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    assert _spec_view(_read_csv(seed_export[0])) == _spec_view(_read_csv(GOLDEN))


def test_the_golden_file_has_the_spec_columns_only():
    assert _header(GOLDEN) == SPEC_COMMITMENT_COLUMNS


# ---------------------------------------------------------------- format


def test_both_files_start_with_a_utf8_byte_order_mark(seed_export):
    for path in seed_export:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_files_are_named_as_the_spec_says(seed_export):
    assert [p.name for p in seed_export] == ["commitments.csv", "releases.csv"]


def test_commitments_csv_has_the_spec_columns_first_and_in_order(seed_export):
    header = _header(seed_export[0])
    assert header[: len(SPEC_COMMITMENT_COLUMNS)] == SPEC_COMMITMENT_COLUMNS
    assert len(header) == len(set(header))


def test_releases_csv_has_the_spec_columns_first_and_in_order(seed_export):
    header = _header(seed_export[1])
    assert header[: len(SPEC_RELEASE_COLUMNS)] == SPEC_RELEASE_COLUMNS
    (row,) = _read_csv(seed_export[1])
    assert row["source_file"] == SEED.name
    assert row["language"] == "en"
    assert row["organization"] == "CECEP"
    assert row["commitments"] == "5"


def test_every_text_cell_is_a_substring_of_the_release_body(seed_export):
    body = _extract(SEED).release.body
    for row in _read_csv(seed_export[0]):
        assert row["text"] in body


def test_lists_are_joined_with_semicolons(tmp_path):
    x = _extract(_write_release(tmp_path, "grid.txt", EN_TARGETS))
    commitments, releases = export.records([x])
    paths = export.write(tmp_path / "out", commitments, releases)
    (row,) = _read_csv(paths[0])
    assert row["kind"] == "target"
    assert row["target_years"] == "2030;2060"
    assert set(row["themes"].split(";")) == {"energy", "climate"}
    assert row["pillars"] == "E"
    seed_rows = _read_csv(export.write(tmp_path / "seed", *export.records([_extract(SEED)]))[0])
    assert seed_rows[0]["pillars"] == "E;S;G"


def test_confidence_is_a_number_between_zero_and_one(seed_export):
    for row in _read_csv(seed_export[0]):
        assert 0 <= float(row["confidence"]) <= 1


@pytest.mark.parametrize("value", ["=SUM(A1:A9)", "+1234", "-5% by 2030", "@cmd", "\tindented", "\rreturn"])
def test_formula_like_cells_are_neutralised(value):
    assert export.neutralize(value) == "'" + value
    text = export.to_csv([{"text": value, "kind": "pledge"}], ["text", "kind"])
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[0]["text"] == "'" + value
    assert rows[0]["kind"] == "pledge"


@pytest.mark.parametrize("value", ["CECEP will peak emissions", "2028", "E;G", "", "a=b", "中国节能"])
def test_ordinary_cells_are_left_alone(value):
    assert export.neutralize(value) == value


def test_a_release_title_that_looks_like_a_formula_is_neutralised_in_both_files(tmp_path):
    text = EN_TARGETS.replace("State Grid Sets Out Its Clean Power Plan", '=HYPERLINK("x") Plan')
    x = _extract(_write_release(tmp_path, "formula.txt", text))
    assert x.release.title.startswith("=")
    paths = export.write(tmp_path / "out", *export.records([x]))
    for path in paths:
        for row in _read_csv(path):
            assert row["release_title"].startswith("'=")


def test_chinese_text_survives_a_round_trip_through_the_csv(tmp_path):
    x = _extract(_write_release(tmp_path, "zh.txt", ZH))
    assert x.commitments
    paths = export.write(tmp_path / "out", *export.records([x]))
    rows = _read_csv(paths[0])
    assert [r["text"] for r in rows] == [c.text for c in x.commitments]
    assert {r["speaker"] for r in rows} == {"宋鑫"}
    (release,) = _read_csv(paths[1])
    assert release["release_title"] == "中国节能召开2024年工作会议"
    assert release["language"] == "zh"


def test_an_empty_export_still_has_its_header(tmp_path):
    paths = export.write(tmp_path / "out", [], [])
    assert _header(paths[0])[: len(SPEC_COMMITMENT_COLUMNS)] == SPEC_COMMITMENT_COLUMNS
    assert _read_csv(paths[0]) == []


# ---------------------------------------------------------------- extract and export agree


def _both_ways(tmp_path: Path, files: list[Path]) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    extractions = [_extract(p) for p in files]
    direct = export.write(
        tmp_path / "extracted", *threads.records(extractions)[:2]
    )  # as `esgdata extract` does
    engine = store.connect(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        report = ingest.ingest(engine, users.operator(), files, max_bytes=MAX_BYTES, jobs=1)
        assert report.failed == []
        stored = export.write(
            tmp_path / "exported", store.commitment_rows(engine), store.release_rows(engine)
        )
    finally:
        engine.dispose()
    return direct, stored


def test_extract_and_export_agree_on_the_spec_columns(tmp_path):
    files = [SEED, _write_release(tmp_path, "zh.txt", ZH)]
    direct, stored = _both_ways(tmp_path, files)
    for a, b in zip(direct, stored, strict=True):
        columns = SPEC_COMMITMENT_COLUMNS if a.name == "commitments.csv" else SPEC_RELEASE_COLUMNS
        rows_a = [{k: r[k] for k in columns} for r in _read_csv(a)]
        rows_b = [{k: r[k] for k in columns} for r in _read_csv(b)]
        assert rows_a == rows_b


def test_the_csv_of_extract_is_the_csv_of_export_for_the_same_release(tmp_path):
    # One CSV format whichever command wrote it: 'esgdata extract' and 'esgdata export'.
    direct, stored = _both_ways(tmp_path, [SEED])
    assert _header(direct[0]) == _header(stored[0])
    for a, b in zip(_read_csv(direct[0]), _read_csv(stored[0]), strict=True):
        assert a == b
    assert direct[1].read_bytes() == stored[1].read_bytes()
    assert direct[0].read_bytes() == stored[0].read_bytes()
