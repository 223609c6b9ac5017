"""One ``read`` for every supported format; one module per format behind it."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

from ..config import format_mb
from ..errors import ReadError, UnsupportedFormat
from ..models import Document
from . import docx, html, markdown, pdf, text

Reader = Callable[[str, bytes], Document]

FORMATS: dict[str, Reader] = {
    ".txt": text.read,
    ".text": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".pdf": pdf.read,
    ".docx": docx.read,
}


def is_supported(name: str) -> bool:
    """True when ``name`` has one of the extensions in FORMATS."""
    return Path(name).suffix.lower() in FORMATS


def read_bytes(name: str, data: bytes, *, max_bytes: int) -> Document:
    """Read a release held in memory (an upload); ``name`` picks the format."""
    suffix = Path(name).suffix.lower()
    reader = FORMATS.get(suffix)
    if reader is None:
        supported = ", ".join(sorted(FORMATS))
        raise UnsupportedFormat(
            name, f"unsupported format {suffix or '(no extension)'!r}; supported: {supported}"
        )
    if len(data) > max_bytes:
        raise ReadError(
            name,
            f"is {format_mb(len(data))}, over the {format_mb(max_bytes)} limit (ESGDATA_MAX_FILE_MB)",
        )
    doc = reader(Path(name).name, data)
    return dataclasses.replace(doc, content_hash=hashlib.sha256(data).hexdigest())


def read(path: str | Path, *, max_bytes: int) -> Document:
    """Read one release file; raise ReadError (with the file name and the reason) if it cannot be."""
    path = Path(path)
    if not is_supported(path.name):
        return read_bytes(path.name, b"", max_bytes=max_bytes)  # raises UnsupportedFormat
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(
                str(path),
                f"is {format_mb(size)}, over the {format_mb(max_bytes)} limit (ESGDATA_MAX_FILE_MB)",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    try:
        return read_bytes(path.name, data, max_bytes=max_bytes)
    except ReadError as exc:
        raise ReadError(str(path), exc.reason) from None
