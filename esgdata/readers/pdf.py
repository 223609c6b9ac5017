"""PDF releases with a text layer (scanned PDFs without one are reported, not guessed)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import ReadError
from ..models import Document


class _Notes(logging.Handler):
    """Collects pypdf's log messages so they reach the user inside the product's own message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_notes() -> Iterator[list[str]]:
    # Without this, Python's last-resort handler prints pypdf's warnings to stderr, before
    # (and apart from) the error that names the file.
    logger = logging.getLogger("pypdf")
    notes, propagate = _Notes(), logger.propagate
    logger.addHandler(notes)
    logger.propagate = False
    try:
        yield notes.messages
    finally:
        logger.removeHandler(notes)
        logger.propagate = propagate


def read(name: str, data: bytes) -> Document:
    """Text of every page; lines are re-joined into paragraphs when the release is parsed."""
    with _pypdf_notes() as notes:
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
            seen = "; ".join(dict.fromkeys(notes))
            raise ReadError(
                name,
                f"is not a readable PDF (damaged or truncated?): {exc}" + (f" ({seen})" if seen else ""),
            ) from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ReadError(name, "the PDF has no text layer (a scan?); run OCR on it first")
    return Document(name, "pdf", text, "", title.strip(), "")
