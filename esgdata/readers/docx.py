"""Word (.docx) releases: paragraphs in order; the Title style or core title gives the title."""

from __future__ import annotations

import io
import zipfile

import docx as python_docx

from ..errors import ReadError
from ..models import Document


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
    title = title or (document.core_properties.title or "").strip()
    return Document(name, "docx", "\n\n".join(paragraphs), "", title, "")
