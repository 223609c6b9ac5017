"""From a document's text to a Release: title, Source/Date header, paragraphs, language, organisation."""

from __future__ import annotations

import re

from ..models import Document, Release
from .dates import find_date, lone_date, parse_date

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_FIELD_LABELS = {
    "source": "source",
    "来源": "source",
    "來源": "source",
    "稿源": "source",
    "出处": "source",
    "date": "date",
    "published": "date",
    "publish date": "date",
    "release date": "date",
    "发布时间": "date",
    "發布時間": "date",
    "發佈時間": "date",
    "发布日期": "date",
    "發布日期": "date",
    "發佈日期": "date",
    "發表時間": "date",
    "日期": "date",
    "时间": "date",
    "時間": "date",
    "发表时间": "date",
    "author": "author",
    "作者": "author",
    "编辑": "author",
    "責任編輯": "author",
    "责任编辑": "author",
}
_FIELD = re.compile(
    r"(?P<label>" + "|".join(sorted(map(re.escape, _FIELD_LABELS), key=len, reverse=True)) + r")\s*[:：]",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。！？”\"）)]$")
# A dateline opens the first paragraph: "BEIJING, Feb. 17, 2023 (Xinhua) --", "新华社北京2023年4月21日电".
_EN_DATELINE = re.compile(
    r"[A-Z][A-Za-z.'’ ]{1,40},\s*(?P<date>[^()]{6,30}?)\s*(?:\([^)]{1,40}\)\s*)?(?:--|[-–—])"
)
_ZH_DATELINE = re.compile(
    r"[\u4e00-\u9fff（）()]{0,20}?(?P<date>[\d０-９〇零○一二三四五六七八九十年月]{6,16}日)电"
)


def detect_language(text: str) -> str:
    """zh when Chinese characters carry the text, else en (one Chinese character ~ one word)."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return "en"
    latin = len(_LATIN.findall(text))
    return "zh" if cjk * 4 >= latin else "en"


def _header_fields(line: str) -> dict[str, str] | None:
    """{'source': ..., 'date': ...} if the line is made only of labelled fields, else None."""
    if len(line) > 400 or not _FIELD.match(line):
        return None
    matches = list(_FIELD.finditer(line))
    fields: dict[str, str] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        fields[_FIELD_LABELS[m.group("label").lower()]] = line[m.end() : end].strip().strip("|").strip()
    return fields


def _join_lines(lines: list[str]) -> str:
    """Re-join a hard-wrapped paragraph: no space between Chinese characters, one elsewhere."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        chinese_join = _CJK.match(out[-1]) or out[-1] in "，。；：、“”" if out else False
        if out and (not chinese_join or not _CJK.match(line[0])):
            out += " "
        out += line
    return out.replace("  ", " ") if "  " in out and not _CJK.search(out) else out


def _blocks(text: str, fmt: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    raw = re.split(r"\n[ \t\u3000]*\n", text)
    blocks = []
    for block in raw:
        lines = block.split("\n")
        if fmt == "pdf":
            blocks.extend(_pdf_paragraphs(lines))
        else:
            joined = _join_lines(lines)
            if joined:
                blocks.append(joined)
    return blocks


def _pdf_paragraphs(lines: list[str]) -> list[str]:
    # PDF text has no blank lines between paragraphs: a short line that ends a sentence ends one.
    width = max((len(ln.strip()) for ln in lines), default=0)
    paragraphs, current = [], []
    for line in lines:
        current.append(line)
        stripped = line.strip()
        if stripped and _SENTENCE_END.search(stripped) and len(stripped) < 0.85 * width:
            paragraphs.append(_join_lines(current))
            current = []
    if current:
        paragraphs.append(_join_lines(current))
    return [p for p in paragraphs if p]


def dateline_date(paragraph: str) -> str:
    """The date of a dateline or a date-only line opening the body; a date told in a sentence is not one."""
    if date := lone_date(paragraph):
        return date
    for pattern in (_EN_DATELINE, _ZH_DATELINE):
        m = pattern.match(paragraph)
        if m and (found := find_date(m["date"])):
            return found[0]
    return ""


def _looks_like_title(block: str, language: str) -> bool:
    limit = 80 if language == "zh" else 250
    return len(block) <= limit and not re.search(r"[。！？]$|[.!?]$", block.strip())


def parse_release(doc: Document, *, organization: str | None = None) -> Release:
    """Split a document into header and body; never invent a date that the release does not give."""
    blocks = _blocks(doc.text, doc.format)
    language = detect_language(doc.text[:2000])
    warnings: list[str] = list(doc.warnings)
    title = " ".join(doc.meta_title.split())
    fields: dict[str, str] = {}
    header_seen = False
    body_start = 0
    # The header sits in the first few blocks: an optional title line, then labelled fields.
    for i, block in enumerate(blocks[:4]):
        found = _header_fields(block)
        if found is not None:
            fields.update(found)
            header_seen = True
            body_start = i + 1
        elif i == 0 and not title and _looks_like_title(block, language) and len(blocks) > 1:
            title = block
            body_start = 1
        elif i == 0 and title and " ".join(block.split()) == title:
            body_start = 1  # HTML and Word bodies often repeat the title
        elif header_seen or i > 1:
            break
    paragraphs = tuple(blocks[body_start:])
    # The reader's date (page metadata, info line, document properties) was chosen where the
    # format says it; then a header field; then a dateline opening the body. Never a date retold in it.
    date = parse_date(doc.meta_date) or "" if doc.meta_date else ""
    if not date and "date" in fields:
        date = parse_date(fields["date"]) or ""
        if fields["date"] and not date:
            warnings.append(f"date {fields['date']!r} in the header is not a date this product can read")
    elif not date and paragraphs:
        date = dateline_date(paragraphs[0])
    if not date:
        warnings.append("the release gives no date; it is kept with an empty date")
    if not title:
        warnings.append("no title found")
    if not paragraphs:
        warnings.append("the release has no body text")
    return Release(
        source_file=doc.source_file,
        content_hash=doc.content_hash,
        title=title,
        date=date,
        source=fields.get("source", ""),
        language=language,
        organization=organization or "",  # found by extraction when not given
        paragraphs=paragraphs,
        format=doc.format,
        warnings=tuple(warnings),
    )
