"""Word (.docx) releases: paragraphs in order; title and date from the first lines or the properties.

Title: a Title or Heading paragraph opening the document, else the Title property (the
first short line otherwise, found when the release is parsed). Date: a date line among
the first paragraphs, else the document's creation date, unless that is the blank
template's own stamp.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx as python_docx

from ..errors import ReadError
from ..models import Document
from .dates import labelled_date, lone_date

_HEAD_PARAGRAPHS = 6
# Files written by python-docx inherit its template's author and creation stamp: not the release's.
_TEMPLATE_AUTHORS = {"python-docx"}


def read(name: str, data: bytes) -> Document:
    """One Word paragraph is one paragraph; empty ones are dropped."""
    try:
        document = python_docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadError(
            name, f"is not a readable Word .docx file (damaged, truncated or an old .doc?): {exc}"
        ) from None
    title = ""
    paragraphs: list[str] = []
    for para in document.paragraphs:
        content = para.text.strip()
        if not content:
            continue
        if (
            not title
            and not paragraphs
            and para.style is not None
            and (para.style.name or "").startswith(("Title", "Heading"))
        ):
            title = content
            continue
        paragraphs.append(content)
    if not paragraphs:
        raise ReadError(name, "the Word file has no text")
    props = document.core_properties
    title = title or (props.title or "").strip()
    date = next((d for p in paragraphs[:_HEAD_PARAGRAPHS] if (d := labelled_date(p) or lone_date(p))), "")
    if not date and (props.author or "") not in _TEMPLATE_AUTHORS and isinstance(props.created, dt.datetime):
        date = props.created.date().isoformat()
    return Document(name, "docx", "\n\n".join(paragraphs), "", title, date)
