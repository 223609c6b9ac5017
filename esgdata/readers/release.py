"""From a document's text to a Release: title, Source/Date header, paragraphs, language, organisation."""

from __future__ import annotations

import re

from ..models import Document, Release
from .dates import parse_date

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
    "发布日期": "date",
    "發布日期": "date",
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
_DATELINE_WINDOW = 160  # a dateline ("BEIJING, Feb. 17, 2023 (Xinhua) --") sits at the very start


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


def _looks_like_title(block: str, language: str) -> bool:
    limit = 80 if language == "zh" else 250
    return len(block) <= limit and not re.search(r"[。！？]$|[.!?]$", block.strip())


def parse_release(doc: Document, *, organization: str | None = None) -> Release:
    """Split a document into header and body; never invent a date that the release does not give."""
    blocks = _blocks(doc.text, doc.format)
    language = detect_language(doc.text[:2000])
    warnings: list[str] = []
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
    date = ""
    if "date" in fields:
        date = parse_date(fields["date"]) or ""
        if fields["date"] and not date:
            warnings.append(f"date {fields['date']!r} in the header is not a date this product can read")
    elif doc.meta_date:
        date = parse_date(doc.meta_date) or ""
    elif paragraphs:
        # No header: a dateline at the very start of the body, or a line that is only a date.
        date = parse_date(paragraphs[0][:_DATELINE_WINDOW]) or ""
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
