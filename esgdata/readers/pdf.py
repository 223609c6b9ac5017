"""PDF releases with a text layer (scanned PDFs without one are reported, not guessed).

Title: the document's Title property unless it is a tool's placeholder, else the largest
type at the top of the first page. Date: a date line on the first page, else the
document's creation date. pypdf's own log messages are collected and reported with the
file, never printed on their own.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import ReadError
from ..models import Document
from .dates import labelled_date, lone_date

_HEAD_LINES = 12  # the title and the date line sit among the first lines of page 1
# Titles tools write when the author gave none: "Microsoft Word - draft.docx", "untitled", a file name.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - .*|untitled.*|title|document\d*|presentation\d*"
    r"|.*\.(?:docx?|pdf|wps|pptx?|rtf))$",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_messages: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("pypdf_messages", default=None)


class _Collect(logging.Handler):
    """Keeps pypdf's warnings for the file being read, to be reported with it."""

    def emit(self, record: logging.LogRecord) -> None:
        found = _messages.get()
        if found is not None and record.levelno >= logging.WARNING:
            message = record.getMessage().strip()
            if message and message not in found:
                found.append(message)


_LOGGER = logging.getLogger("pypdf")
_LOGGER.addHandler(_Collect())
_LOGGER.propagate = False  # pypdf's messages reach the user through ours, with the file name


@contextmanager
def _collecting() -> Iterator[list[str]]:
    found: list[str] = []
    token = _messages.set(found)
    try:
        yield found
    finally:
        _messages.reset(token)


def _lines_with_sizes(page: Any) -> list[tuple[str, float]]:
    """Lines of one page, top to bottom, each with the largest type size used on it."""
    pieces: list[tuple[float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
        if text.strip():
            scale = abs(tm[3] * cm[3]) or 1.0
            pieces.append((round(tm[5] * cm[3] + cm[5], 1), (size or 0.0) * scale, text))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[str, float]] = []
    last_y: float | None = None
    for y, size, text in pieces:  # content order; a new baseline starts a new line
        if last_y is None or abs(y - last_y) > 2 or text.startswith("\n"):
            lines.append(("", 0.0))
        body, top = lines[-1]
        lines[-1] = (body + text.replace("\n", " "), max(top, size))
        last_y = y
    return [(" ".join(t.split()), s) for t, s in lines if t.strip()]


def _join(lines: list[str]) -> str:
    out = ""
    for line in lines:
        glue = "" if out and _CJK.match(out[-1]) and _CJK.match(line[0]) else " "
        out = f"{out}{glue}{line}" if out else line
    return out


def _heading(head: list[tuple[str, float]]) -> list[int]:
    """Indexes of the title lines: the largest type at the top, if it stands out from the text."""
    if len(head) < 2:
        return []
    sizes = sorted(s for _, s in head)
    body_size = sizes[len(sizes) // 2]
    top = max(s for _, s in head)
    if top < body_size * 1.15:
        return []
    first = next(i for i, (_, s) in enumerate(head) if s == top)
    picked = [first]
    while picked[-1] + 1 < len(head) and head[picked[-1] + 1][1] == top:
        picked.append(picked[-1] + 1)
    return picked


def _created(reader: PdfReader) -> str:
    try:
        created = reader.metadata.creation_date if reader.metadata else None
    except (ValueError, TypeError):  # a malformed D: string
        return ""
    return created.date().isoformat() if isinstance(created, dt.datetime) else ""


def _read(name: str, data: bytes) -> Document:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == 0:
        raise ReadError(name, "the PDF is password-protected")
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ReadError(name, "the PDF has no text layer (a scan?); run OCR on it first")
    meta_title = str(reader.metadata.title or "").strip() if reader.metadata else ""
    if _PLACEHOLDER_TITLE.match(meta_title):
        meta_title = ""
    head = _lines_with_sizes(reader.pages[0])[:_HEAD_LINES]
    title_lines = _heading(head)
    title = meta_title or _join([head[i][0] for i in title_lines])
    date, date_line = "", None
    for i, (line, _) in enumerate(head):
        if i in title_lines:
            continue
        if found := labelled_date(line) or lone_date(line):
            date, date_line = found, i
            break
    date = date or _created(reader)
    # Title and date lines found by type size are the release's header, not its first paragraph.
    drop = [head[i][0] for i in [*title_lines, *([date_line] if date_line is not None else [])]]
    if drop:
        text = _without_lines(text, drop)
    return Document(name, "pdf", text, "", title, date)


def _without_lines(text: str, lines: list[str]) -> str:
    """``text`` with its first occurrence of each of ``lines`` taken out, each ended by a blank line."""
    out = text.split("\n")
    for target in lines:
        for i, line in enumerate(out):
            if " ".join(line.split()) == target:
                del out[i]
                break
    return "\n".join(out).strip()


def read(name: str, data: bytes) -> Document:
    """Text of every page; lines are re-joined into paragraphs when the release is parsed."""
    with _collecting() as messages:
        try:
            doc = _read(name, data)
        except ReadError:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError) as exc:
            detail = "; ".join(dict.fromkeys([str(exc), *messages]))
            raise ReadError(name, f"is not a readable PDF (damaged or truncated?): {detail}") from None
    notes = tuple(f"the PDF reader noted: {m}" for m in messages)
    return Document(doc.source_file, doc.format, doc.text, "", doc.meta_title, doc.meta_date, warnings=notes)
