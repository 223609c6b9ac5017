"""Chinese releases end to end: legacy encodings, Traditional script, headers, a mixed-language ingest."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from esgdata import export, store, users
from esgdata.extraction.pipeline import extract
from esgdata.ingest import ingest
from esgdata.models import Document
from esgdata.readers import read
from esgdata.readers.release import parse_release

SIMPLIFIED = """中国节能召开2024年度ESG工作推进会

来源：集团办公室　　发布时间：二〇二四年三月五日

3月4日，中国节能召开ESG工作推进会，集团公司董事长宋鑫出席会议并讲话。

宋鑫指出，中国节能始终坚持把ESG理念融入公司治理全过程。他强调，下一步，集团将力争到2028年实现碳达峰，一是要加强风险防控，二是要推进乡村振兴，三是要深化国企改革。

与会人员参观了展厅。
"""

TRADITIONAL = """中國節能發布碳達峰行動方案

來源：中國節能　　發布時間：2024年3月6日

中國節能將力爭2028年前實現碳達峰，2060年前實現碳中和。

中國節能始終堅持綠色發展，持續推進生態環境保護。
"""

ENGLISH = """CECEP Sets Out Its Carbon Peak Plan

Source: CECEP     Date: March 7, 2024

CECEP will peak its carbon emissions by 2028 and reach carbon neutrality before 2060.

CECEP attended an exhibition in Beijing.
"""


def _extract(text: str, name: str = "release.txt"):
    doc = Document(name, "txt", text, "hash")
    return extract(parse_release(doc))


def test_a_chinese_header_gives_source_and_a_date_written_in_chinese_numerals() -> None:
    release = extract(parse_release(Document("a.txt", "txt", SIMPLIFIED, "h"))).release
    assert release.language == "zh"
    assert release.date == "2024-03-05"
    assert release.source == "集团办公室"
    assert release.title == "中国节能召开2024年度ESG工作推进会"
    assert release.organization == "CECEP"


def test_a_chinese_speech_gives_one_commitment_per_enumerated_item_with_its_speaker() -> None:
    found = _extract(SIMPLIFIED).commitments
    texts = [c.text for c in found]
    assert any(t.startswith("一是要加强风险防控") for t in texts)
    assert any(t.startswith("二是要推进乡村振兴") for t in texts)
    assert any(t.startswith("三是要深化国企改革") for t in texts)
    items = {c.text[:2]: c for c in found if c.text[:2] in {"一是", "二是", "三是"}}
    assert {c.kind for c in items.values()} == {"pledge"}
    assert "risk_compliance" in items["一是"].themes
    assert "rural" in items["二是"].themes
    assert "governance" in items["三是"].themes
    assert {c.speaker for c in found} == {"宋鑫"}


def test_chinese_practice_target_and_non_commitments_are_told_apart() -> None:
    found = _extract(SIMPLIFIED).commitments

    def kind_of(opening: str) -> str:
        return next(c.kind for c in found if c.text.startswith(opening))

    assert kind_of("宋鑫指出，中国节能始终坚持") == "practice"
    assert kind_of("他强调，下一步，集团将力争") == "target", "a lead-in that commits on its own counts"
    assert not any("出席会议" in c.text for c in found), "attending a meeting commits to nothing"
    assert not any("参观" in c.text for c in found)


def test_traditional_chinese_is_matched_by_the_simplified_lexicons_and_kept_verbatim() -> None:
    x = _extract(TRADITIONAL)
    target = next(c for c in x.commitments if c.kind == "target")
    assert target.target_years == (2028, 2060)
    assert "climate" in target.themes
    assert target.text == x.release.body[target.start : target.end]
    assert "實現碳達峰" in target.text  # the release's own script, not a converted copy
    practice = next(c for c in x.commitments if c.kind == "practice")
    assert "ecology" in practice.themes


def test_a_mixed_folder_of_english_and_legacy_encoded_chinese_releases_ingests_in_one_run(
    tmp_path: Path, engine
) -> None:
    folder = tmp_path / "releases"
    folder.mkdir()
    (folder / "gbk.txt").write_bytes(SIMPLIFIED.encode("gbk"))
    (folder / "big5.txt").write_bytes(TRADITIONAL.encode("big5"))
    (folder / "english.txt").write_bytes(ENGLISH.encode("cp1252"))
    report = ingest(engine, users.operator(), [folder], max_bytes=10**6, jobs=2)
    assert report.failed == [] and report.added == 3
    releases = {r["source_file"]: r for r in store.release_rows(engine)}
    assert {name: r["language"] for name, r in releases.items()} == {
        "gbk.txt": "zh",
        "big5.txt": "zh",
        "english.txt": "en",
    }
    assert releases["big5.txt"]["release_title"] == "中國節能發布碳達峰行動方案"
    rows = store.commitment_rows(engine)
    assert {r["source_file"] for r in rows} == {"gbk.txt", "big5.txt", "english.txt"}


def test_the_csv_keeps_chinese_text_intact_behind_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "big5.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    x = extract(parse_release(read(path, max_bytes=10**6)))
    commitments, releases = export.records([x])
    out_commitments, _ = export.write(tmp_path / "out", commitments, releases)
    raw = out_commitments.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows and all(r["text"] in x.release.body for r in rows)
    assert any("碳達峰" in r["text"] for r in rows)
