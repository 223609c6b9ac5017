"""Plain-text releases, with or without the spec's Source/Date header."""

from __future__ import annotations

from ..models import Document
from .decode import decode


def read(name: str, data: bytes) -> Document:
    """Decode the bytes; the header, if any, is parsed later with the text."""
    body, encoding = decode(data, name)
    return Document(name, "txt", body, "", encoding=encoding)
