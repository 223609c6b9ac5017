"""Every supported format through ``readers.read`` and ``readers.read_bytes``, and bad input."""

from __future__ import annotations

import random
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from esgdata import readers
from esgdata.errors import ReadError, UnsupportedFormat
from esgdata.models import Document
from esgdata.readers.release import parse_release

LIMIT = 20_000_000

EN_TITLE = "CECEP Pledges Net Zero by 2050"
EN_PARAGRAPHS = [
    "China Energy Conservation and Environmental Protection Group (CECEP) announced on Friday "
    "that it will reach net zero carbon emissions across its operations by 2050.",
    "Song Xin, Chairman of CECEP, said the group has always insisted on integrating ESG "
    "principles into every aspect of its business.",
    "The company also plans to expand its wind and solar capacity over the next five years, "
    "while training its employees in low-carbon operations.",
]
ZH_TITLE = "中国节能召开绿色发展大会"
ZH_PARAGRAPHS = [
    "4月21日，中国节能环保集团有限公司在北京召开绿色发展大会，集团党委书记、董事长宋鑫出席会议并讲话。",
    "宋鑫强调，中国节能要始终坚持生态优先、绿色发展，一是要加强科技创新，二是要服务国家战略。",
    "会议指出，集团将全面推进碳达峰碳中和工作，力争到2030年实现碳达峰，为建设美丽中国作出新的更大贡献。",
]


def read(path: Path, max_bytes: int = LIMIT) -> Document:
    return readers.read(path, max_bytes=max_bytes)


def squash(text: str) -> str:
    """Text without any white space, to compare extracted text whatever its line breaks."""
    return "".join(text.split())


# --- plain text ----------------------------------------------------------------------------


def test_a_text_file_in_the_spec_header_form_is_read_whole(tmp_path: Path) -> None:
    source = f"{EN_TITLE}\n\nSource: CECEP News     Date: 2023-02-17\n\n" + "\n\n".join(EN_PARAGRAPHS)
    path = tmp_path / "cecep-net-zero.txt"
    path.write_text(source, encoding="utf-8")
    doc = read(path)
    assert doc.format == "txt"
    assert doc.source_file == "cecep-net-zero.txt"
    assert doc.text.strip() == source
    release = parse_release(doc)
    assert (release.title, release.date, release.source) == (EN_TITLE, "2023-02-17", "CECEP News")
    assert list(release.paragraphs) == EN_PARAGRAPHS


def test_a_plain_text_file_without_a_header_is_read_whole(tmp_path: Path) -> None:
    source = "\n\n".join(ZH_PARAGRAPHS)
    path = tmp_path / "plain.txt"
    path.write_text(source, encoding="utf-8")
    doc = read(path)
    assert doc.text.strip() == source
    assert (doc.meta_title, doc.meta_date) == ("", "")


def test_a_file_name_is_given_without_its_folders(tmp_path: Path) -> None:
    folder = tmp_path / "2023" / "february"
    folder.mkdir(parents=True)
    path = folder / "release.TXT"
    path.write_text("\n\n".join(EN_PARAGRAPHS), encoding="utf-8")
    assert read(path).source_file == "release.TXT"


def test_a_gbk_text_file_is_decoded(tmp_path: Path) -> None:
    header = "来源：中国节能　发布时间：2023年4月21日"
    source = "\n\n".join([ZH_TITLE, header, *ZH_PARAGRAPHS])
    path = tmp_path / "gbk.txt"
    path.write_bytes(source.encode("gbk"))
    doc = read(path)
    assert doc.text == source
    assert parse_release(doc).date == "2023-04-21"


def test_read_bytes_reads_an_upload_like_a_file(tmp_path: Path) -> None:
    data = "\n\n".join([EN_TITLE, "Source:     Date: 2023-02-17", *EN_PARAGRAPHS]).encode()
    path = tmp_path / "upload.txt"
    path.write_bytes(data)
    from_bytes = readers.read_bytes("upload.txt", data, max_bytes=LIMIT)
    assert from_bytes == read(path)
    assert len(from_bytes.content_hash) == 64


def test_the_same_bytes_give_the_same_content_hash_and_other_bytes_another() -> None:
    one = readers.read_bytes("a.txt", b"CECEP will cut emissions.", max_bytes=LIMIT)
    same = readers.read_bytes("b.txt", b"CECEP will cut emissions.", max_bytes=LIMIT)
    other = readers.read_bytes("a.txt", b"CECEP will cut emissions!", max_bytes=LIMIT)
    assert one.content_hash == same.content_hash != other.content_hash


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_front_matter_gives_title_and_date(tmp_path: Path) -> None:
    path = tmp_path / "release.md"
    path.write_text(
        f"---\ntitle: {EN_TITLE}\ndate: 2023-02-17\nauthor: CECEP\n---\n\n"
        f"{EN_PARAGRAPHS[0]}\n\n"
        "Song Xin said the group **will** keep [investing](https://x.example) "
        "in `renewable` energy.\n",
        encoding="utf-8",
    )
    doc = read(path)
    assert doc.format == "md"
    assert doc.meta_title == EN_TITLE
    assert doc.meta_date == "2023-02-17"
    assert doc.text.split("\n\n") == [
        EN_PARAGRAPHS[0],
        "Song Xin said the group will keep investing in renewable energy.",
    ]
    assert "---" not in doc.text and "title:" not in doc.text
    release = parse_release(doc)
    assert (release.title, release.date) == (EN_TITLE, "2023-02-17")


def test_the_first_markdown_heading_gives_the_title(tmp_path: Path) -> None:
    path = tmp_path / "heading.markdown"
    path.write_text(f"# {ZH_TITLE}\n\n" + "\n\n".join(ZH_PARAGRAPHS) + "\n", encoding="utf-8")
    doc = read(path)
    assert doc.meta_title == ZH_TITLE
    assert doc.text.split("\n\n") == ZH_PARAGRAPHS
    release = parse_release(doc)
    assert release.title == ZH_TITLE
    assert release.language == "zh"


def test_a_markdown_list_keeps_one_block_per_item(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(
        "# Plan\n\nThe group will:\n\n- cut coal use by 2025\n- build wind farms\n",
        encoding="utf-8",
    )
    assert read(path).text.split("\n\n") == [
        "The group will:",
        "cut coal use by 2025",
        "build wind farms",
    ]


# --- HTML ----------------------------------------------------------------------------------

SAVED_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>{title} | CECEP News Centre</title>
<meta name="description" content="DESCRIPTIONTEXT">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2023-02-17T08:00:00+08:00">
<script>var tracker = "SCRIPTTEXT";</script>
<style>.menu {{ color: red }} STYLETEXT</style>
</head><body>
<header><div class="logo">HEADERTEXT CECEP</div>
<nav><ul><li><a href="/">NAVTEXT Home</a></li><li><a href="/about">NAVTEXT About us</a></li>
<li><a href="/news">NAVTEXT News</a></li></ul></nav></header>
<div class="menu"><a href="/products">MENUTEXT Products</a>
<a href="/jobs">MENUTEXT Careers</a></div>
<main><article>
<h1>{title}</h1>
{paragraphs}
</article></main>
<aside class="sidebar"><h3>Related</h3>
<ul><li><a href="/x">SIDEBARTEXT Other news</a></li></ul></aside>
<footer>FOOTERTEXT Copyright 2023 CECEP. All rights reserved. ICP 12345678</footer>
<script>console.log("SCRIPTTEXT2")</script>
</body></html>
"""


def _page(title: str, paragraphs: list[str]) -> str:
    return SAVED_PAGE.format(title=title, paragraphs="\n".join(f"<p>{p}</p>" for p in paragraphs))


def test_a_saved_html_page_keeps_only_the_article_text(tmp_path: Path) -> None:
    path = tmp_path / "saved-page.html"
    path.write_text(_page(EN_TITLE, EN_PARAGRAPHS), encoding="utf-8")
    doc = read(path)
    assert doc.format == "html"
    for paragraph in EN_PARAGRAPHS:
        assert paragraph in doc.text
    for chrome in ("NAVTEXT", "MENUTEXT", "FOOTERTEXT", "SCRIPTTEXT", "STYLETEXT", "HEADERTEXT"):
        assert chrome not in doc.text, f"{chrome} leaked into the release text"
    assert "<" not in doc.text


def test_html_title_and_date_come_from_the_page_metadata(tmp_path: Path) -> None:
    path = tmp_path / "saved-page.htm"
    path.write_text(_page(EN_TITLE, EN_PARAGRAPHS), encoding="utf-8")
    doc = read(path)
    assert doc.meta_title == EN_TITLE, "the site name after ' | ' is not part of the title"
    assert doc.meta_date == "2023-02-17"
    release = parse_release(doc)
    assert (release.title, release.date) == (EN_TITLE, "2023-02-17")
    assert list(release.paragraphs) == EN_PARAGRAPHS, "the repeated <h1> title is not body text"


@pytest.mark.parametrize(
    "declaration",
    [
        '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
        '<meta charset="GBK">',
        '<meta charset="gb2312">',
    ],
)
def test_an_html_page_declaring_gbk_is_decoded(tmp_path: Path, declaration: str) -> None:
    page = _page(ZH_TITLE, ZH_PARAGRAPHS).replace('<meta charset="utf-8">', declaration)
    path = tmp_path / "gbk-page.html"
    path.write_bytes(page.encode("gbk"))
    doc = read(path)
    assert doc.meta_title == ZH_TITLE
    for paragraph in ZH_PARAGRAPHS:
        assert paragraph in doc.text
    assert "NAVTEXT" not in doc.text and "FOOTERTEXT" not in doc.text
    assert parse_release(doc).language == "zh"


def test_an_html_name_on_a_file_without_markup_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not-a-page.html"
    path.write_text("Just a line of text, no markup at all.", encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        read(path)
    assert "not-a-page.html" in str(caught.value)
    assert "markup" in caught.value.reason


# --- PDF -----------------------------------------------------------------------------------


def _pdf(path: Path, lines: list[str], *, title: str = "", font: str = "Helvetica") -> None:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    pdf.setFont(font, 11)
    y = 800
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()


def test_a_pdf_with_a_text_layer_is_read(tmp_path: Path) -> None:
    path = tmp_path / "release.pdf"
    lines = [
        "CECEP will reach net zero carbon emissions across all of its operations by 2050,",
        "with an intermediate goal of peaking emissions by 2028.",
        "Song Xin said the group has always insisted on green development and will",
        "keep investing in renewable energy.",
    ]
    _pdf(path, lines, title=EN_TITLE)
    doc = read(path)
    assert doc.format == "pdf"
    assert doc.meta_title == EN_TITLE
    assert squash(doc.text) == squash(" ".join(lines))
    release = parse_release(doc)
    assert release.title == EN_TITLE
    assert list(release.paragraphs) == [
        " ".join(lines[:2]),
        " ".join(lines[2:]),
    ], "hard-wrapped PDF lines are re-joined into their paragraphs"


def test_a_chinese_pdf_with_a_cid_font_is_read(tmp_path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "chinese.pdf"
    lines = [
        "中国节能环保集团有限公司在北京召开绿色发展大会，集团党委书记、董事长",
        "宋鑫出席会议并讲话。",
        "宋鑫强调，中国节能要始终坚持生态优先、绿色发展，力争到2030年实现碳达峰。",
    ]
    _pdf(path, lines, title=ZH_TITLE, font="STSong-Light")
    doc = read(path)
    assert squash(doc.text) == squash("".join(lines))
    release = parse_release(doc)
    assert release.title == ZH_TITLE
    assert release.language == "zh"
    assert release.paragraphs[0] == lines[0] + lines[1], "no space is put between Chinese lines"


def test_a_pdf_without_a_text_layer_is_reported_as_needing_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(60, 600, 300, 150, fill=1)  # a drawing, no text: what a scan looks like to a reader
    pdf.showPage()
    pdf.save()
    with pytest.raises(ReadError) as caught:
        read(path)
    assert "scan.pdf" in str(caught.value)
    assert "text layer" in caught.value.reason


# --- Word ----------------------------------------------------------------------------------


def _docx(path: Path, title: str | None, paragraphs: list[str], *, core_title: str = "") -> None:
    document = docx.Document()
    if title is not None:
        document.add_paragraph(title, style="Title")
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if core_title:
        document.core_properties.title = core_title
    document.save(str(path))


def test_the_title_style_paragraph_of_a_word_file_becomes_the_title(tmp_path: Path) -> None:
    path = tmp_path / "release.docx"
    _docx(path, EN_TITLE, ["Source: CECEP     Date: 2023-02-17", "", *EN_PARAGRAPHS])
    doc = read(path)
    assert doc.format == "docx"
    assert doc.meta_title == EN_TITLE
    assert EN_TITLE not in doc.text
    assert doc.text.split("\n\n") == ["Source: CECEP     Date: 2023-02-17", *EN_PARAGRAPHS]
    release = parse_release(doc)
    assert (release.title, release.date) == (EN_TITLE, "2023-02-17")
    assert list(release.paragraphs) == EN_PARAGRAPHS


def test_a_chinese_word_file_without_a_title_style_uses_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "chinese.docx"
    _docx(path, None, [ZH_TITLE, "来源：中国节能　发布时间：2023年4月21日", *ZH_PARAGRAPHS])
    release = parse_release(read(path))
    assert (release.title, release.date, release.language) == (ZH_TITLE, "2023-04-21", "zh")
    assert list(release.paragraphs) == ZH_PARAGRAPHS


def test_the_document_properties_title_is_used_when_no_paragraph_is_styled_title(
    tmp_path: Path,
) -> None:
    path = tmp_path / "props.docx"
    _docx(path, None, EN_PARAGRAPHS, core_title=EN_TITLE)
    assert read(path).meta_title == EN_TITLE


# --- bad input -----------------------------------------------------------------------------


def _assert_read_error(path: Path, *words: str, max_bytes: int = LIMIT) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read(path, max_bytes=max_bytes)
    message = str(caught.value)
    assert path.name in message, "the message names the file"
    assert caught.value.reason, "the message says what is wrong"
    for word in words:
        assert word in message.lower(), f"{word!r} not in {message!r}"
    return caught.value


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_an_empty_text_file_is_reported_as_empty(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    _assert_read_error(path, "empty")


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_an_empty_pdf_or_word_file_is_a_read_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    _assert_read_error(path, "not a readable")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_a_binary_file_with_a_text_name_is_reported_as_binary(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"photo{suffix}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(7).randbytes(5000))
    _assert_read_error(path, "binary")


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_a_binary_file_with_a_pdf_or_word_name_is_a_read_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"photo{suffix}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(7).randbytes(5000))
    _assert_read_error(path, "not a readable")


def test_a_truncated_pdf_is_reported_as_damaged(tmp_path: Path) -> None:
    whole = tmp_path / "whole.pdf"
    _pdf(whole, ["CECEP will reach net zero by 2050."] * 20, title=EN_TITLE)
    data = whole.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    _assert_read_error(path, "pdf", "truncated")


def test_a_truncated_word_file_is_reported_as_damaged(tmp_path: Path) -> None:
    whole = tmp_path / "whole.docx"
    _docx(whole, EN_TITLE, EN_PARAGRAPHS)
    data = whole.read_bytes()
    path = tmp_path / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    _assert_read_error(path, "word", "truncated")


def test_a_word_file_without_text_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    _docx(path, None, [])
    _assert_read_error(path, "no text")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"CECEP will cut emissions. " * 60_000)  # 1.56 MB
    error = _assert_read_error(path, "limit", max_bytes=1_000_000)
    assert "1.6 MB" in error.reason and "1 MB" in error.reason


def test_an_upload_over_the_size_limit_is_refused() -> None:
    with pytest.raises(ReadError) as caught:
        readers.read_bytes("upload.pdf", b"%PDF-1.4" + b"0" * 3_000_000, max_bytes=2_000_000)
    assert "upload.pdf" in str(caught.value)
    assert "limit" in caught.value.reason


def test_a_file_exactly_at_the_size_limit_is_read(tmp_path: Path) -> None:
    data = b"CECEP will cut emissions by 2030.\n"
    path = tmp_path / "exact.txt"
    path.write_bytes(data)
    assert read(path, max_bytes=len(data)).text == data.decode()


@pytest.mark.parametrize("name", ["report.xlsx", "release.doc", "README", "release.txt.bak"])
def test_an_unsupported_extension_is_refused_with_the_supported_formats_listed(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"CECEP will cut emissions.")
    with pytest.raises(UnsupportedFormat) as caught:
        read(path)
    message = str(caught.value)
    assert name in message
    assert "unsupported" in message
    for suffix in (".txt", ".md", ".html", ".pdf", ".docx"):
        assert suffix in message
    assert not readers.is_supported(name)


def test_an_unsupported_upload_is_refused_the_same_way() -> None:
    with pytest.raises(UnsupportedFormat, match=r"slides\.pptx: unsupported format '\.pptx'"):
        readers.read_bytes("slides.pptx", b"PK\x03\x04", max_bytes=LIMIT)


def test_a_missing_file_is_reported_as_unreadable(tmp_path: Path) -> None:
    _assert_read_error(tmp_path / "missing.txt", "cannot be read")


@pytest.mark.parametrize(
    "name", ["a.txt", "a.TXT", "a.text", "a.md", "a.markdown", "a.html", "a.HTM", "a.pdf", "a.docx"]
)
def test_every_documented_extension_is_supported_whatever_its_case(name: str) -> None:
    assert readers.is_supported(name)


def test_pdf_library_messages_come_with_the_files_error_not_before_it(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    whole = tmp_path / "whole.pdf"
    _pdf(whole, ["CECEP will reach net zero by 2050."] * 20, title=EN_TITLE)
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ReadError) as caught:
        read(path)
    out, err = capfd.readouterr()
    assert (out, err) == ("", ""), "nothing is printed besides the product's own message"
    assert "cut.pdf" in str(caught.value) and "EOF marker" in caught.value.reason


def test_a_pdf_title_placeholder_gives_way_to_the_largest_type_on_page_one(tmp_path: Path) -> None:
    path = tmp_path / "placeholder.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Microsoft Word - draft 3.docx")
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(60, 780, EN_TITLE)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(60, 750, "Date: 17 February 2023")
    pdf.drawString(60, 730, EN_PARAGRAPHS[0][:80])
    pdf.showPage()
    pdf.save()
    release = parse_release(read(path))
    assert (release.title, release.date) == (EN_TITLE, "2023-02-17")
    assert not any(EN_TITLE in p for p in release.paragraphs), "the heading is not body text"
