"""PDF releases with a text layer (scanned PDFs without one are reported, not guessed)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import ReadError
from ..models import Document


def read(name: str, data: bytes) -> Document:
    """Text of every page; lines are re-joined into paragraphs when the release is parsed."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == 0:
            raise ReadError(name, "the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        title = str(meta.title or "") if meta else ""
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError(name, f"is not a readable PDF (damaged or truncated?): {exc}") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ReadError(name, "the PDF has no text layer (a scan?); run OCR on it first")
    return Document(name, "pdf", text, "", title.strip(), "")
