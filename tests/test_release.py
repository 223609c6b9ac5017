"""From a document's text to a Release: header, title, date, paragraphs, language, organisation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from esgdata import readers
from esgdata.extraction.pipeline import extract
from esgdata.models import Document
from esgdata.readers.release import detect_language, parse_release

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"  # read only through the ``shared`` fixture, which skips without it
LIMIT = 20_000_000


def release_of(text: str, *, fmt: str = "txt", organization: str | None = None, **meta: str):
    doc = Document("release.txt", fmt, text, "hash", **meta)
    return parse_release(doc, organization=organization)


def no_date_warning(warnings: tuple[str, ...]) -> bool:
    return any("no date" in w for w in warnings)


# --- header ---------------------------------------------------------------------------------


def test_the_english_source_and_date_line_is_the_header() -> None:
    release = release_of(
        "CECEP Pledges Net Zero by 2050\n\n"
        "Source: CECEP News     Date: 2023-02-17\n\n"
        "CECEP will reach net zero by 2050.\n\n"
        "It has always insisted on green development."
    )
    assert release.title == "CECEP Pledges Net Zero by 2050"
    assert release.source == "CECEP News"
    assert release.date == "2023-02-17"
    assert release.paragraphs == (
        "CECEP will reach net zero by 2050.",
        "It has always insisted on green development.",
    )
    assert release.warnings == ()


@pytest.mark.parametrize(
    ("header", "source", "date"),
    [
        ("来源：中国节能　发布时间：2023年4月21日", "中国节能", "2023-04-21"),
        ("发布日期：2021年12月10日　来源：中国宝武报", "中国宝武报", "2021-12-10"),
        ("來源：中國節能　發布時間：2023年4月21日", "中國節能", "2023-04-21"),
        ("来源: 新华网  发布时间: 2023-04-21 10:30", "新华网", "2023-04-21"),
    ],
)
def test_the_chinese_source_and_date_line_is_the_header(header: str, source: str, date: str) -> None:
    release = release_of(
        f"中国节能召开绿色发展大会\n\n{header}\n\n中国节能环保集团有限公司在北京召开绿色发展大会。"
    )
    assert release.title == "中国节能召开绿色发展大会"
    assert (release.source, release.date) == (source, date)
    assert release.paragraphs == ("中国节能环保集团有限公司在北京召开绿色发展大会。",)


@pytest.mark.parametrize(
    "header",
    ["Source: Xinhua | Date: 2023/2/17", "Date: February 17, 2023", "Source:  Date: 17 Feb 2023"],
)
def test_header_dates_in_any_written_form_are_read(header: str) -> None:
    release = release_of(f"Wind Farm Opens\n\n{header}\n\nThe wind farm opened.")
    assert release.date == "2023-02-17"
    assert release.paragraphs == ("The wind farm opened.",)


def test_a_header_without_a_date_keeps_the_date_empty_and_warns() -> None:
    release = release_of(
        "CECEP Pledges Net Zero by 2050\n\n"
        "Source: CECEP News     Date: \n\n"
        "BEIJING, Feb. 17, 2023 -- CECEP will reach net zero by 2050.\n\n"
        "The plan was adopted on March 1, 2023."
    )
    assert release.date == "", "a date in the body is not the release date"
    assert no_date_warning(release.warnings)
    assert release.source == "CECEP News"


def test_a_header_date_that_cannot_be_read_is_kept_empty_with_a_warning_quoting_it() -> None:
    release = release_of(
        "Wind Farm Opens\n\nSource: Xinhua     Date: spring 2023\n\n"
        "The wind farm opened on February 17, 2023."
    )
    assert release.date == ""
    assert any("spring 2023" in w for w in release.warnings)


# --- no header ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        (
            "CECEP Pledges Net Zero by 2050\n\n"
            "BEIJING, Feb. 17, 2023 (Xinhua) -- China Energy Conservation and Environmental "
            "Protection Group will reach net zero by 2050, its chairman said on Friday.\n\n"
            "It has always insisted on green development.",
            "2023-02-17",
        ),
        (
            "中国节能召开绿色发展大会\n\n"
            "新华社北京2023年4月21日电 中国节能环保集团有限公司在北京召开绿色发展大会，"
            "集团党委书记、董事长宋鑫出席会议并讲话。\n\n宋鑫强调，中国节能要始终坚持绿色发展。",
            "2023-04-21",
        ),
        (
            "CECEP Pledges Net Zero by 2050\n\n2023-02-17\n\nCECEP will reach net zero by 2050.",
            "2023-02-17",
        ),
    ],
)
def test_plain_text_without_a_header_takes_the_dateline_date(text: str, date: str) -> None:
    release = release_of(text)
    assert release.date == date
    assert not no_date_warning(release.warnings)


def test_a_release_that_opens_with_a_short_dateline_sentence_keeps_its_date() -> None:
    """No title line: the dateline sentence is body text, and its date is the release date."""
    release = release_of(
        "BEIJING, Feb. 17, 2023 (Xinhua) -- CECEP will reach net zero by 2050, its chairman "
        "said.\n\nIt has always insisted on green development."
    )
    assert release.date == "2023-02-17"


def test_a_date_later_in_the_body_is_not_the_release_date() -> None:
    body = "The group met in Beijing. " * 10 + "The plan was adopted on February 17, 2023."
    release = release_of(f"Wind Farm Opens\n\n{body}")
    assert release.date == ""
    assert no_date_warning(release.warnings)


def test_a_date_from_the_file_metadata_is_used_when_there_is_no_header() -> None:
    release = release_of(
        "The wind farm opened.\n\nIt will supply power.",
        meta_title="Wind Farm Opens",
        meta_date="2023-02-17T08:00:00+08:00",
    )
    assert (release.title, release.date) == ("Wind Farm Opens", "2023-02-17")


# --- title and paragraphs -------------------------------------------------------------------


def test_a_short_first_line_is_the_title() -> None:
    release = release_of(
        "Song Xin Attends the ESG Seminar\n\nSong Xin attended the seminar. He made a speech."
    )
    assert release.title == "Song Xin Attends the ESG Seminar"
    assert release.paragraphs == ("Song Xin attended the seminar. He made a speech.",)


def test_a_long_first_paragraph_is_body_text_not_a_title() -> None:
    first = (
        "China Energy Conservation and Environmental Protection Group will reach net zero "
        "carbon emissions across all its operations by 2050, its chairman said on Friday at a "
        "meeting in Beijing attended by officials from many central enterprises and ministries."
    )
    release = release_of(f"{first}\n\nIt has always insisted on green development.")
    assert release.title == ""
    assert release.paragraphs[0] == first
    assert any("title" in w for w in release.warnings)


def test_the_metadata_title_wins_and_a_repeated_title_is_not_body_text() -> None:
    release = release_of(
        "Wind Farm Opens\n\nThe wind farm opened.", fmt="html", meta_title="Wind  Farm\nOpens"
    )
    assert release.title == "Wind Farm Opens"
    assert release.paragraphs == ("The wind farm opened.",)


@pytest.mark.parametrize(
    ("text", "paragraph"),
    [
        (
            "Wind Farm Opens\n\nSource: x     Date: 2023-01-01\n\n"
            "CECEP will reach net zero carbon emissions across all of its operations\n"
            "by 2050, with an intermediate goal of peaking emissions by 2028, the\n"
            "group said.",
            "CECEP will reach net zero carbon emissions across all of its operations by 2050, "
            "with an intermediate goal of peaking emissions by 2028, the group said.",
        ),
        (
            "Wind Farm Opens\r\n\r\nSource: x   Date: 2023-01-01\r\n\r\nLine one\r\nline two.\r\n",
            "Line one line two.",
        ),
        (
            "中国节能召开绿色发展大会\n\n来源：中国节能　发布时间：2023年4月21日\n\n"
            "中国节能环保集团有限公司在北京召开\n绿色发展大会，集团党委书记、董事长宋鑫\n出席会议并讲话。",
            "中国节能环保集团有限公司在北京召开绿色发展大会，集团党委书记、董事长宋鑫出席会议并讲话。",
        ),
    ],
    ids=["english", "windows line ends", "chinese"],
)
def test_hard_wrapped_paragraphs_are_rejoined(text: str, paragraph: str) -> None:
    assert release_of(text).paragraphs == (paragraph,)


def test_the_body_is_the_paragraphs_joined_by_blank_lines() -> None:
    release = release_of("Title\n\nSource: x Date: 2023-01-01\n\nOne.\n\n\n\nTwo.\n\n  \n\nThree.")
    assert release.paragraphs == ("One.", "Two.", "Three.")
    assert release.body == "One.\n\nTwo.\n\nThree."


def test_a_byte_order_mark_is_not_part_of_the_title() -> None:
    release = release_of("\ufeffWind Farm Opens\n\nSource: x  Date: 2023-01-01\n\nBody.")
    assert release.title == "Wind Farm Opens"


# --- language and organisation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("CECEP will reach net zero by 2050.", "en"),
        ("中国节能将力争到2030年实现碳达峰。", "zh"),
        ("中國節能將力爭到2030年實現碳達峰。", "zh"),
        ("中国节能发布2023年ESG报告，CECEP ESG Report 2023", "zh"),
        ("CECEP said the Chinese word for ESG is 环境 social governance.", "en"),
    ],
)
def test_the_language_is_detected(text: str, language: str) -> None:
    assert detect_language(text) == language
    assert release_of(f"Title\n\n{text}").language == language


@pytest.mark.parametrize(
    ("text", "organization"),
    [
        ("CECEP Pledges Net Zero by 2050\n\nThe group will reach net zero.", "CECEP"),
        ("风电场投产\n\n中国节能下属风电场投产。中国节能表示将继续推进。", "CECEP"),
        ("中国节能召开绿色发展大会\n\n会议在北京召开。", "CECEP"),
        ("中國節能召開綠色發展大會\n\n會議在北京召開。", "CECEP"),
        (
            "Wind Farm Opens\n\nChina Energy Conservation and Environmental Protection Group "
            "opened the farm.",
            "CECEP",
        ),
    ],
    ids=["english title", "chinese body", "chinese title", "traditional chinese", "full name"],
)
def test_the_organisation_is_recognised_in_title_or_opening(text: str, organization: str) -> None:
    assert extract(release_of(text)).release.organization == organization


def test_the_organisation_named_in_the_title_wins_over_the_body() -> None:
    release = extract(release_of("Sinopec Signs a Deal\n\nCECEP and CECEP and CECEP met Sinopec.")).release
    assert release.organization == "Sinopec"


def test_the_organization_option_overrides_detection() -> None:
    release = release_of("CECEP Pledges Net Zero by 2050\n\nCECEP will reach net zero.", organization="SASAC")
    assert extract(release).release.organization == "SASAC"


# --- the shared corpus and its gold annotations ---------------------------------------------


def _gold_rows() -> list[tuple[str, str]]:
    """(folder, file name) of every release with a gold annotation; seeds even without ../shared."""
    rows = [("seeds", "000_fab0cea01f7ba7df.txt")]  # the seed release's gold is seed.jsonl
    for gold in sorted((SHARED / "eval" / "gold").glob("*.jsonl")):
        if gold.stem == "seed":
            continue
        folder = "corpus/" + gold.stem.split("-")[0]
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append((folder, json.loads(line)["source_file"]))
    return rows


def _gold(shared: Path, folder: str, name: str) -> dict[str, object]:
    pattern = "seed.jsonl" if folder == "seeds" else folder.split("/")[1] + "-*.jsonl"
    for gold in sorted((shared / "eval" / "gold").glob(pattern)):
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line)["source_file"] == name:
                return json.loads(line)
    pytest.fail(f"{name} has no gold annotation under {shared / 'eval' / 'gold'}")


def _path(shared: Path, folder: str, name: str) -> Path:
    return SEEDS / name if folder == "seeds" else shared / folder / name


@pytest.mark.parametrize(("folder", "name"), _gold_rows(), ids="/".join)
def test_date_and_title_match_the_gold_annotation(shared: Path, folder: str, name: str) -> None:
    gold = _gold(shared, folder, name)
    release = parse_release(readers.read(_path(shared, folder, name), max_bytes=LIMIT))
    assert release.date == gold["release_date"]
    assert release.title == gold["release_title"]


def _corpus_files() -> list[Path]:
    files = [p for p in sorted(SEEDS.iterdir()) if p.is_file()]
    for folder in ("en", "zh"):
        directory = SHARED / "corpus" / folder
        if directory.is_dir():
            files += [p for p in sorted(directory.iterdir()) if p.is_file()]
    return files


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_release_parses_with_a_title_body_and_well_formed_date(
    request: pytest.FixtureRequest, path: Path
) -> None:
    if SHARED in path.parents:
        request.getfixturevalue("shared")  # skips cleanly without ../shared
    release = parse_release(readers.read(path, max_bytes=LIMIT))
    assert release.title
    assert release.paragraphs
    if path.parent.name == "seeds":  # sample releases in both languages: most characters tell
        text = path.read_text(encoding="utf-8")
        expected_language = "zh" if sum("\u4e00" <= c <= "\u9fff" for c in text) > len(text) / 3 else "en"
    else:
        expected_language = path.parent.name
    assert release.language == expected_language
    if release.date:
        assert dt.date.fromisoformat(release.date).isoformat() == release.date
    else:
        assert no_date_warning(release.warnings)
