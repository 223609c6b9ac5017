"""HTML pages saved from real sites: main text via trafilatura, metadata title and date."""

from __future__ import annotations

import re

import trafilatura

from ..errors import ReadError
from ..models import Document
from .decode import decode

_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\s+[|_–—-]\s+[^|_–—-]{2,40}$")  # " | Site name" after a page title


def _decode_html(name: str, data: bytes) -> tuple[str, str]:
    declared = _DECLARED.search(data[:4096])
    if declared:
        codec = declared.group(1).decode("ascii").lower()
        codec = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}.get(codec, codec)
        try:
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, name)


def read(name: str, data: bytes) -> Document:
    """Navigation, menus, footers and scripts are dropped; one line of main text is one paragraph."""
    markup, encoding = _decode_html(name, data)
    if "<" not in markup:
        raise ReadError(name, "has an .html name but contains no HTML markup")
    doc = trafilatura.bare_extraction(
        markup,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text: str = getattr(doc, "text", None) or ""
    if not text.strip():
        raise ReadError(name, "no main text found in the page")
    title = (getattr(doc, "title", None) or "").strip()
    title = _TITLE_SUFFIX.sub("", title) if title else ""
    body = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    return Document(name, "html", body, "", title, getattr(doc, "date", None) or "", encoding)
